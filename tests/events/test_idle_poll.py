# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The integration's one idle poll, against the emulator: idle listeners are not fetched, a
listed event wakes only its listener, events in MO's retry wait are not fetched at every poll,
and without MO's read_event role every listener polls on its own; and, without the emulator,
how soon it lists again after a failed listing."""

import time
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest
from fastapi import APIRouter
from fastapi import Response

import fastramqpi.events
from fastramqpi.emulator import Emulator
from fastramqpi.emulator import FakeClock
from fastramqpi.emulator import serve_emulator
from fastramqpi.events import Event
from fastramqpi.events import Listener
from fastramqpi.events import _idle_poll
from fastramqpi.events._idle_poll import next_listing_in
from fastramqpi.events._recheck import RECHECK_PERIODS
from fastramqpi.events._retry import FETCH_RETRY_CAP
from tests.events.conftest import Logs
from tests.events.conftest import integration
from tests.events.conftest import pending_subjects
from tests.events.conftest import running
from tests.events.conftest import unique
from tests.events.test_through_mo import mo_calls
from tests.waiting import until

ROLES_BUT_READ_EVENT = [
    "fetch_event",
    "acknowledge_event",
    "create_event_namespace",
    "create_event_listener",
]

REFUSED = (
    "MO refused to list pending events, which needs its read_event role; "
    "each listener polls MO on its own instead"
)


def listeners(count: int, routing_key: str = "person") -> list[Listener]:
    keys = [unique(f"l{i}") for i in range(count)]
    return [Listener("mo", k, routing_key, f"/events/{k}", parallelism=2) for k in keys]


def handled_router(declared: list[Listener], handled: list[list[str]]) -> APIRouter:
    router = APIRouter()

    def handler(seen: list[str]) -> Any:
        async def handle(event: Event[UUID]) -> None:
            seen.append(str(event.subject))

        return handle

    for listener in declared:
        handled.append([])
        router.add_api_route(listener.path, handler(handled[-1]), methods=["POST"])
    return router


async def test_idle_listeners_are_listed_together_not_fetched(emu: Emulator) -> None:
    declared = listeners(3)
    with (
        mo_calls(emu, declared[0].user_key) as first,
        mo_calls(emu, declared[2].user_key) as last,
    ):
        async with running(integration(emu, APIRouter(), declared)):
            await until(lambda: first()[0] >= 1)
            _, fetched = first()
            listed = last()[0]
            await until(lambda: last()[0] >= listed + 10)
    # One listing names every idle listener; none is fetched at each poll.
    assert first()[1] == fetched
    assert last()[1] <= fetched + 2


async def test_a_listed_event_is_fetched_by_its_listener_only(emu: Emulator) -> None:
    [quiet_listener] = listeners(1, routing_key="org_unit")
    [busy_listener] = listeners(1)
    declared = [quiet_listener, busy_listener]
    handled: list[list[str]] = []
    with (
        mo_calls(emu, quiet_listener.user_key) as quiet,
        mo_calls(emu, busy_listener.user_key) as busy,
    ):
        async with running(
            integration(emu, handled_router(declared, handled), declared)
        ):
            await until(lambda: quiet()[0] >= 1 and busy()[0] >= 1)
            quiet_fetches, busy_fetches = quiet()[1], busy()[1]
            emu.emit("person", "11111111-1111-1111-1111-111111111111")
            await until(lambda: bool(handled[1]))
            listed = quiet()[0]
            await until(lambda: quiet()[0] >= listed + 2)
    assert quiet()[1] == quiet_fetches
    assert busy()[1] > busy_fetches
    assert handled == [[], ["11111111-1111-1111-1111-111111111111"]]


async def test_an_event_in_mos_retry_wait_is_not_fetched_at_every_poll(
    emu: Emulator,
) -> None:
    """MO's listing shows it pending; its fetch answers null until the retry wait ends (the
    emulator's clock does not move here, so it never does)."""
    [listener] = listeners(1)
    failing = "22222222-2222-2222-2222-222222222222"
    later = "33333333-3333-3333-3333-333333333333"
    answered: list[str] = []
    router = APIRouter()

    @router.post(listener.path)
    async def handle(event: Event[UUID]) -> Response:
        answered.append(str(event.subject))
        return Response(status_code=500 if str(event.subject) == failing else 204)

    with mo_calls(emu, listener.user_key) as calls:
        async with running(integration(emu, router, [listener])):
            emu.emit("person", failing)
            await until(lambda: failing in answered)
            await until(lambda: calls()[0] >= 2)
            listed, fetched = calls()
            started = time.monotonic()
            await until(lambda: calls()[0] >= listed + 10)
            elapsed = time.monotonic() - started
            listings, fetches = calls()[0] - listed, calls()[1] - fetched

            # A new event beside it is fetched at the next poll.
            emu.emit("person", later)
            await until(lambda: later in answered)
    recheck = RECHECK_PERIODS * fastramqpi.events.NO_EVENT_SLEEP_DURATION
    assert fetches <= 1 + elapsed / recheck, (listings, fetches)
    assert answered.count(failing) == 1
    assert pending_subjects(emu) == {failing}


async def test_a_subject_sent_again_while_in_the_retry_wait_is_delivered_at_the_recheck(
    emu: Emulator,
) -> None:
    """The listing cannot tell it from the waiting one it replaced: it waits for the recheck."""
    [listener] = listeners(1)
    subject = "44444444-4444-4444-4444-444444444444"
    answers: list[int] = []
    router = APIRouter()

    @router.post(listener.path)
    async def handle(event: Event[UUID]) -> Response:
        answers.append(500 if not answers else 204)
        return Response(status_code=answers[-1])

    async with running(integration(emu, router, [listener])):
        emu.emit("person", subject)
        await until(lambda: answers == [500])
        emu.emit("person", subject)
        await until(lambda: not pending_subjects(emu))
    assert answers == [500, 204]


@pytest.fixture
def emu_without_read_event() -> Iterator[Emulator]:
    emulator = Emulator(clock=FakeClock(), roles={"x": ROLES_BUT_READ_EVENT})
    with serve_emulator(emulator) as served:
        yield served


async def test_without_the_read_event_role_each_listener_polls_on_its_own(
    emu_without_read_event: Emulator, logs: Logs
) -> None:
    emu = emu_without_read_event
    declared = listeners(2)
    handled: list[list[str]] = []
    with mo_calls(emu, declared[1].user_key) as calls:
        async with running(
            integration(emu, handled_router(declared, handled), declared)
        ):
            await until(lambda: bool(logs(REFUSED)))
            fetched = calls()[1]
            await until(lambda: calls()[1] >= fetched + 3)
            emu.emit("person", "55555555-5555-5555-5555-555555555555")
            await until(lambda: all(h for h in handled))
    [refusal] = logs(REFUSED)
    assert refusal["role"] == "read_event"


async def test_an_event_hidden_by_a_backlog_beyond_the_page_is_fetched_at_the_recheck(
    emu: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The listing's page holds only events in MO's retry wait; the new one is off it."""
    monkeypatch.setattr(_idle_poll, "LISTING_PAGE", 2)
    [waiting_listener] = listeners(1)
    [hidden_listener] = listeners(1, routing_key="org_unit")
    declared = [waiting_listener, hidden_listener]
    failing = [f"6666666{i}-6666-6666-6666-666666666666" for i in range(2)]
    hidden = "77777777-7777-7777-7777-777777777777"
    answered: list[str] = []
    router = APIRouter()

    def handler(status: int) -> Any:
        async def handle(event: Event[UUID]) -> Response:
            answered.append(str(event.subject))
            return Response(status_code=status)

        return handle

    router.add_api_route(waiting_listener.path, handler(500), methods=["POST"])
    router.add_api_route(hidden_listener.path, handler(204), methods=["POST"])
    with mo_calls(emu, waiting_listener.user_key) as calls:
        async with running(integration(emu, router, declared)):
            for subject in failing:
                emu.emit("person", subject)
            await until(lambda: set(failing) <= set(answered))
            await until(lambda: calls()[0] >= 2)
            listed, fetched = calls()
            started = time.monotonic()
            emu.emit("org_unit", hidden)
            await until(lambda: hidden in answered)
            await until(lambda: calls()[0] >= listed + 10)
            elapsed = time.monotonic() - started
            fetches = calls()[1] - fetched
    recheck = RECHECK_PERIODS * fastramqpi.events.NO_EVENT_SLEEP_DURATION
    assert fetches <= 1 + elapsed / recheck
    assert pending_subjects(emu) == set(failing)


def test_a_failed_listing_is_tried_again_within_a_second_whatever_the_idle_interval() -> (
    None
):
    """Events that came while MO was away reach its idle listeners within a second of its
    return, not an idle interval later."""
    ceiling = 1.0  # the rng's largest draw: each wait at its longest
    waits = [next_listing_in(n, 3600.0, lambda: ceiling) for n in range(5)]
    assert waits == [3600.0, 0.5, FETCH_RETRY_CAP, FETCH_RETRY_CAP, FETCH_RETRY_CAP]
    assert FETCH_RETRY_CAP <= 1.0
    assert next_listing_in(3, 0.05, lambda: ceiling) == 0.05
