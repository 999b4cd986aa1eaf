# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""One listener's fetchers: fetch an event, deliver it, acknowledge it on 2xx; again.

This module only carries out what :class:`~fastramqpi.events._state.ListenerState` decides
(the idle rota, pauses, back-off, shutdown) and does the I/O. Each fetcher is supervised, so
an unexpected error costs a restart, never a dead listener. Acknowledgements go through one
bounded queue (:mod:`fastramqpi.events._acks`), sent in batches, so a fetcher fetches its next
event while its last one is acknowledged. A listener has at most ``max(parallelism, 2)`` calls to MO
under way: more connections to MO, each waiting its turn there, cost more than the overlap
gains.

A listener runs one fetcher more than its ``parallelism``, and at most ``parallelism`` of them
deliver at once: the spare one claims the next event while the others deliver, as MO's claim
(milliseconds of a transaction) is most of an event's time, and its event waits for the first
delivery to end. So even a listener with ``parallelism=1`` has a claim under way while its
one event is handled, and its events are handled one at a time all the same.
"""

import asyncio
import contextlib
import math
import random
import time
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from uuid import UUID

import structlog

from fastramqpi.events import _decisions as decisions
from fastramqpi.events import _metrics as metrics
from fastramqpi.events._acks import Acknowledgements
from fastramqpi.events._client import EventsAPI
from fastramqpi.events._client import FetchedEvent as _FetchedEvent
from fastramqpi.events._delivery import Handlers
from fastramqpi.events._errors import FailureLog
from fastramqpi.events._errors import describe
from fastramqpi.events._handover import HandOvers
from fastramqpi.events._models import Listener
from fastramqpi.events._poison import PoisonEvents
from fastramqpi.events._retry import ACK_ATTEMPTS
from fastramqpi.events._state import Acknowledge
from fastramqpi.events._state import Cancel
from fastramqpi.events._state import Deliver
from fastramqpi.events._state import Effect
from fastramqpi.events._state import Fetch
from fastramqpi.events._state import HandOver
from fastramqpi.events._state import ListenerState
from fastramqpi.events._state import Step
from fastramqpi.events._state import Stop
from fastramqpi.events._state import Wait
from fastramqpi.events._state import Wake

__all__ = ["ACK_ATTEMPTS", "EventsAPI", "ListenerFetchers", "describe"]

logger = structlog.stdlib.get_logger(__name__)


class ListenerFetchers:
    """The supervised fetcher tasks of one declared listener, and its acknowledgers."""

    def __init__(
        self,
        listener: Listener,
        uuid: UUID,
        mo: EventsAPI,
        handlers: Handlers,
        *,
        idle_interval: Callable[[], float],
        redeliveries: int = 0,
        rng: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.listener = listener
        self.uuid = uuid
        self._mo = mo
        self._handlers = handlers
        self._clock = clock
        self._state: ListenerState[_FetchedEvent] = ListenerState(
            listener.parallelism + 1,
            idle_interval=idle_interval,
            rng=rng,
            redeliveries=redeliveries,
        )
        self._metrics = metrics.ListenerMetrics(listener.namespace, listener.user_key)
        self._log = logger.bind(
            listener=listener.user_key, namespace=listener.namespace
        )
        self._fetch_failures = FailureLog("fetch")
        self._tasks: list[asyncio.Task[None]] = []
        self._mo_calls = asyncio.Semaphore(max(listener.parallelism, 2))
        self._deliveries = asyncio.Semaphore(listener.parallelism)
        self._acks = Acknowledgements(
            mo,
            self._mo_calls,
            self._state,
            metrics=self._metrics,
            log=self._log,
            clock=clock,
            carry_out=self._carry_out,
        )
        self._wakes = [asyncio.Event() for _ in range(self._state.fetchers)]
        self._handovers = HandOvers(lambda slot: self._wakes[slot].set())
        self._poison = (
            None
            if listener.silence_after is None
            else PoisonEvents(listener, uuid, mo, listener.silence_after)
        )

    @property
    def running(self) -> bool:
        return (
            bool(self._tasks)
            and not self._state.stopping
            and not all(t.done() for t in self._tasks)
            and not any(t.done() for t in self._acks.tasks)
        )

    @property
    def idle(self) -> bool:
        """Every fetcher found nothing: the integration's idle poll may wake them."""
        return self._state.idle

    async def listed(self, subjects: frozenset[str] | None) -> None:
        """The integration's idle poll lists ``subjects`` pending here (None: maybe more)."""
        await self._carry_out(self._state.listed(subjects, self._clock()))

    async def share_idle_poll(self, shared: bool) -> None:
        """Whether the integration's idle poll replaces this listener's own."""
        await self._carry_out(self._state.share_idle_poll(shared))

    def unreachable_for(self) -> float:
        """Seconds MO has been failing this listener's calls without a fetch answered."""
        return self._state.unreachable_for(self._clock())

    async def set_gated(self, gated: bool) -> None:
        """A dependency that gates events turned unhealthy (``True``) or healthy again."""
        await self._carry_out(self._state.set_gated(gated))

    def start(self) -> None:
        name = f"events:{self.listener.user_key}"
        self._tasks = [
            asyncio.create_task(self._supervise(slot), name=f"{name}:{slot}")
            for slot in range(self._state.fetchers)
        ]
        self._acks.start(name)

    async def stop(self, grace: float) -> None:
        """Fetch nothing more; let deliveries under way finish (and be acknowledged) for up to
        ``grace`` seconds, then cancel them: an event not acknowledged is offered again later."""
        await self._carry_out(self._state.stop())
        if not self._tasks:
            return
        deadline = self._clock() + grace
        _, pending = await asyncio.wait(self._tasks, timeout=grace)
        if self._acks.left:
            drained = asyncio.create_task(self._acks.join())
            remaining = max(deadline - self._clock(), 0.0)
            _, late = await asyncio.wait([drained], timeout=remaining)
            drained.cancel()
            if late:
                self._log.warning(
                    "Acknowledgements still running at shutdown; cancelled",
                    left=self._acks.left,
                )
        for task in pending:
            self._log.warning(
                "Event delivery still running at shutdown; cancelled",
                task=task.get_name(),
            )
        for task in [*pending, *self._acks.tasks]:
            task.cancel()
        await asyncio.gather(*self._tasks, *self._acks.tasks, return_exceptions=True)

    async def _supervise(self, slot: int) -> None:
        step = self._state.next(slot, self._clock())
        while not isinstance(step, Stop):
            try:
                step = await self._take(slot, step)
            except Exception:
                self._metrics.fetcher_restarts.inc()
                self._log.exception(
                    "Event fetcher crashed; restarting it", fetcher=slot
                )
                then = self._state.crashed(slot, self._clock())
                await self._carry_out(then.effects)
                step = then.step

    async def _take(self, slot: int, step: Step[_FetchedEvent]) -> Step[_FetchedEvent]:
        """Carry out one step of ``slot``; its next step."""
        if isinstance(step, Fetch):
            return await self._fetch(slot)
        if isinstance(step, Deliver):
            return await self._deliver(slot, step.event)
        assert not isinstance(step, Stop)
        delay = step.until - self._clock()
        if step.wakeable:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(None if math.isinf(delay) else delay):
                    await self._wakes[slot].wait()
            self._wakes[slot].clear()
        elif delay > 0:
            await asyncio.sleep(delay)
        return self._state.next(slot, self._clock())

    async def _fetch(self, slot: int) -> Step[_FetchedEvent]:
        started = self._clock()
        try:
            with self._handovers.claim(slot) as sent:
                async with self._mo_calls:
                    result = await self._mo.fetch_event(self.uuid, on_sent=sent)
        except Exception as error:
            self._metrics.failed("fetch").inc()
            now = self._clock()
            then = self._state.fetch_failed(slot, now)
            retry_in = then.step.until - now if isinstance(then.step, Wait) else 0.0
            self._fetch_failures.failed(
                self._log,
                "Fetching an event from MO failed",
                error,
                retry_in=round(retry_in, 2),
            )
        else:
            now = self._clock()
            self._metrics.fetch_seconds.observe(now - started)
            if (event := result.event_fetch) is None:
                then = self._state.empty(slot, now)
            else:
                self._metrics.fetched.inc()
                then = self._state.fetched(slot, event, now)
        await self._carry_out(then.effects)
        return then.step

    async def _deliver(self, slot: int, event: _FetchedEvent) -> Step[_FetchedEvent]:
        async with self._deliveries:
            started = self._clock()
            response = await self._handlers.deliver(
                self.listener.path,
                event.subject,
                event.priority,
                listener=self.listener.user_key,
            )
        now = self._clock()
        self._metrics.handler_seconds.observe(now - started)
        outcome = response.outcome
        self._metrics.delivered(decisions.status_class(outcome)).inc()
        decision = decisions.decide(outcome, datetime.now(UTC))
        if self._poison is not None:
            await self._poison.observe(event.subject, response)
        then = self._state.delivered(slot, decision, now)
        context = {"subject": event.subject, "request_id": response.request_id}
        if self._state.held(slot) is not None:
            self._log.info(
                "Event held for redelivery after the pause (503 with Retry-After)",
                pause=decision.pause,
                **context,
            )
            self._metrics.retry_after_pauses.inc()
            return then.step
        if decision.pause > 0:
            self._metrics.retry_after_pauses.inc()
            self._log.info(
                "Listener paused at the handler's request (Retry-After)",
                pause=decision.pause,
                **context,
            )
        if not decision.ack:
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
        await self._carry_out(then.effects, context)
        return then.step

    async def _carry_out(
        self,
        effects: tuple[Effect[_FetchedEvent], ...],
        context: dict[str, str] | None = None,
    ) -> None:
        for effect in effects:
            if isinstance(effect, Wake):
                for slot in effect.slots:
                    self._wakes[slot].set()
            elif isinstance(effect, HandOver):
                self._handovers.wait_for_claim(effect.finder, effect.deliverer)
            elif isinstance(effect, Acknowledge):
                await self._acks.put(effect.event.token, context or {})
            elif isinstance(effect, Cancel):
                for slot in effect.slots:
                    if slot < len(self._tasks):
                        self._tasks[slot].cancel()
