# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Which of a listener's fetchers sit out a burst after losing a race for a claim, without I/O.

MO answers null to a claim that raced another on the same listener, though events remain. A
fetcher that lost sits out, so a burst keeps only the fetchers MO serves without racing; after
a run of uncontested claims one of them tries again, as MO may serve more than it did.
"""

REJOIN_AFTER = 20
"""Events fetched without a lost race before one fetcher that sat out the burst rejoins: at
most one null fetch in this many events is spent finding out whether MO serves more."""


class Races:
    def __init__(self) -> None:
        self._out: set[int] = set()
        self._won = 0
        """Events fetched since the last lost race."""

    def sitting_out(self, slot: int) -> bool:
        return slot in self._out

    def lost(self, slot: int) -> None:
        self._out.add(slot)
        self._won = 0

    def won(self) -> None:
        """An event was fetched: after a run of them one fetcher stops sitting out."""
        if not self._out:
            return
        self._won += 1
        if self._won >= REJOIN_AFTER:
            self._won = 0
            self._out.pop()

    def forget(self, slot: int) -> None:
        self._out.discard(slot)

    def end(self) -> set[int]:
        """The burst is over (the listener idles, fails or was gated): those who sat out."""
        out, self._out = self._out, set()
        return out
