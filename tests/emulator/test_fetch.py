# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from uuid import uuid4

import pytest

from fastramqpi.emulator import Emulator
from fastramqpi.emulator import FakeClock

from .client import MO

SILENCE = """
mutation Silence($subjects: [String!]!) {
  event_silence(input: {listeners: {}, subjects: $subjects})
}
"""


def test_fetch_from_an_unknown_listener_is_null(mo: MO) -> None:
    assert mo.fetch(str(uuid4())) is None


def test_fetch_from_another_owners_listener_is_null(
    emu: Emulator, connect: Callable[..., MO]
) -> None:
    alice, bob = connect(), connect()
    listener = alice.declare_listener("person")
    emu.emit("person", "p")
    assert bob.fetch(listener) is None
    assert alice.fetch(listener) is not None


def test_fetch_returns_subject_priority_and_token(emu: Emulator, mo: MO) -> None:
    listener = mo.declare_listener("person")
    emu.emit("person", "11111111-2222-3333-4444-555555555555", priority=7)
    event = mo.fetch(listener)
    assert event is not None
    assert event["subject"] == "11111111-2222-3333-4444-555555555555"
    assert event["priority"] == 7
    assert isinstance(event["token"], str)


def test_order_is_lowest_priority_number_first(emu: Emulator, mo: MO) -> None:
    listener = mo.declare_listener("person")
    for subject, priority in [("c", 300), ("a", 1), ("b", 20), ("d", 10000)]:
        emu.emit("person", subject, priority=priority)
    assert [e["subject"] for e in mo.fetch_all(listener)] == ["a", "b", "c", "d"]


def test_order_puts_silenced_events_last(emu: Emulator, mo: MO) -> None:
    listener = mo.declare_listener("person")
    emu.emit("person", "urgent-but-silenced", priority=1)
    emu.emit("person", "ordinary", priority=10000)
    assert mo.data(SILENCE, subjects=["urgent-but-silenced"]) == {"event_silence": True}
    assert [e["subject"] for e in mo.fetch_all(listener)] == [
        "ordinary",
        "urgent-but-silenced",
    ]


def test_order_prefers_fewer_fetches_at_equal_priority(
    emu: Emulator, clock: FakeClock, mo: MO
) -> None:
    listener = mo.declare_listener("person")
    emu.emit("person", "tried-before")
    assert mo.fetch(listener) is not None
    clock.advance(181)
    emu.emit("person", "new")
    assert [e["subject"] for e in mo.fetch_all(listener)] == ["new", "tried-before"]


def test_claim_hides_the_event_for_three_minutes(
    emu: Emulator, clock: FakeClock, mo: MO
) -> None:
    listener = mo.declare_listener("person")
    emu.emit("person", "p")
    assert mo.fetch(listener) is not None
    assert mo.fetch(listener) is None
    clock.advance(180)
    assert mo.fetch(listener) is None
    clock.advance(1)
    assert mo.fetch(listener) is not None


@pytest.mark.parametrize("fetches", [8, 10, 12])
def test_backoff_doubles_after_eight_fetches(
    emu: Emulator, clock: FakeClock, mo: MO, fetches: int
) -> None:
    """After n claims, the wait is max(180 s, 2^n s): 256 s after 8, 1024 s after 10."""
    listener = mo.declare_listener("person")
    emu.emit("person", "p")
    for _ in range(fetches - 1):
        assert mo.fetch(listener) is not None
        clock.advance(17 * 3600 + 1)
    assert mo.fetch(listener) is not None
    clock.advance(2**fetches)
    assert mo.fetch(listener) is None
    clock.advance(1)
    assert mo.fetch(listener) is not None


def test_backoff_is_capped_at_17_hours(emu: Emulator, clock: FakeClock, mo: MO) -> None:
    listener = mo.declare_listener("person")
    emu.emit("person", "p")
    for _ in range(40):
        assert mo.fetch(listener) is not None
        clock.advance(17 * 3600 + 1)
    assert mo.fetch(listener) is not None
    clock.advance(17 * 3600)
    assert mo.fetch(listener) is None
    clock.advance(1)
    assert mo.fetch(listener) is not None


def test_concurrent_fetchers_never_claim_the_same_event(
    emu: Emulator, connect: Callable[..., MO]
) -> None:
    # Without the claim race: a lost race's null would end a fetcher's drain early.
    emu.contention.enabled = False
    owner = connect()
    listener = owner.declare_listener("person")
    subjects = {f"s{i}" for i in range(60)}
    for subject in subjects:
        emu.emit("person", subject)
    fetchers = [connect(owner.client_id) for _ in range(6)]
    with ThreadPoolExecutor(len(fetchers)) as pool:
        claimed = list(pool.map(lambda mo: mo.fetch_all(listener), fetchers))
    everything = [event["subject"] for batch in claimed for event in batch]
    assert sorted(everything) == sorted(subjects)
