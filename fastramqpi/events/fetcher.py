# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""One listener's fetchers: fetch an event, deliver it, acknowledge it on 2xx; again.

The ``parallelism`` fetchers of a listener share a pause (``Retry-After``) and an idle rota: when
MO has nothing, one of them polls every ``NO_EVENT_SLEEP_DURATION`` seconds and the others
sleep until it finds something. Each fetcher is supervised, so an unexpected error costs a
restart, never a dead listener. Every decision comes from :mod:`fastramqpi.events.decisions`.
"""

import asyncio
import random
import time
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from typing import Protocol
from uuid import UUID

import structlog

from fastramqpi.events import decisions
from fastramqpi.events import metrics
from fastramqpi.events.delivery import Handlers
from fastramqpi.events.models import Listener
from fastramqpi.events.poison import PoisonEvents

logger = structlog.stdlib.get_logger(__name__)

ACK_ATTEMPTS = 3
"""Tries to acknowledge a handled event; if all fail, MO offers it again later (at-least-once)."""


class _FetchedEvent(Protocol):
    @property
    def subject(self) -> str: ...
    @property
    def priority(self) -> int: ...
    @property
    def token(self) -> str: ...


class _FetchResult(Protocol):
    @property
    def event_fetch(self) -> _FetchedEvent | None: ...


class EventsAPI(Protocol):
    """The MO calls a fetcher makes (the generated events client has them)."""

    async def fetch_event(self, listener: UUID) -> _FetchResult: ...
    async def acknowledge_event(self, token: str) -> object: ...
    async def silence_events(
        self, listeners: list[UUID], subjects: list[str]
    ) -> object: ...


def _idle_sleep() -> float:
    """Read at every idle wait, so patching ``fastramqpi.events.NO_EVENT_SLEEP_DURATION`` works."""
    from fastramqpi import events

    return float(events.NO_EVENT_SLEEP_DURATION)


def describe(error: BaseException) -> str:
    """A one-line description of an expected error, for logs without a traceback."""
    text = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


class ListenerFetchers:
    """The supervised fetcher tasks of one declared listener."""

    def __init__(
        self,
        listener: Listener,
        uuid: UUID,
        mo: EventsAPI,
        handlers: Handlers,
        *,
        rng: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.listener = listener
        self.uuid = uuid
        self._mo = mo
        self._handlers = handlers
        self._rng = rng
        self._clock = clock
        self._metrics = metrics.ListenerMetrics(listener.namespace, listener.user_key)
        self._log = logger.bind(
            listener=listener.user_key, namespace=listener.namespace
        )
        self._tasks: list[asyncio.Task[None]] = []
        self._busy: set[int] = set()
        self._ack: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._wake = asyncio.Event()
        self._poller: int | None = None
        self._paused_until = 0.0
        self._failing_since: float | None = None
        self._poison = (
            None
            if listener.silence_after is None
            else PoisonEvents(listener, uuid, mo, listener.silence_after)
        )

    @property
    def running(self) -> bool:
        return (
            bool(self._tasks)
            and not self._stopping.is_set()
            and not all(t.done() for t in self._tasks)
        )

    def unreachable_for(self) -> float:
        """Seconds MO has been failing this listener's fetches without a success in between."""
        return (
            0.0 if self._failing_since is None else self._clock() - self._failing_since
        )

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(
                self._supervise(i), name=f"events:{self.listener.user_key}:{i}"
            )
            for i in range(self.listener.parallelism)
        ]

    async def stop(self, grace: float) -> None:
        """Fetch nothing more; let deliveries under way finish (and be acknowledged) for up to
        ``grace`` seconds, then cancel them: an event not acknowledged is offered again later."""
        self._stopping.set()
        self._wake_all()
        for index, task in enumerate(self._tasks):
            if index not in self._busy:
                task.cancel()
        if not self._tasks:
            return
        deadline = self._clock() + grace
        _, pending = await asyncio.wait(self._tasks, timeout=grace)
        tasks = list(self._tasks)
        if self._ack is not None:
            tasks.append(self._ack)
            remaining = max(deadline - self._clock(), 0.0)
            _, late = await asyncio.wait([self._ack], timeout=remaining)
            pending |= late
        for task in pending:
            self._log.warning(
                "Event delivery still running at shutdown; cancelled",
                task=task.get_name(),
            )
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _supervise(self, index: int) -> None:
        crashes = 0
        while not self._stopping.is_set():
            try:
                await self._run(index)
            except Exception:
                crashes += 1
                self._metrics.fetcher_restarts.inc()
                self._log.exception(
                    "Event fetcher crashed; restarting it", fetcher=index
                )
                await self._sleep(decisions.backoff_delay(crashes, self._rng))

    async def _run(self, index: int) -> None:
        failures = 0
        while not self._stopping.is_set():
            await self._wait_unpaused()
            if self._stopping.is_set():
                return
            started = self._clock()
            try:
                result = await self._mo.fetch_event(self.uuid)
            except Exception as error:
                failures += 1
                self._mo_failed("fetch")
                delay = decisions.backoff_delay(failures, self._rng)
                self._log.warning(
                    "Fetching an event from MO failed",
                    error=describe(error),
                    retry_in=round(delay, 2),
                )
                await self._sleep(delay)
                continue
            self._metrics.fetch_seconds.observe(self._clock() - started)
            failures = 0
            self._failing_since = None
            event = result.event_fetch
            if event is None:
                await self._idle(index)
                continue
            self._metrics.fetched.inc()
            self._wake_all()
            self._busy.add(index)
            try:
                back_off = await self._handle(event)
            finally:
                self._busy.discard(index)
            if back_off:
                failures += 1
                await self._sleep(decisions.backoff_delay(failures, self._rng))

    async def _handle(self, event: _FetchedEvent) -> bool:
        """Deliver one event and acknowledge it on 2xx; True when the handler was
        unreachable."""
        started = self._clock()
        response = await self._handlers.deliver(
            self.listener.path,
            event.subject,
            event.priority,
            listener=self.listener.user_key,
        )
        self._metrics.handler_seconds.observe(self._clock() - started)
        outcome = response.outcome
        self._metrics.delivered(decisions.status_class(outcome)).inc()
        decision = decisions.decide(outcome, datetime.now(UTC))
        if self._poison is not None:
            await self._poison.observe(event.subject, response)
        context = {"subject": event.subject, "request_id": response.request_id}
        if decision.pause > 0:
            self._pause(decision.pause)
            self._log.info(
                "Listener paused at the handler's request (Retry-After)",
                pause=decision.pause,
                **context,
            )
        if decision.ack:
            await self._acknowledge_soon(event.token, context)
            return False
        self._metrics.failed("deliver").inc()
        log = self._log.bind(**context)
        if isinstance(outcome, decisions.Unreachable):
            log.warning(
                "Event handler unreachable; event left in MO", error=outcome.error
            )
        else:
            log.warning(
                "Event handler failed; event left in MO",
                status=outcome.status,
                body=response.body,
            )
        return decision.back_off

    async def _acknowledge_soon(self, token: str, context: dict[str, str]) -> None:
        """Acknowledge; a lone fetcher lets it overlap its next fetch.

        With one fetcher, MO and the integration otherwise take turns, each idle while the
        other works. Several fetchers already overlap each other, and the extra connections
        to MO that overlapping would open cost more than they save.
        """
        if self.listener.parallelism > 1:
            await self._acknowledge(token, context)
            return
        if self._ack is not None:
            await self._ack
        self._ack = asyncio.create_task(
            self._acknowledge(token, context),
            name=f"events:{self.listener.user_key}:ack",
        )

    async def _acknowledge(self, token: str, context: dict[str, str]) -> None:
        for attempt in range(1, ACK_ATTEMPTS + 1):
            try:
                await self._mo.acknowledge_event(token)
            except Exception as error:
                self._metrics.failed("acknowledge").inc()
                self._mo_failed("acknowledge")
                if attempt == ACK_ATTEMPTS:
                    self._log.warning(
                        "Acknowledging a handled event failed; MO will offer it again",
                        error=describe(error),
                        **context,
                    )
                    return
                await asyncio.sleep(decisions.backoff_delay(attempt, self._rng))
            else:
                self._metrics.acknowledged.inc()
                return

    def _mo_failed(self, stage: str) -> None:
        if stage == "fetch":
            self._metrics.failed("fetch").inc()
        if self._failing_since is None:
            self._failing_since = self._clock()

    def _pause(self, seconds: float) -> None:
        self._metrics.retry_after_pauses.inc()
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    async def _wait_unpaused(self) -> None:
        while (
            not self._stopping.is_set()
            and (remaining := self._paused_until - self._clock()) > 0
        ):
            await self._sleep(remaining)

    async def _idle(self, index: int) -> None:
        """Nothing to fetch: poll again later if no other fetcher does, else wait to be woken."""
        wake = self._wake
        if self._poller is not None:
            await wake.wait()
            return
        self._poller = index
        try:
            async with asyncio.timeout(_idle_sleep()):
                await wake.wait()
        except TimeoutError:
            pass
        finally:
            self._poller = None

    def _wake_all(self) -> None:
        self._wake.set()
        self._wake = asyncio.Event()

    async def _sleep(self, seconds: float) -> None:
        """Sleep, but return at once when shutdown begins."""
        if seconds <= 0:
            return
        try:
            async with asyncio.timeout(seconds):
                await self._stopping.wait()
        except TimeoutError:
            pass
