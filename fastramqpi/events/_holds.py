# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The events a listener's fetchers keep to deliver again after a pause, without I/O."""

from typing import Generic

from fastramqpi.events._steps import E


class Holds(Generic[E]):
    """Each fetcher's held event (answered 503 with ``Retry-After``), delivered again when the
    pause ends (and the gate is open), at most ``redeliveries`` times in a row; then, and at
    shutdown, it is left to MO."""

    def __init__(self, parallelism: int, redeliveries: int) -> None:
        self._redeliveries = redeliveries
        self._held: list[E | None] = [None] * parallelism
        self._holds = [0] * parallelism

    def get(self, slot: int) -> E | None:
        """The event ``slot`` holds for redelivery, if any."""
        return self._held[slot]

    def keep(self, slot: int, event: E, hold: bool) -> bool:
        """Whether ``slot`` keeps ``event`` (asked to ``hold`` it) to deliver it again; counts
        its redeliveries, which start over when it keeps nothing."""
        if hold and self._holds[slot] < self._redeliveries:
            self._holds[slot] += 1
            self._held[slot] = event
            return True
        self.drop(slot)
        return False

    def drop(self, slot: int) -> None:
        self._held[slot] = None
        self._holds[slot] = 0

    def release_all(self) -> None:
        """Shutdown: every held event is left to MO."""
        self._held = [None] * len(self._held)
