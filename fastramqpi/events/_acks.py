# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""One listener's acknowledgements: a bounded queue, sent to MO in batches by one task, so a
fetcher fetches its next event while its last one is acknowledged, and a backlog costs MO one
acknowledging request per batch rather than per event."""

import asyncio
import contextlib
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Sequence
from typing import Any
from typing import Protocol

import structlog

from fastramqpi._events_client import GraphQLClientGraphQLMultiError
from fastramqpi.events._errors import FailureLog
from fastramqpi.events._errors import is_outage
from fastramqpi.events._metrics import ListenerMetrics
from fastramqpi.events._state import Effect
from fastramqpi.events._state import ListenerState

BATCH = 50
"""Most acknowledgements in one request; also how many may queue before fetchers wait."""

LINGER = 0.1
"""Seconds the first acknowledgement of a batch waits for more (less, once a batch is
queued): at 300 events a second that is 30 a request, and an event handled alone is
acknowledged 0.1 s later, far inside the minutes MO waits before it offers a fetched event
again."""


class AcknowledgeAPI(Protocol):
    async def acknowledge_events(self, tokens: Sequence[str]) -> object: ...


_Ack = tuple[str, dict[str, str]]
"""A handled event's token, and its context for log lines."""


class Acknowledgements:
    """The queue of handled events' tokens and the task acknowledging them in MO."""

    def __init__(
        self,
        mo: AcknowledgeAPI,
        mo_calls: asyncio.Semaphore,
        state: ListenerState[Any],
        *,
        metrics: ListenerMetrics,
        log: structlog.stdlib.BoundLogger,
        clock: Callable[[], float],
        carry_out: Callable[[tuple[Effect[Any], ...]], Awaitable[None]],
    ) -> None:
        self._mo = mo
        self._mo_calls = mo_calls
        self._state = state
        self._metrics = metrics
        self._log = log
        self._clock = clock
        self._carry_out = carry_out
        self._failures = FailureLog("acknowledge")
        self._queue: asyncio.Queue[_Ack] = asyncio.Queue(maxsize=BATCH)
        self._batch_queued = asyncio.Event()
        self._sending = 0
        self.tasks: list[asyncio.Task[None]] = []

    @property
    def left(self) -> int:
        """Acknowledgements queued or under way."""
        return self._sending + self._queue.qsize()

    def start(self, name: str) -> None:
        self.tasks = [asyncio.create_task(self._acknowledge_all(), name=f"{name}:ack")]

    async def put(self, token: str, context: dict[str, str]) -> None:
        await self._queue.put((token, context))
        if self._queue.full():
            self._batch_queued.set()

    async def join(self) -> None:
        """Every queued acknowledgement sent: the batch being gathered goes at once."""
        self._batch_queued.set()
        await self._queue.join()

    async def _acknowledge_all(self) -> None:
        """The listener's one acknowledgement path: its queue, in order, a batch at a time."""
        while True:
            batch = [await self._queue.get()]
            if not self._state.stopping:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(LINGER):
                        await self._batch_queued.wait()
            self._batch_queued.clear()
            while len(batch) < BATCH and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            self._sending = len(batch)
            try:
                await self._acknowledge(batch)
            finally:
                self._sending = 0
                for _ in batch:
                    self._queue.task_done()

    async def _acknowledge(self, batch: list[_Ack]) -> None:
        """Send one batch. While MO is unreachable it waits, counted in
        ``fastramqpi_events_acknowledgements_waiting``, and the listener fetches nothing."""
        tokens = [token for token, _ in batch]
        context: dict[str, object] = dict(batch[0][1])
        if len(batch) > 1:
            context = {"subjects": [ack.get("subject") for _, ack in batch]}
        kept = False
        try:
            attempt = 0
            while True:
                attempt += 1
                try:
                    async with self._mo_calls:
                        await self._mo.acknowledge_events(tokens)
                except Exception as error:
                    self._metrics.failed("acknowledge").inc()
                    if len(batch) > 1 and isinstance(
                        error, GraphQLClientGraphQLMultiError
                    ):
                        # One token MO refuses fails the batch: each on its own finds it.
                        for ack in batch:
                            await self._acknowledge([ack])
                        return
                    outage = is_outage(error)
                    if outage and not kept:
                        kept = True
                        self._state.ack_kept()
                        self._metrics.acks_waiting.inc(len(batch))
                    retry = self._state.ack_failed(attempt, self._clock(), outage)
                    if retry is None:
                        self._failures.failed(
                            self._log,
                            "Acknowledging a handled event failed; MO will offer it again",
                            error,
                            **context,
                        )
                        return
                    if attempt == 1 and outage:
                        self._failures.failed(
                            self._log,
                            "Acknowledging a handled event failed; kept until MO answers",
                            error,
                            **context,
                        )
                    await asyncio.sleep(max(retry.until - self._clock(), 0.0))
                else:
                    self._metrics.acknowledged.inc(len(batch))
                    return
        finally:
            if kept:
                self._metrics.acks_waiting.dec(len(batch))
                await self._carry_out(self._state.ack_done(kept))
