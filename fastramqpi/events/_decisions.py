# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""What to do after a delivery, and how long to wait after a failure: pure functions.

The fetcher only carries these decisions out, so every rule here is tested without a server.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from email.utils import parsedate_to_datetime

MAX_PAUSE = 3600.0
"""A longer ``Retry-After`` is clamped: a typo in a handler must not silence a listener for days."""


@dataclass(frozen=True)
class Delivered:
    """The handler answered."""

    status: int
    retry_after: str | None = None


@dataclass(frozen=True)
class Unreachable:
    """The handler could not be reached (connection refused, timeout, broken response)."""

    error: str


Outcome = Delivered | Unreachable


@dataclass(frozen=True)
class Decision:
    """``ack``: acknowledge in MO. ``pause``: seconds every fetcher of the listener waits.
    ``back_off``: this fetcher waits before its next fetch (the handler is unreachable).
    ``hold``: keep the event and deliver it again when the pause ends (a dependency of the
    handler is briefly away: 503 with ``Retry-After``)."""

    ack: bool
    pause: float = 0.0
    back_off: bool = False
    hold: bool = False


def succeeded(status: int) -> bool:
    """Whether a handler's answer means it handled the event: any 2xx, nothing else."""
    return 200 <= status < 300


def decide(outcome: Outcome, now: datetime) -> Decision:
    """Acknowledge exactly the events a handler answered with 2xx.

    Anything else stays in MO, which offers it again later (after at least three minutes), so a
    failing handler costs one delivery per event per retry window, never a hot loop.

    A 503 with ``Retry-After`` says a dependency is away for about that long: the event is
    held and redelivered after the pause rather than left to MO's wait of minutes.
    """
    if isinstance(outcome, Unreachable):
        return Decision(ack=False, back_off=True)
    pause = parse_retry_after(outcome.retry_after, now)
    hold = outcome.status == 503 and pause is not None
    return Decision(ack=succeeded(outcome.status), pause=pause or 0.0, hold=hold)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delay-seconds or HTTP-date); None if absent
    or unparsable. Never negative, at most :data:`MAX_PAUSE`."""
    if value is None:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        seconds = float(value)
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - now).total_seconds()
    if not math.isfinite(seconds):
        return None
    return min(max(seconds, 0.0), MAX_PAUSE)


def backoff_delay(
    failures: int, random: Callable[[], float], base: float = 0.5, cap: float = 30.0
) -> float:
    """Seconds to wait after ``failures`` consecutive failures: doubling from ``base`` up to
    ``cap``, with jitter in the upper half so many fetchers do not retry in step and none
    retries at once."""
    ceiling = min(cap, base * 2.0 ** min(max(failures - 1, 0), 32))
    return ceiling / 2 + random() * ceiling / 2


def status_class(outcome: Outcome) -> str:
    """The metric label of an outcome: ``2xx``..``5xx``, or ``unreachable``."""
    if isinstance(outcome, Unreachable):
        return "unreachable"
    return f"{outcome.status // 100}xx"
