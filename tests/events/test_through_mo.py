# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Events from the MO emulator to an integration served by real uvicorn, and back as acks."""

import asyncio
import random
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import asynccontextmanager
from contextlib import contextmanager
from typing import Any
from uuid import UUID
from uuid import uuid4

import structlog
from fastapi import APIRouter
from fastapi import Response
from pydantic import BaseModel
from pydantic import Json

from fastramqpi.emulator import Emulator
from fastramqpi.events import Event
from fastramqpi.events import GraphQLEvents
from fastramqpi.events import Listener
from fastramqpi.events import Namespace
from fastramqpi.main import FastRAMQPI
from tests.events.conftest import Logs
from tests.events.conftest import integration
from tests.events.conftest import metric
from tests.events.conftest import pending_subjects
from tests.events.conftest import quick_retry
from tests.events.conftest import running
from tests.events.conftest import settings
from tests.events.conftest import unique
from tests.waiting import until

logger = structlog.stdlib.get_logger()

FAILED = "Event handler failed; event left in MO"


def person_listener(parallelism: int = 1) -> Listener:
    return Listener(
        namespace="mo",
        user_key=unique("person"),
        routing_key="person",
        path="/events/person",
        parallelism=parallelism,
    )


@contextmanager
def mo_calls(emu: Emulator, user_key: str) -> Iterator[Callable[[], tuple[int, int]]]:
    """Count MO's answers naming the listener ``user_key``: (listings of pending events that
    ask about it, fetches from it)."""
    store = emu.store
    events, fetch = store.events, store.fetch
    counts = [0, 0]

    def named(uuid: UUID) -> bool:
        listener = store.listener(uuid)
        return listener is not None and listener.user_key == user_key

    def counted_events(where: Any, *args: Any, **kwargs: Any) -> Any:
        if where.listeners is not None and any(
            named(u) for u in where.listeners.uuids or ()
        ):
            counts[0] += 1
        return events(where, *args, **kwargs)

    def counted_fetch(owner: UUID, listener: UUID) -> Any:
        if named(listener):
            counts[1] += 1
        return fetch(owner, listener)

    store.events, store.fetch = counted_events, counted_fetch  # type: ignore[method-assign]
    try:
        yield lambda: (counts[0], counts[1])
    finally:
        store.events, store.fetch = events, fetch  # type: ignore[method-assign]


@asynccontextmanager
async def idle_witness(emu: Emulator) -> AsyncIterator[Callable[[], float]]:
    """Another integration on the same MO and event loop, with nothing to fetch: its idle polls,
    counted, measure time in what a claim that nothing happened depends on (the loop's turns
    on a loaded loop), not in seconds."""
    listener = Listener("mo", unique("witness"), "org_unit", "/events/org_unit")
    with mo_calls(emu, listener.user_key) as calls:
        async with running(integration(emu, APIRouter(), [listener])):
            yield lambda: sum(calls())


async def test_every_event_is_handled_and_only_2xx_is_acknowledged(
    emu: Emulator,
) -> None:
    """At-least-once with a handler failing 10% of the time, and one subject that always fails."""
    answers: dict[str, list[int]] = defaultdict(list)
    flaky = random.Random(5)
    poison = str(uuid4())
    router = APIRouter()

    @router.post("/events/person")
    async def handle(event: Event[UUID]) -> Response:
        subject = str(event.subject)
        status = 500 if subject == poison or flaky.random() < 0.1 else 204
        answers[subject].append(status)
        return Response(status_code=status)

    subjects = [str(uuid4()) for _ in range(60)]
    async with (
        running(integration(emu, router, [person_listener(4)])),
        quick_retry(emu),
    ):
        for subject in [*subjects, poison]:
            emu.emit("person", subject)
        await until(
            lambda: pending_subjects(emu) == {poison} and len(answers[poison]) >= 3
        )

    assert all(204 in answers[s] for s in subjects)
    assert any(500 in answers[s] for s in subjects), (
        "the handler never failed: nothing was tested"
    )
    assert set(answers[poison]) == {500}
    assert pending_subjects(emu) == {poison}


async def test_four_fetchers_drain_a_listener_on_an_mo_where_every_raced_claim_loses(
    emu: Emulator,
) -> None:
    """MO answers null to every claim that raced another: the listener still drains, and a
    fetcher claims at most twice between two events found (then it waits for one)."""
    emu.contention.one_rival_loss = emu.contention.many_rivals_loss = 1.0
    emu.contention.claim_seconds = 0.005
    handled: list[str] = []
    router = APIRouter()

    @router.post("/events/person")
    async def handle(event: Event[UUID]) -> None:
        handled.append(str(event.subject))

    listener = person_listener(4)
    subjects = {str(uuid4()) for _ in range(50)}
    with mo_calls(emu, listener.user_key) as calls:
        async with running(integration(emu, router, [listener])):
            for subject in subjects:
                emu.emit("person", subject)
            await until(lambda: not pending_subjects(emu))
        _, answered = calls()

    assert set(handled) == subjects
    assert emu.contention.lost > 0, "no claim raced another: nothing was tested"
    claims = answered + emu.contention.lost
    assert claims <= 2 * listener.parallelism * len(subjects)


async def test_an_mo_outage_mid_stream_is_ridden_out(emu: Emulator) -> None:
    handled: dict[str, int] = defaultdict(int)
    listener = person_listener(2)
    router = APIRouter()

    @router.post("/events/person")
    async def handle(event: Event[UUID]) -> None:
        handled[str(event.subject)] += 1
        if sum(handled.values()) == 10:
            # MO goes away for a while: refused requests, then dropped connections.
            emu.faults.fail_next(8, status=503)
            emu.faults.drop_next(4)

    subjects = [str(uuid4()) for _ in range(40)]
    fetch_failures = metric("fastramqpi_events_failed_total", listener, stage="fetch")
    fastramqpi = integration(emu, router, [listener])
    async with running(fastramqpi), quick_retry(emu, every=0.5):
        for subject in subjects:
            emu.emit("person", subject)
        await until(lambda: not emu.pending())
        assert fastramqpi.get_context()["graphql_events"].is_ready()

    assert set(handled) == set(subjects)
    assert (
        metric("fastramqpi_events_failed_total", listener, stage="fetch")
        > fetch_failures
    )


async def test_an_mo_outage_redelivers_no_handled_event(emu: Emulator) -> None:
    """Acknowledgements MO could not take wait for it, rather than leaving handled events to
    be delivered again minutes later."""
    handled: dict[str, int] = defaultdict(int)
    listener = person_listener(2)
    router = APIRouter()

    @router.post("/events/person")
    async def handle(event: Event[UUID]) -> None:
        handled[str(event.subject)] += 1
        if sum(handled.values()) == 10:
            emu.faults.fail_next(12, status=503)

    def ack_failures() -> float:
        return metric("fastramqpi_events_failed_total", listener, stage="acknowledge")

    subjects = [str(uuid4()) for _ in range(30)]
    failures = ack_failures()
    async with running(integration(emu, router, [listener])):
        for subject in subjects:
            emu.emit("person", subject)
        # No quick retry: an event left to MO would come back only after minutes.
        await until(lambda: not emu.pending())

    assert ack_failures() > failures, "no acknowledgement failed: nothing was tested"
    assert dict(handled) == dict.fromkeys(subjects, 1)
    assert metric("fastramqpi_events_acknowledgements_waiting", listener) == 0


async def test_no_event_is_fetched_while_a_gating_check_fails(emu: Emulator) -> None:
    listener = person_listener(2)
    subject = str(uuid4())
    handled: list[str] = []
    up = [False]
    router = APIRouter()

    @router.post("/events/person")
    async def handle(event: Event[UUID]) -> None:
        handled.append(str(event.subject))

    async def ldap_is_up(context: Any) -> bool:
        return up[0]

    fastramqpi = integration(emu, router, [listener], dependency_check_interval=0.01)
    fastramqpi.add_healthcheck("LDAP", ldap_is_up, gates_events=True)
    async with idle_witness(emu) as polls, running(fastramqpi):
        emu.emit("person", subject)
        polled = polls()
        await until(lambda: polls() >= polled + 3)
        assert metric("fastramqpi_events_fetched_total", listener) == 0
        assert handled == []

        up[0] = True
        await until(lambda: not emu.pending())

    assert handled == [subject]


async def test_retry_after_pauses_every_fetcher_of_the_listener(emu: Emulator) -> None:
    listener = person_listener(3)
    first = str(uuid4())
    others = [str(uuid4()) for _ in range(5)]
    started: dict[str, float] = {}
    answered_503_at: list[float] = []
    router = APIRouter()

    @router.post("/events/person")
    async def handle(event: Event[UUID]) -> Response:
        subject = str(event.subject)
        started.setdefault(subject, time.monotonic())
        if subject == first and not answered_503_at:
            answered_503_at.append(time.monotonic())
            return Response(status_code=429, headers={"Retry-After": "1"})
        return Response(status_code=204)

    def pauses() -> float:
        return metric("fastramqpi_events_retry_after_pauses_total", listener)

    before = pauses()
    async with (
        idle_witness(emu) as polls,
        running(integration(emu, router, [listener])),
    ):
        emu.emit("person", first)
        await until(lambda: pauses() == before + 1)
        # Fetches already under way come back empty while another listener, asked after them,
        # answers twice; then MO gets work for every fetcher.
        polled = polls()
        await until(lambda: polls() >= polled + 2)
        for other in others:
            emu.emit("person", other)
        await until(
            lambda: pending_subjects(emu) == {first} and set(others) <= set(started)
        )

    # Three fetchers polling every 50 ms would have taken the others within 0.3 s.
    assert min(started[s] for s in others) >= answered_503_at[0] + 1.0
    assert pauses() == before + 1
    assert pending_subjects(emu) == {first}


async def test_a_503_with_retry_after_is_redelivered_and_acknowledged(
    emu: Emulator,
) -> None:
    """A dependency away for a moment: the event is held, not left to MO's wait of minutes."""
    listener = person_listener()
    subject = str(uuid4())
    answers: list[int] = []
    router = APIRouter()

    @router.post("/events/person")
    async def handle(event: Event[UUID]) -> Response:
        status = 503 if len(answers) < 2 else 204
        answers.append(status)
        return Response(status_code=status, headers={"Retry-After": "0"})

    acked = metric("fastramqpi_events_acknowledged_total", listener)
    async with running(integration(emu, router, [listener])):
        emu.emit("person", subject)
        await until(
            lambda: metric("fastramqpi_events_acknowledged_total", listener) > acked
        )
        assert not emu.pending()

    assert answers == [503, 503, 204]
    assert metric("fastramqpi_events_fetched_total", listener) == 1


async def test_a_held_event_is_left_to_mo_after_the_redeliveries_allowed(
    emu: Emulator,
) -> None:
    listener = person_listener()
    subject = str(uuid4())
    answers: list[str] = []
    router = APIRouter()

    @router.post("/events/person")
    async def handle(event: Event[UUID]) -> Response:
        answers.append(str(event.subject))
        return Response(status_code=503, headers={"Retry-After": "0"})

    def left_in_mo() -> float:
        return metric("fastramqpi_events_failed_total", listener, stage="deliver")

    async with running(integration(emu, router, [listener], event_redeliveries=2)):
        emu.emit("person", subject)
        await until(lambda: left_in_mo() == 1)

    assert answers == [subject] * 3
    assert pending_subjects(emu) == {subject}


async def test_a_malformed_subject_is_a_422_left_in_mo_without_a_hot_loop(
    emu: Emulator, logs: Logs
) -> None:
    listener = person_listener(2)
    good = str(uuid4())
    handled: list[str] = []
    router = APIRouter()

    @router.post("/events/person")
    async def handle(event: Event[UUID]) -> None:
        handled.append(str(event.subject))

    def failures() -> list[dict[str, Any]]:
        return logs(FAILED)

    fetches = lambda: metric("fastramqpi_events_fetch_duration_seconds_count", listener)  # noqa: E731
    async with running(integration(emu, router, [listener])):
        emu.emit("person", "not-a-uuid")
        emu.emit("person", good)
        await until(
            lambda: (
                set(handled) == {good} and not pending_subjects(emu) - {"not-a-uuid"}
            )
        )
        await until(lambda: len(failures()) >= 1)
        # Plenty of polls later, the bad event has still been tried only once.
        polled = fetches()
        await until(lambda: fetches() >= polled + 10)
        assert len(failures()) == 1
        assert pending_subjects(emu) == {"not-a-uuid"}

        # MO offers it again once its retry time has come; it fails once more, and only once.
        emu.clock.advance(181)  # type: ignore[attr-defined]
        await until(lambda: len(failures()) >= 2)
        polled = fetches()
        await until(lambda: fetches() >= polled + 10)
        assert len(failures()) == 2

    [line, _] = failures()
    assert line["status"] == 422
    assert line["subject"] == "not-a-uuid"
    assert line["listener"] == listener.user_key
    assert "uuid" in str(line["body"])
    assert len(str(line["body"])) <= 500
    assert pending_subjects(emu) == {"not-a-uuid"}


async def test_shutdown_finishes_deliveries_under_way_and_fetches_nothing_more(
    emu: Emulator,
) -> None:
    listener = person_listener(2)
    entered = asyncio.Event()
    release = asyncio.Event()
    stop = asyncio.Event()
    finished: list[str] = []
    router = APIRouter()

    @router.post("/events/person")
    async def handle(event: Event[UUID]) -> None:
        entered.set()
        await release.wait()
        finished.append(str(event.subject))

    fastramqpi = integration(emu, router, [listener])
    system = fastramqpi.get_context()["graphql_events"]

    async def run() -> None:
        async with running(fastramqpi):
            await stop.wait()

    in_flight, later = str(uuid4()), str(uuid4())
    async with idle_witness(emu) as polls:
        server = asyncio.create_task(run())
        await until(system.is_ready)
        emu.emit("person", in_flight)
        await entered.wait()

        stop.set()
        await until(lambda: system.reason == "stopped")
        fetches = metric("fastramqpi_events_fetch_duration_seconds_count", listener)
        emu.emit("person", later)
        # Several idle polls of another listener: a fetcher still running would have taken it.
        polled = polls()
        await until(lambda: polls() >= polled + 5)
        release.set()
        await server

    assert set(finished) == {in_flight}
    assert pending_subjects(emu) == {later}
    assert metric("fastramqpi_events_fetch_duration_seconds_count", listener) == fetches


async def test_each_delivery_has_its_own_request_id_in_the_handlers_logs(
    emu: Emulator, logs: Logs
) -> None:
    failing = str(uuid4())
    subjects = [str(uuid4()) for _ in range(3)]
    router = APIRouter()

    @router.post("/events/person")
    async def handle(event: Event[UUID]) -> Response:
        logger.info("Handling event", subject=str(event.subject))
        return Response(status_code=500 if str(event.subject) == failing else 204)

    async with running(integration(emu, router, [person_listener()])):
        for subject in [*subjects, failing]:
            emu.emit("person", subject)
        await until(
            lambda: pending_subjects(emu) == {failing} and len(logs(FAILED)) == 1
        )

    handling = {line["subject"]: line for line in logs("Handling event")}
    assert set(handling) == {*subjects, failing}
    ids = {line["request_id"] for line in handling.values()}
    assert len(ids) == 4
    assert all(str(UUID(i)) == i for i in ids)
    [failure] = logs(FAILED)
    assert failure["request_id"] == handling[failing]["request_id"]


async def test_each_handled_event_has_a_debug_line_when_debug_is_on(
    emu: Emulator, logs: Logs
) -> None:
    failing = str(uuid4())
    subjects = [str(uuid4()) for _ in range(2)]
    router = APIRouter()

    @router.post("/events/person")
    async def handle(event: Event[UUID]) -> Response:
        logger.info("Handling event", subject=str(event.subject))
        return Response(status_code=500 if str(event.subject) == failing else 204)

    listener = person_listener()
    app = integration(emu, router, [listener], log_level="DEBUG")
    async with running(app):
        for subject in [*subjects, failing]:
            emu.emit("person", subject)
        await until(lambda: len(logs("Event handled")) >= 3)

    handled = {line["subject"]: line for line in logs("Event handled")}
    handling = {line["subject"]: line for line in logs("Handling event")}
    assert set(handled) == {*subjects, failing}
    for subject, line in handled.items():
        assert line["level"] == "debug"
        assert line["listener"] == listener.user_key
        assert line["status"] == (500 if subject == failing else 204)
        assert line["duration"] >= 0
        assert line["request_id"] == handling[subject]["request_id"]


async def test_no_debug_line_per_event_at_info(emu: Emulator, logs: Logs) -> None:
    router = APIRouter()

    @router.post("/events/person")
    async def handle(event: Event[UUID]) -> None:
        logger.info("Handling event", subject=str(event.subject))

    async with running(integration(emu, router, [person_listener()])):
        emu.emit("person", str(uuid4()))
        await until(lambda: not emu.pending() and len(logs("Handling event")) == 1)

    assert logs("Event handled") == []


class Move(BaseModel):
    person: UUID
    to: str


async def test_an_integration_sends_itself_json_events_in_its_own_namespace(
    emu: Emulator,
) -> None:
    moves: list[Move] = []
    router = APIRouter()

    @router.post("/events/move")
    async def handle(event: Event[Json[Move]]) -> None:
        moves.append(event.subject)

    fastramqpi = FastRAMQPI(
        application_name="events-test",
        settings=settings(emu),
        graphql_version=25,
        graphql_events=GraphQLEvents(
            declare_namespaces=[Namespace("relocations")],
            declare_listeners=[
                Listener("relocations", unique("moves"), "move", "/events/move")
            ],
        ),
    )
    fastramqpi.get_app().include_router(router)
    move = Move(person=uuid4(), to="Aarhus")
    async with running(fastramqpi):
        emu.emit("move", move.model_dump_json(), namespace="relocations")
        await until(lambda: move in moves and not emu.pending())
    assert all(m == move for m in moves)  # at least once, and nothing else
