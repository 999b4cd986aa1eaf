# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Which listings of pending events wake an idle listener, without I/O."""

import math
from collections.abc import Callable

RECHECK_PERIODS = 8
"""Idle intervals before a listener whose listed events all came back null is fetched again.

MO's listing cannot tell an event in its retry wait (at least 3 minutes after a failed
delivery) from a due one, nor a re-sent subject from the waiting one it replaced: such a
listener is fetched once when a subject first shows up, then once per this many idle
intervals (14 s by default), which bounds how late those events can be."""


class Recheck:
    """One listener's memory of the subjects listed pending that its fetches did not find."""

    def __init__(self, idle_interval: Callable[[], float]) -> None:
        self._idle_interval = idle_interval
        self._woken_for: frozenset[str] | None = None
        self._waiting: frozenset[str] = frozenset()
        """Subjects listed pending that a fetch did not find: in MO's retry wait."""
        self._recheck_at = -math.inf

    def wakes(self, subjects: frozenset[str] | None, now: float) -> bool:
        """Whether listing ``subjects`` (None: cut at a page) wakes the idle listener: when a
        subject is new, or its listed events have not been fetched for
        :data:`RECHECK_PERIODS` idle intervals."""
        if subjects is not None:
            self._waiting &= subjects
            if not subjects:
                return False
        new = subjects is not None and not subjects <= self._waiting
        if not new and now < self._recheck_at:
            return False
        self._woken_for = self._waiting if subjects is None else subjects
        return True

    def found_nothing(self, now: float) -> None:
        """The listener went idle again: what it was woken for is in MO's retry wait."""
        if self._woken_for is not None:
            self._waiting |= self._woken_for
            self._woken_for = None
            self._recheck_at = now + RECHECK_PERIODS * self._idle_interval()
