# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The fetchers' coordination (idle rota, wake-up, supervision, shutdown), against an
in-memory MO queue and a real FastAPI app delivered to in-process."""

import asyncio
from collections.abc import AsyncIterator
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from uuid import UUID
from uuid import uuid4

import pytest
from fastapi import FastAPI
from fastapi import Response
from prometheus_client import REGISTRY

import fastramqpi.events
import fastramqpi.events._acks
from fastramqpi._events_client import GraphQLClientGraphQLMultiError
from fastramqpi.events import Event
from fastramqpi.events import Listener
from fastramqpi.events._delivery import InProcess
from fastramqpi.events._fetcher import ListenerFetchers
from tests.waiting import until


@dataclass
class _Fetched:
    subject: str
    priority: int
    token: str


@dataclass
class _Result:
    event_fetch: _Fetched | None


@dataclass
class QueueMO:
    """MO's side for one listener: a queue, claims, acks; records what the fetchers did."""

    queue: list[str] = field(default_factory=list)
    acked: list[str] = field(default_factory=list)
    fetches: int = 0
    in_flight: int = 0
    max_in_flight_while_empty: int = 0
    stopped: bool = False
    fetches_after_stop: int = 0
    explode_on: str | None = None
    ack_delay: float = 0.0

    async def fetch_event(
        self, listener: UUID, on_sent: Callable[[], None] | None = None
    ) -> _Result:
        self.fetches += 1
        if on_sent is not None:
            on_sent()
        if self.stopped:
            self.fetches_after_stop += 1
        self.in_flight += 1
        try:
            await asyncio.sleep(0.005)
            if not self.queue:
                self.max_in_flight_while_empty = max(
                    self.max_in_flight_while_empty, self.in_flight
                )
                return _Result(None)
            subject = self.queue.pop(0)
            if subject == self.explode_on:
                self.explode_on = None
                return _Result(_Exploding(subject, 1, subject))  # type: ignore[arg-type]
            return _Result(_Fetched(subject, 10000, subject))
        finally:
            self.in_flight -= 1

    ack_requests: list[list[str]] = field(default_factory=list)
    ack_gate: asyncio.Event | None = None
    refused: str | None = None

    async def acknowledge_events(self, tokens: Sequence[str]) -> bool:
        self.ack_requests.append(list(tokens))
        await asyncio.sleep(self.ack_delay)
        if self.ack_gate is not None:
            await self.ack_gate.wait()
        if self.refused in tokens:
            raise GraphQLClientGraphQLMultiError.from_errors_dicts(
                [{"message": "Invalid token"}]
            )
        self.acked.extend(tokens)
        return True


class _Exploding:
    """An event whose token cannot be read: an unexpected bug inside a fetcher."""

    def __init__(self, subject: str, priority: int, token: str) -> None:
        self.subject = subject
        self.priority = priority

    @property
    def token(self) -> str:
        raise RuntimeError("boom")


@dataclass
class Handler:
    running: int = 0
    most_at_once: int = 0
    seen: list[str] = field(default_factory=list)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    started: asyncio.Event = field(default_factory=asyncio.Event)
    block: bool = False


def _app(handler: Handler) -> FastAPI:
    app = FastAPI()

    @app.post("/events")
    async def handle(event: Event[UUID]) -> Response:
        handler.running += 1
        handler.most_at_once = max(handler.most_at_once, handler.running)
        handler.started.set()
        try:
            if handler.block:
                await handler.release.wait()
            else:
                await asyncio.sleep(0.02)
            handler.seen.append(str(event.subject))
        finally:
            handler.running -= 1
        return Response(status_code=204)

    return app


@pytest.fixture(autouse=True)
def _quick_idle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fastramqpi.events, "NO_EVENT_SLEEP_DURATION", 0.05)


@pytest.fixture
def handler() -> Handler:
    return Handler()


@pytest.fixture
async def mo() -> QueueMO:
    return QueueMO()


async def _fetchers(
    mo: QueueMO, handler: Handler, parallelism: int, user_key: str
) -> ListenerFetchers:
    listener = Listener(
        namespace="mo",
        user_key=user_key,
        routing_key="person",
        path="/events",
        parallelism=parallelism,
    )
    return ListenerFetchers(
        listener,
        uuid4(),
        mo,
        InProcess(_app(handler), {}),
        idle_interval=lambda: fastramqpi.events.NO_EVENT_SLEEP_DURATION,
    )


@pytest.fixture
async def running(
    mo: QueueMO, handler: Handler, request: pytest.FixtureRequest
) -> AsyncIterator[ListenerFetchers]:
    fetchers = await _fetchers(mo, handler, 4, f"test-{request.node.name}")
    fetchers.start()
    yield fetchers
    await fetchers.stop(grace=1.0)


async def test_idle_fetchers_take_turns_polling(
    running: ListenerFetchers, mo: QueueMO
) -> None:
    await until(lambda: mo.fetches >= 20)
    # The first round has all four fetchers asking at once; after it, one asks at a time.
    first_round_done = mo.fetches
    mo.max_in_flight_while_empty = 0
    await until(lambda: mo.fetches >= first_round_done + 10)
    assert mo.max_in_flight_while_empty == 1


async def test_an_event_found_while_idle_wakes_every_fetcher(
    running: ListenerFetchers, mo: QueueMO, handler: Handler
) -> None:
    await until(lambda: mo.fetches >= 8)
    handler.block = True
    subjects = [str(uuid4()) for _ in range(4)]
    mo.queue.extend(subjects)
    await until(lambda: handler.running == 4)
    handler.release.set()
    await until(lambda: sorted(mo.acked) == sorted(subjects))
    assert handler.most_at_once == 4


async def test_one_event_at_a_time_with_the_next_claimed_while_it_is_handled(
    mo: QueueMO, handler: Handler
) -> None:
    """parallelism=1: MO's claim of the next event overlaps the handler, and that event
    waits for the handler to end."""
    fetchers = await _fetchers(mo, handler, 1, "spare-claim")
    handler.block = True
    subjects = [str(uuid4()) for _ in range(3)]
    mo.queue.extend(subjects)
    fetchers.start()
    try:
        await handler.started.wait()
        await until(lambda: mo.queue == subjects[2:])
        handler.release.set()
        await until(lambda: mo.acked == subjects)
    finally:
        await fetchers.stop(grace=1.0)

    assert handler.seen == subjects
    assert handler.most_at_once == 1


async def test_a_crashed_fetcher_is_restarted_and_counted(
    running: ListenerFetchers, mo: QueueMO
) -> None:
    labels = {"namespace": "mo", "listener": running.listener.user_key}
    before = (
        REGISTRY.get_sample_value("fastramqpi_events_fetcher_restarts_total", labels)
        or 0.0
    )
    bad, good = str(uuid4()), str(uuid4())
    mo.explode_on = bad
    mo.queue.extend([bad, good])
    await until(lambda: good in mo.acked)
    assert (
        REGISTRY.get_sample_value("fastramqpi_events_fetcher_restarts_total", labels)
        == before + 1
    )
    assert running.running
    assert bad not in mo.acked


@pytest.mark.parametrize("parallelism", [1, 2])
async def test_shutdown_fetches_nothing_more_and_acknowledges_deliveries_under_way(
    mo: QueueMO, handler: Handler, parallelism: int
) -> None:
    fetchers = await _fetchers(mo, handler, parallelism, f"shutdown-ack-{parallelism}")
    handler.block = True
    mo.ack_delay = 0.1
    subject = str(uuid4())
    mo.queue.append(subject)
    fetchers.start()
    await handler.started.wait()

    stopping = asyncio.create_task(fetchers.stop(grace=10.0))
    await asyncio.sleep(0.05)
    mo.stopped = True
    mo.queue.append(str(uuid4()))
    assert not stopping.done()
    handler.release.set()
    await stopping

    assert mo.acked == [subject]
    assert mo.fetches_after_stop == 0
    assert not fetchers.running


async def test_a_delivery_that_outlives_the_grace_is_cancelled_and_not_acknowledged(
    mo: QueueMO, handler: Handler
) -> None:
    fetchers = await _fetchers(mo, handler, 1, "shutdown-grace")
    handler.block = True
    mo.queue.append(str(uuid4()))
    fetchers.start()
    await handler.started.wait()
    await fetchers.stop(grace=0.05)
    assert mo.acked == []
    assert handler.seen == []


async def test_handled_events_are_acknowledged_in_batches_while_mo_is_slow(
    mo: QueueMO, handler: Handler
) -> None:
    """Tokens queue while an acknowledgement is under way and go to MO in one request."""
    fetchers = await _fetchers(mo, handler, 1, "batches")
    mo.ack_gate = asyncio.Event()
    subjects = [str(uuid4()) for _ in range(40)]
    mo.queue.extend(subjects)
    fetchers.start()
    try:
        # A fetch after the last event: its token is queued by then.
        await until(lambda: mo.fetches > len(subjects))
        mo.ack_gate.set()
        await until(lambda: len(mo.acked) == len(subjects))
    finally:
        await fetchers.stop(grace=1.0)

    assert sorted(mo.acked) == sorted(subjects)
    assert len(mo.ack_requests) <= 2
    assert max(len(tokens) for tokens in mo.ack_requests) > 1


async def test_a_full_batch_is_sent_without_waiting_and_shutdown_sends_the_rest(
    mo: QueueMO, handler: Handler, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch waits for more tokens only until 50 are queued, and at shutdown not at all:
    here it would otherwise wait an hour."""
    monkeypatch.setattr(fastramqpi.events._acks, "LINGER", 3600.0)
    fetchers = await _fetchers(mo, handler, 4, "full-batch")
    subjects = [str(uuid4()) for _ in range(120)]
    mo.queue.extend(subjects)
    fetchers.start()
    try:
        await until(lambda: len(handler.seen) == len(subjects) and len(mo.acked) >= 100)
        # The last 20 wait for 30 more, or for the hour.
        acked_before_stop = len(mo.acked)
    finally:
        await fetchers.stop(grace=10.0)

    assert acked_before_stop == 100
    assert sorted(mo.acked) == sorted(subjects)


async def test_a_token_mo_refuses_does_not_cost_the_rest_of_its_batch(
    mo: QueueMO, handler: Handler
) -> None:
    fetchers = await _fetchers(mo, handler, 1, "refused-in-batch")
    mo.ack_gate = asyncio.Event()
    first, refused, *rest = [str(uuid4()) for _ in range(6)]
    mo.refused = refused
    mo.queue.extend([first, refused, *rest])
    fetchers.start()
    try:
        await until(lambda: mo.fetches > 6)
        mo.ack_gate.set()
        await until(lambda: set(rest) <= set(mo.acked))
    finally:
        await fetchers.stop(grace=1.0)

    assert refused not in mo.acked
    assert sorted(mo.acked) == sorted([first, *rest])
    assert any(refused in tokens and len(tokens) > 1 for tokens in mo.ack_requests)
    assert any(tokens == [refused] for tokens in mo.ack_requests)
