# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""When a listener's fetchers and acknowledgements try MO again, and how long MO has failed
the listener, without I/O."""

from collections.abc import Callable

from fastramqpi.events._decisions import backoff_delay

ACK_ATTEMPTS = 3
"""Tries to acknowledge a handled event when MO answers with an error; if all fail, MO offers
it again later (at-least-once)."""

FETCH_RETRY_CAP = 1.0
"""Most seconds a fetcher backs off after failures: the listener resumes within this once MO
is back. A fetch a second costs a down MO nothing (a refused connection), and one that
answers with errors a fraction of what the listener asks of it while events flow."""

ACK_RETRY_CAP = 1.0
"""Most seconds between tries of an acknowledgement waiting for MO: once MO is back, the
listener resumes within this."""


class Retries:
    """Each fetcher's failure and crash counts, the listener's failure streak, and which
    fetcher retries MO while it fails."""

    def __init__(self, parallelism: int, rng: Callable[[], float]) -> None:
        self._rng = rng
        self._failures = [0] * parallelism
        self._crashes = [0] * parallelism
        self._failing_since: float | None = None
        self._prober: int | None = None

    def unreachable_for(self, now: float) -> float:
        """Seconds MO has failed this listener's calls without a fetch answered in between."""
        return 0.0 if self._failing_since is None else now - self._failing_since

    def answered(self, slot: int) -> None:
        """MO answered a fetch of ``slot``: its back-off, the streak and the probing end."""
        self._failures[slot] = 0
        self._failing_since = None
        self._prober = None

    def probes(self, slot: int) -> bool:
        """Whether ``slot``, whose fetch failed, retries MO: the first to fail does, until MO
        answers; the others wait for that answer rather than each calling a down MO."""
        if self._prober is None:
            self._prober = slot
        return self._prober == slot

    def mo_failed(self, now: float) -> None:
        if self._failing_since is None:
            self._failing_since = now

    def fetch_delay(self, slot: int) -> float:
        """Another failure of ``slot``: seconds it backs off."""
        self._failures[slot] += 1
        return backoff_delay(self._failures[slot], self._rng, cap=FETCH_RETRY_CAP)

    def crashed(self, slot: int) -> None:
        self._crashes[slot] += 1
        self._failures[slot] = 0
        if self._prober == slot:
            self._prober = None

    def crash_delay(self, slot: int) -> float:
        """Seconds ``slot`` waits before it restarts after its crashes."""
        return backoff_delay(self._crashes[slot], self._rng)

    def ack_retry_at(
        self, attempt: int, now: float, outage: bool, stopping: bool
    ) -> float | None:
        """When to try an acknowledgement again after its ``attempt``-th failure, or None.

        An error MO answered is tried :data:`ACK_ATTEMPTS` times. An acknowledgement MO could
        not be reached for (``outage``) is kept until MO answers: the event was handled, and
        delivering it again is the waste this avoids. At shutdown it is tried once more only."""
        self.mo_failed(now)
        if outage and not stopping:
            return now + backoff_delay(attempt, self._rng, cap=ACK_RETRY_CAP)
        if outage or attempt >= ACK_ATTEMPTS:
            return None
        return now + backoff_delay(attempt, self._rng)
