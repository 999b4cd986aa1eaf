# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The integration's one idle poll: one listing of pending events wakes the idle listeners
that may have one to fetch, instead of every idle listener polling MO on its own."""

import asyncio
import random
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

import structlog

from fastramqpi.events._decisions import backoff_delay
from fastramqpi.events._errors import FailureLog
from fastramqpi.events._errors import graphql_messages
from fastramqpi.events._fetcher import ListenerFetchers
from fastramqpi.events._retry import FETCH_RETRY_CAP

logger = structlog.stdlib.get_logger(__name__)

LISTING_PAGE = 1000
"""Pending events read by the idle poll, in one page: a longer backlog may hide new events,
which then wait for the recheck (see :data:`fastramqpi.events._recheck.RECHECK_PERIODS`)."""


class _Listener(Protocol):
    @property
    def uuid(self) -> UUID: ...


class _PendingEvent(Protocol):
    @property
    def subject(self) -> str: ...
    @property
    def listener(self) -> _Listener: ...


class _PageInfo(Protocol):
    @property
    def next_cursor(self) -> str | None: ...


class _PendingPage(Protocol):
    @property
    def objects(self) -> Sequence[_PendingEvent]: ...
    @property
    def page_info(self) -> _PageInfo: ...


class PendingResult(Protocol):
    @property
    def events(self) -> _PendingPage: ...


class PendingEventsAPI(Protocol):
    """The MO call of the idle poll (the generated events client has it)."""

    async def pending_events(
        self, listeners: list[UUID], limit: int
    ) -> PendingResult: ...


def next_listing_in(
    failures: int, idle_interval: float, rng: Callable[[], float]
) -> float:
    """Seconds until the next listing, after ``failures`` failed ones in a row: the idle
    interval, or sooner after a failure, backing off as a fetcher does."""
    if not failures:
        return idle_interval
    return min(idle_interval, backoff_delay(failures, rng, cap=FETCH_RETRY_CAP))


class IdlePoll:
    """Lists, every idle interval, the pending events of the idle listeners in ``fetchers``.

    A listing that fails is tried again sooner, backing off as a fetcher does (at most
    :data:`~fastramqpi.events._retry.FETCH_RETRY_CAP` apart): the idle listeners hear of the
    events that came while MO was away within that of its return.

    Needs MO's ``read_event`` role; refused, it ends and ``shared`` turns false: each listener
    polls on its own from then on.
    """

    def __init__(
        self,
        fetchers: Mapping[tuple[str, str], ListenerFetchers],
        idle_interval: Callable[[], float],
        rng: Callable[[], float] = random.random,
    ) -> None:
        self._fetchers = fetchers
        self._idle_interval = idle_interval
        self._rng = rng
        self._failures = FailureLog("list pending events")
        self.shared = True

    async def run(self, mo: PendingEventsAPI) -> None:
        failures = 0
        while self.shared:
            await asyncio.sleep(
                next_listing_in(failures, self._idle_interval(), self._rng)
            )
            try:
                failures = 0 if await self._list_pending(mo) else failures + 1
            except Exception:
                logger.exception("The idle poll crashed; it polls again")

    async def _list_pending(self, mo: PendingEventsAPI) -> bool:
        """List, and tell each idle listener; False if MO could not be asked."""
        idle = [f for f in self._fetchers.values() if f.idle]
        if not idle:
            return True
        try:
            result = await mo.pending_events(
                listeners=[f.uuid for f in idle], limit=LISTING_PAGE
            )
        except Exception as error:
            messages = graphql_messages(error)
            if messages is None:
                self._failures.failed(logger, "Listing pending events failed", error)
                for fetchers in idle:
                    await fetchers.listed(None)
                return False
            logger.warning(
                "MO refused to list pending events, which needs its read_event role; "
                "each listener polls MO on its own instead",
                role="read_event",
                error=messages,
            )
            self.shared = False
            for fetchers in self._fetchers.values():
                await fetchers.share_idle_poll(False)
            return True
        page = result.events
        cut = page.page_info.next_cursor is not None
        pending: dict[UUID, set[str]] = {}
        for event in page.objects:
            pending.setdefault(event.listener.uuid, set()).add(event.subject)
        for fetchers in idle:
            subjects = pending.get(fetchers.uuid)
            if subjects:
                await fetchers.listed(frozenset(subjects))
            else:
                await fetchers.listed(None if cut else frozenset())
        return True
