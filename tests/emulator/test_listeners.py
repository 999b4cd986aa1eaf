# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
from collections.abc import Callable

from fastramqpi.emulator import Emulator

from .client import DECLARE_LISTENER
from .client import MO
from .client import unique

DELETE = """
mutation Delete($uuid: UUID!, $force: Boolean!) {
  event_listener_delete(input: {uuid: $uuid, delete_pending_events: $force})
}
"""


def test_declare_is_idempotent_and_returns_the_same_uuid(emu: Emulator, mo: MO) -> None:
    declare = dict(namespace="mo", user_key="engagements", routing_key="engagement")
    first = mo.data(DECLARE_LISTENER, **declare)["event_listener_declare"]
    again = mo.data(DECLARE_LISTENER, **declare)["event_listener_declare"]
    assert again == first
    assert first["owner"] == str(emu.owner_of(mo.client_id))
    assert first["namespace"] == {"name": "mo"}


def test_namespace_defaults_to_mo(mo: MO) -> None:
    listener = mo.data(
        'mutation { event_listener_declare(input: {user_key: "a", routing_key: "person"})'
        " { namespace { name } } }"
    )
    assert listener == {"event_listener_declare": {"namespace": {"name": "mo"}}}


def test_same_user_key_for_two_owners_gives_two_listeners(
    connect: Callable[..., MO],
) -> None:
    alice, bob = connect(), connect()
    assert alice.declare_listener("person", "sync") != bob.declare_listener(
        "person", "sync"
    )


def test_same_user_key_with_another_routing_key_is_an_error(mo: MO) -> None:
    mo.declare_listener("person", "sync")
    (message,) = mo.errors(
        DECLARE_LISTENER, namespace="mo", user_key="sync", routing_key="org_unit"
    )
    assert "routing key" in message


def test_unknown_namespace_is_an_error(mo: MO) -> None:
    (message,) = mo.errors(
        DECLARE_LISTENER, namespace=unique("nope"), user_key="a", routing_key="b"
    )
    assert "does not exist" in message


def test_private_namespace_of_another_owner_is_an_error(
    connect: Callable[..., MO],
) -> None:
    alice, bob = connect(), connect()
    private, public = unique("private"), unique("public")
    alice.declare_namespace(private, public=False)
    alice.declare_namespace(public, public=True)
    (message,) = bob.errors(
        DECLARE_LISTENER, namespace=private, user_key="a", routing_key="b"
    )
    assert "private" in message
    assert bob.declare_listener("b", namespace=public)
    assert alice.declare_listener("b", namespace=private)


def test_delete_refuses_while_events_are_pending_unless_told(
    emu: Emulator, mo: MO
) -> None:
    listener = mo.declare_listener("person")
    emu.emit("person", "e1")
    (message,) = mo.errors(DELETE, uuid=listener, force=False)
    assert "pending" in message
    assert mo.data(DELETE, uuid=listener, force=True) == {"event_listener_delete": True}
    assert emu.pending() == []
    assert mo.fetch(listener) is None


def test_delete_of_an_empty_listener(mo: MO) -> None:
    listener = mo.declare_listener("person", "sync")
    assert mo.data(DELETE, uuid=listener, force=False) == {
        "event_listener_delete": True
    }
    assert mo.declare_listener("person", "sync") != listener


def test_delete_of_another_owners_listener_is_an_error(
    connect: Callable[..., MO],
) -> None:
    alice, bob = connect(), connect()
    listener = alice.declare_listener("person")
    assert bob.errors(DELETE, uuid=listener, force=True)
    assert alice.data(DELETE, uuid=listener, force=True) == {
        "event_listener_delete": True
    }
