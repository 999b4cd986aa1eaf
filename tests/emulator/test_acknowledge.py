# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
import base64
from collections.abc import Callable

import httpx

from fastramqpi.emulator import Emulator

from .client import ACK
from .client import MO


def test_ack_deletes_the_event(emu: Emulator, mo: MO) -> None:
    listener = mo.declare_listener("person")
    emu.emit("person", "p")
    event = mo.fetch(listener)
    assert event is not None
    assert mo.ack(event["token"]) is True
    assert emu.pending() == []
    httpx.post(f"{emu.url}/testing/events/reset-last-tried").raise_for_status()
    assert mo.fetch(listener) is None


def test_ack_twice_is_true_both_times(emu: Emulator, mo: MO) -> None:
    listener = mo.declare_listener("person")
    emu.emit("person", "p")
    event = mo.fetch(listener)
    assert event is not None
    assert mo.ack(event["token"]) is True
    assert mo.ack(event["token"]) is True


def test_ack_with_a_garbage_token_is_an_error(mo: MO) -> None:
    assert mo.errors(ACK, token="garbage")
    not_ours = base64.b64encode(b"not.a-token").decode()
    assert mo.errors(ACK, token=not_ours)


def test_stale_ack_is_true_and_the_resent_event_comes_back_at_once(
    emu: Emulator, mo: MO
) -> None:
    listener = mo.declare_listener("person")
    emu.emit("person", "p")
    first = mo.fetch(listener)
    assert first is not None
    emu.emit("person", "p")
    assert mo.ack(first["token"]) is True
    second = mo.fetch(listener)
    assert second is not None
    assert second["subject"] == "p"
    assert second["token"] != first["token"]
    assert mo.ack(second["token"]) is True
    assert emu.pending() == []


def test_ack_by_another_owner_is_true_but_deletes_nothing(
    emu: Emulator, connect: Callable[..., MO]
) -> None:
    alice, bob = connect(), connect()
    listener = alice.declare_listener("person")
    emu.emit("person", "p")
    event = alice.fetch(listener)
    assert event is not None
    assert bob.ack(event["token"]) is True
    assert [e.subject for e in emu.pending()] == ["p"]
