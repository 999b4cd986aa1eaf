# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
from collections.abc import Callable

from fastramqpi.emulator import Emulator

from .client import DECLARE_NAMESPACE
from .client import MO
from .client import unique

NAMESPACES = """
query Namespaces($names: [String!]) {
  event_namespaces(filter: {names: $names}) { objects { name owner public } }
}
"""
DELETE = (
    "mutation Delete($name: String!) { event_namespace_delete(input: {name: $name}) }"
)


def test_namespace_mo_exists_public_and_owned_by_mo(emu: Emulator, mo: MO) -> None:
    (namespace,) = mo.data(NAMESPACES, names=["mo"])["event_namespaces"]["objects"]
    assert namespace["public"] is True
    assert namespace["owner"] != str(emu.owner_of(mo.client_id))


def test_declare_is_idempotent_for_the_same_owner(emu: Emulator, mo: MO) -> None:
    name = unique("ns")
    first = mo.declare_namespace(name)
    assert mo.declare_namespace(name) == first
    assert first == {
        "name": name,
        "owner": str(emu.owner_of(mo.client_id)),
        "public": False,
    }


def test_declare_of_a_namespace_claimed_by_another_owner_is_an_error(
    connect: Callable[..., MO],
) -> None:
    alice, bob = connect(), connect()
    name = unique("ns")
    alice.declare_namespace(name)
    (message,) = bob.errors(DECLARE_NAMESPACE, name=name, public=False)
    assert "another owner" in message
    (message,) = bob.errors(
        'mutation { event_namespace_declare(input: {name: "mo"}) { name } }'
    )
    assert "another owner" in message


def test_declare_with_another_public_flag_is_an_error(mo: MO) -> None:
    name = unique("ns")
    mo.declare_namespace(name, public=False)
    (message,) = mo.errors(DECLARE_NAMESPACE, name=name, public=True)
    assert "public" in message


def test_delete_removes_the_namespace(mo: MO) -> None:
    name = unique("ns")
    mo.declare_namespace(name)
    assert mo.data(DELETE, name=name) == {"event_namespace_delete": True}
    assert mo.data(NAMESPACES, names=[name])["event_namespaces"]["objects"] == []


def test_delete_refuses_namespaces_with_listeners_or_of_another_owner(
    connect: Callable[..., MO],
) -> None:
    alice, bob = connect(), connect()
    name = unique("ns")
    alice.declare_namespace(name, public=True)
    assert bob.errors(DELETE, name=name)
    bob.declare_listener("thing", namespace=name)
    (message,) = alice.errors(DELETE, name=name)
    assert "listeners" in message
    assert alice.data(NAMESPACES, names=[name])["event_namespaces"]["objects"]
