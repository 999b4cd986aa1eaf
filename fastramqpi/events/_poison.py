# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Poison events: a subject the handler keeps rejecting is silenced in MO (``silence_after``).

MO hands a rejected event out again after its retry wait, forever. A silenced event is still
delivered, but last, and MO leaves it out of its alerting, so one bad subject stops hiding
the listener's real health. ``python -m fastramqpi.events unsilence`` (or ``rerun``) brings
it back. :class:`Strikes` is the pure decision; :class:`PoisonEvents` carries it out.
"""

from typing import Protocol
from uuid import UUID

import structlog

from fastramqpi.events import _metrics as metrics
from fastramqpi.events._decisions import Delivered
from fastramqpi.events._decisions import Outcome
from fastramqpi.events._delivery import Response
from fastramqpi.events._models import Listener

logger = structlog.stdlib.get_logger(__name__)

MAX_TRACKED = 10_000
"""Subjects whose strikes are remembered; the oldest are forgotten beyond it, so a process
never grows without bound (forgetting only delays a silence)."""

_TRANSIENT = frozenset({408, 429})
"""4xx answers that mean "later", not "never": a timeout and a rate limit."""


def is_rejection(outcome: Outcome) -> bool:
    """Whether the handler rejected the event itself: a 4xx that does not ask to be retried.

    A 5xx, a ``Retry-After``, a 408 or 429 and an unreachable handler say nothing about the
    event, so they never count.
    """
    return (
        isinstance(outcome, Delivered)
        and 400 <= outcome.status < 500
        and outcome.status not in _TRANSIENT
        and outcome.retry_after is None
    )


class Strikes:
    """Consecutive rejections per subject, as this process saw them.

    Any other answer for a subject (an acknowledgement included) starts it from zero.
    """

    def __init__(self, limit: int, max_tracked: int = MAX_TRACKED) -> None:
        self.limit = limit
        self._max_tracked = max_tracked
        self._counts: dict[str, int] = {}

    def record(self, subject: str, outcome: Outcome) -> bool:
        """Count one answer; True when the subject is to be silenced now (its count restarts)."""
        if not is_rejection(outcome):
            self._counts.pop(subject, None)
            return False
        count = self._counts.pop(subject, 0) + 1
        if count >= self.limit:
            return True
        if len(self._counts) >= self._max_tracked:
            del self._counts[next(iter(self._counts))]
        self._counts[subject] = count
        return False

    def silence_failed(self, subject: str) -> None:
        """Silencing did not reach MO: try again at the subject's next rejection."""
        self._counts[subject] = self.limit - 1

    def count(self, subject: str) -> int:
        return self._counts.get(subject, 0)


class SilenceAPI(Protocol):
    """The MO call that silences events (the generated events client has it)."""

    async def silence_events(
        self, listeners: list[UUID], subjects: list[str]
    ) -> object: ...


class PoisonEvents:
    """Silences a listener's subjects after ``listener.silence_after`` consecutive rejections.

    The fetcher calls :meth:`observe` with every delivery outcome of the listener.
    """

    def __init__(
        self, listener: Listener, uuid: UUID, mo: SilenceAPI, limit: int
    ) -> None:
        self._uuid = uuid
        self._mo = mo
        self._strikes = Strikes(limit)
        self._silenced = metrics.silenced.labels(
            namespace=listener.namespace, listener=listener.user_key
        )
        self._log = logger.bind(
            listener=listener.user_key, namespace=listener.namespace
        )

    async def observe(self, subject: str, response: Response) -> None:
        if not self._strikes.record(subject, response.outcome):
            return
        status = (
            response.outcome.status if isinstance(response.outcome, Delivered) else None
        )
        try:
            await self._mo.silence_events(listeners=[self._uuid], subjects=[subject])
        except Exception as error:
            self._strikes.silence_failed(subject)
            self._log.warning(
                "Silencing a poison event in MO failed; trying again at its next rejection",
                subject=subject,
                error=f"{type(error).__name__}: {error}",
            )
            return
        self._silenced.inc()
        self._log.warning(
            "Event silenced in MO after repeated rejections by its handler",
            subject=subject,
            rejections=self._strikes.limit,
            status=status,
            body=response.body,
            request_id=response.request_id,
        )
