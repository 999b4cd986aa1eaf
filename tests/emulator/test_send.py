# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
from collections.abc import Callable
from typing import Any

from fastramqpi.emulator import Emulator
from fastramqpi.emulator import FakeClock

from .client import MO
from .client import SEND
from .client import unique


def test_send_needs_the_caller_to_own_the_namespace(
    connect: Callable[..., MO],
) -> None:
    alice, bob = connect(), connect()
    name = unique("ns")
    alice.declare_namespace(name, public=True)
    listener = bob.declare_listener("thing", namespace=name)
    send: dict[str, Any] = dict(
        namespace=name, routing_key="thing", subject="s", priority=5
    )
    (message,) = bob.errors(SEND, **send)
    assert "owner" in message
    assert bob.errors(SEND, **{**send, "namespace": "mo"})
    alice.send(**send)
    event = bob.fetch(listener)
    assert event is not None
    assert (event["subject"], event["priority"]) == ("s", 5)


def test_priority_must_be_at_least_one(mo: MO) -> None:
    name = unique("ns")
    mo.declare_namespace(name)
    listener = mo.declare_listener("thing", namespace=name)
    assert mo.errors(SEND, namespace=name, routing_key="thing", subject="s", priority=0)
    mo.send(name, "thing", "s", priority=1)
    event = mo.fetch(listener)
    assert event is not None
    assert event["priority"] == 1


def test_subject_may_be_220_characters_not_221(mo: MO) -> None:
    name = unique("ns")
    mo.declare_namespace(name)
    listener = mo.declare_listener("thing", namespace=name)
    (message,) = mo.errors(
        SEND, namespace=name, routing_key="thing", subject="x" * 221, priority=1
    )
    assert "220" in message
    mo.send(name, "thing", "x" * 220)
    event = mo.fetch(listener)
    assert event is not None
    assert event["subject"] == "x" * 220


def test_send_reaches_every_listener_of_the_routing_key_only(
    connect: Callable[..., MO],
) -> None:
    alice, bob = connect(), connect()
    name = unique("ns")
    alice.declare_namespace(name, public=True)
    mine = alice.declare_listener("thing", namespace=name)
    also_mine = alice.declare_listener("thing", namespace=name)
    theirs = bob.declare_listener("thing", namespace=name)
    other_key = bob.declare_listener("other", namespace=name)
    alice.send(name, "thing", "s")
    assert [e["subject"] for e in alice.fetch_all(mine)] == ["s"]
    assert [e["subject"] for e in alice.fetch_all(also_mine)] == ["s"]
    assert [e["subject"] for e in bob.fetch_all(theirs)] == ["s"]
    assert bob.fetch(other_key) is None


def test_resend_collapses_into_the_stored_event(emu: Emulator, mo: MO) -> None:
    listener = mo.declare_listener("person")
    emu.emit("person", "p", priority=50)
    emu.emit("person", "p", priority=70)
    (stored,) = emu.pending()
    assert stored.priority == 50
    emu.emit("person", "p", priority=20)
    (stored,) = emu.pending()
    assert stored.priority == 20
    assert [e["subject"] for e in mo.fetch_all(listener)] == ["p"]


def test_resend_resets_last_tried_and_fetched_count(
    emu: Emulator, clock: FakeClock, mo: MO
) -> None:
    listener = mo.declare_listener("person")
    emu.emit("person", "p")
    for _ in range(10):
        assert mo.fetch(listener) is not None
        clock.advance(17 * 3600 + 1)
    assert emu.pending()[0].fetched_count == 10
    assert mo.fetch(listener) is not None
    assert mo.fetch(listener) is None
    emu.emit("person", "p")
    assert emu.pending()[0].fetched_count == 0
    assert mo.fetch(listener) is not None
