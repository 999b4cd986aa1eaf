# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""MO's claim race: concurrent fetches on one listener often come back null.

In MO a claim is a database transaction that picks the listener's first eligible event and
locks it. Claims in flight together pick the same row; the one that commits later may find
it no longer eligible and answer null, although other events are still due. The emulator
reproduces that: a claim stays in flight for :data:`CLAIM_SECONDS`, and a claim during
whose flight rival claims on the same listener finished loses with a chance that
grows with their number. A lone fetcher, or a serial one, never has a rival, so it never
sees such a null; four fetchers on one listener see many.
"""

import random
import threading
from collections import Counter
from dataclasses import dataclass
from uuid import UUID

ONE_RIVAL_LOSS = 0.1
"""Chance to lose to a single rival: two claims mostly settle on different rows."""
MANY_RIVALS_LOSS = 0.9
"""Chance to lose to two or more rivals: the row is almost surely taken."""
CLAIM_SECONDS = 0.002
"""How long a claim's transaction stays open. MO takes milliseconds to tens of them; shorter
here, so the emulator stays fast, but long enough that concurrent fetchers' claims overlap as
they do on MO, whatever the timing of their requests' arrival (a claim answered at once
overlapped a rival only when their requests happened to arrive together)."""


@dataclass(frozen=True)
class Claim:
    listener: UUID
    finished_before: int
    contended: bool
    """Another claim on the listener was open when this one began."""


class Contention:
    """Decides which claims lose their race. Thread-safe; `rng` makes it reproducible."""

    def __init__(
        self,
        enabled: bool = True,
        one_rival_loss: float = ONE_RIVAL_LOSS,
        many_rivals_loss: float = MANY_RIVALS_LOSS,
        rng: random.Random | None = None,
        claim_seconds: float = CLAIM_SECONDS,
    ) -> None:
        for chance in (one_rival_loss, many_rivals_loss):
            if not 0.0 <= chance <= 1.0:
                raise ValueError("a chance to lose must be between 0 and 1")
        self.enabled = enabled
        self.claim_seconds = claim_seconds
        self.one_rival_loss = one_rival_loss
        self.many_rivals_loss = many_rivals_loss
        self.rng = rng if rng is not None else random.Random()
        self.lost = 0
        self._lock = threading.Lock()
        self._finished: Counter[UUID] = Counter()
        self._open: Counter[UUID] = Counter()

    def begin(self, listener: UUID) -> Claim:
        with self._lock:
            contended = self.enabled and self._open[listener] > 0
            self._open[listener] += 1
            return Claim(listener, self._finished[listener], contended)

    def seconds(self, claim: Claim) -> float:
        """How long ``claim`` stays open before :meth:`finish`."""
        return self.claim_seconds if self.enabled else 0.0

    def finish(self, claim: Claim) -> bool:
        """Ends the claim; True if it lost its race and must answer null."""
        with self._lock:
            self._open[claim.listener] -= 1
            rivals = self._finished[claim.listener] - claim.finished_before
            self._finished[claim.listener] += 1
            if not self.enabled or rivals == 0:
                return False
            chance = self.one_rival_loss if rivals == 1 else self.many_rivals_loss
            lost = self.rng.random() < chance
            self.lost += lost
            return lost
