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
they do on MO, whatever the timing of their requests' arrival."""


@dataclass(frozen=True)
class Claim:
    listener: UUID
    finished_before: int


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

    def begin(self, listener: UUID) -> Claim:
        with self._lock:
            return Claim(listener, self._finished[listener])

    def finish(self, claim: Claim) -> bool:
        """Ends the claim; True if it lost its race and must answer null."""
        with self._lock:
            rivals = self._finished[claim.listener] - claim.finished_before
            self._finished[claim.listener] += 1
            if not self.enabled or rivals == 0:
                return False
            chance = self.one_rival_loss if rivals == 1 else self.many_rivals_loss
            lost = self.rng.random() < chance
            self.lost += lost
            return lost
