# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The integration's one idle poll: one listing of pending events wakes the idle listeners
that may have one to fetch, instead of every idle listener polling MO on its own."""

import asyncio
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

import structlog

from fastramqpi.events._errors import FailureLog
from fastramqpi.events._errors import graphql_messages
from fastramqpi.events._fetcher import ListenerFetchers

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


class IdlePoll:
    """Lists, every idle interval, the pending events of the idle listeners in ``fetchers``.

    Needs MO's ``read_event`` role; refused, it ends and ``shared`` turns false: each listener
    polls on its own from then on.
    """

    def __init__(
        self,
        fetchers: Mapping[tuple[str, str], ListenerFetchers],
        idle_interval: Callable[[], float],
    ) -> None:
        self._fetchers = fetchers
        self._idle_interval = idle_interval
        self._failures = FailureLog("list pending events")
        self.shared = True

    async def run(self, mo: PendingEventsAPI) -> None:
        while self.shared:
            await asyncio.sleep(self._idle_interval())
            try:
                await self._list_pending(mo)
            except Exception:
                logger.exception("The idle poll crashed; it polls again")

    async def _list_pending(self, mo: PendingEventsAPI) -> None:
        idle = [f for f in self._fetchers.values() if f.idle]
        if not idle:
            return
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
                return
            logger.warning(
                "MO refused to list pending events, which needs its read_event role; "
                "each listener polls MO on its own instead",
                role="read_event",
                error=messages,
            )
            self.shared = False
            for fetchers in self._fetchers.values():
                await fetchers.share_idle_poll(False)
            return
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
