# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Whether a null fetch lost a race for a claim on MO, without I/O.

MO answers null to a claim that raced another on the same listener, though events remain:
two claims side by side mostly both win, four mostly lose (``mo-events.md``: 3 nulls in 200
events at two, 176 at four). So a listener has at most :data:`CLAIMS_AT_ONCE` claims in
flight, whatever its parallelism, and its other fetchers deliver meanwhile. A fetcher whose
last claim won claims again after a null that raced another claim; any other null while the
listener is busy means MO had nothing more for that fetcher, and it parks until an event is
found.
"""

CLAIMS_AT_ONCE = 2
"""Claims one listener has in flight at most: more lose their races more often than not."""


class Races:
    def __init__(self, fetchers: int) -> None:
        self._began = [0] * fetchers
        """How many claims had been answered when each fetcher's last claim began."""
        self._answered = 0
        self._won = [False] * fetchers
        """Whether each fetcher's last claim won an event."""
        self._queued: set[int] = set()
        """Fetchers waiting for a claim in flight to end."""

    def may_claim(self, slot: int, claiming: int) -> bool:
        """Whether ``slot`` claims now, with ``claiming`` claims in flight; else it queues."""
        if not self.free(claiming):
            self._queued.add(slot)
            return False
        self._queued.discard(slot)
        self._began[slot] = self._answered
        return True

    def free(self, claiming: int) -> int:
        """How many more claims may start, with ``claiming`` claims in flight."""
        return max(CLAIMS_AT_ONCE - claiming, 0)

    def queued(self) -> set[int]:
        """A claim ended: the fetchers that waited for one, to ask again."""
        queued, self._queued = self._queued, set()
        return queued

    def won(self, slot: int) -> None:
        self._answered += 1
        self._won[slot] = True

    def claims_again(self, slot: int, rival_claiming: bool) -> bool:
        """The claim of ``slot`` came back null while the listener is busy: whether it lost a
        race (another claim was in flight), right after a won one, so it claims again."""
        raced = rival_claiming or self._answered > self._began[slot]
        self._answered += 1
        won, self._won[slot] = self._won[slot], False
        return raced and won
