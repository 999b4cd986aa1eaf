# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""One listener's acknowledgements: one bounded queue whatever the parallelism, drained by as
many acknowledgers as there are fetchers, so a fetcher fetches its next event while its last
one is acknowledged."""

import asyncio
from collections.abc import Awaitable
from collections.abc import Callable
from typing import Any
from typing import Protocol

import structlog

from fastramqpi.events._errors import FailureLog
from fastramqpi.events._errors import is_outage
from fastramqpi.events._metrics import ListenerMetrics
from fastramqpi.events._state import Effect
from fastramqpi.events._state import ListenerState


class AcknowledgeAPI(Protocol):
    async def acknowledge_event(self, token: str) -> object: ...


class Acknowledgements:
    """The queue of handled events' tokens and the tasks acknowledging them in MO."""

    def __init__(
        self,
        size: int,
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
        self._queue: asyncio.Queue[tuple[str, dict[str, str]]] = asyncio.Queue(
            maxsize=size
        )
        self._acking = 0
        self.tasks: list[asyncio.Task[None]] = []

    @property
    def left(self) -> int:
        """Acknowledgements queued or under way."""
        return self._acking + self._queue.qsize()

    def start(self, name: str, count: int) -> None:
        self.tasks = [
            asyncio.create_task(self._acknowledge_all(), name=f"{name}:ack:{slot}")
            for slot in range(count)
        ]

    async def put(self, token: str, context: dict[str, str]) -> None:
        await self._queue.put((token, context))

    async def join(self) -> None:
        await self._queue.join()

    async def _acknowledge_all(self) -> None:
        """The listener's one acknowledgement path: its queue, in order."""
        while True:
            token, context = await self._queue.get()
            self._acking += 1
            try:
                await self._acknowledge(token, context)
            finally:
                self._acking -= 1
                self._queue.task_done()

    async def _acknowledge(self, token: str, context: dict[str, str]) -> None:
        """Send one acknowledgement. While MO is unreachable it waits, counted in
        ``fastramqpi_events_acknowledgements_waiting``, and the listener fetches nothing."""
        kept = False
        try:
            attempt = 0
            while True:
                attempt += 1
                try:
                    async with self._mo_calls:
                        await self._mo.acknowledge_event(token)
                except Exception as error:
                    self._metrics.failed("acknowledge").inc()
                    outage = is_outage(error)
                    if outage and not kept:
                        kept = True
                        self._state.ack_kept()
                        self._metrics.acks_waiting.inc()
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
                    self._metrics.acknowledged.inc()
                    return
        finally:
            if kept:
                self._metrics.acks_waiting.dec()
                await self._carry_out(self._state.ack_done(kept))
