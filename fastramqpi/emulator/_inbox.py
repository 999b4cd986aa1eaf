# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""One listener's stored events, indexed so a fetch never scans them all.

MO picks the next event with one SQL query; the emulator keeps two heaps instead: events
waiting out their backoff (by the time they become eligible) and eligible events (in MO's
delivery order). Every change to an event pushes a fresh heap entry and makes older entries
stale, so a fetch costs O(log n) however many thousands of events are stored.
"""

import heapq
from dataclasses import dataclass
from uuid import UUID

EPOCH = 0.0
_MIN_BACKOFF = 180.0
_MAX_BACKOFF = 17 * 3600.0


def backoff(fetched_count: int) -> float:
    """Seconds MO waits after a claim before it offers the event again."""
    return max(_MIN_BACKOFF, min(float(2 ** min(fetched_count, 32)), _MAX_BACKOFF))


def is_eligible(last_tried: float, fetched_count: int, now: float) -> bool:
    """MO's rule: `last_tried < now() - max(3 min, min(2^min(fetched_count, 32) s, 17 h))`."""
    return last_tried < now - backoff(fetched_count)


@dataclass
class StoredEvent:
    uuid: UUID
    listener: UUID
    subject: str
    priority: int
    generation: UUID
    seq: int
    silenced: bool = False
    fetched_count: int = 0
    last_tried: float = EPOCH
    version: int = 0


_Waiting = tuple[float, int, int, str]
_Ready = tuple[bool, int, int, int, int, str]


class Inbox:
    """The events stored for one listener, keyed by subject (MO's collapse key)."""

    def __init__(self) -> None:
        self.events: dict[str, StoredEvent] = {}
        self._waiting: list[_Waiting] = []
        self._ready: list[_Ready] = []

    def put(self, event: StoredEvent) -> None:
        self.events[event.subject] = event
        self.reschedule(event)

    def remove(self, subject: str) -> StoredEvent | None:
        return self.events.pop(subject, None)

    def reschedule(self, event: StoredEvent) -> None:
        """Call after any change to an event's ordering or timing fields."""
        event.version += 1
        due = event.last_tried + backoff(event.fetched_count)
        heapq.heappush(self._waiting, (due, event.seq, event.version, event.subject))
        if len(self._waiting) > 64 + 4 * len(self.events):
            self._compact()

    def claim(self, now: float) -> StoredEvent | None:
        """Take the next eligible event in MO's order and mark it tried now."""
        self._promote(now)
        while self._ready:
            _, _, _, seq, version, subject = heapq.heappop(self._ready)
            event = self._current(seq, version, subject)
            if event is None:
                continue
            if not is_eligible(event.last_tried, event.fetched_count, now):
                self.reschedule(event)
                continue
            event.last_tried = now
            event.fetched_count += 1
            self.reschedule(event)
            return event
        return None

    def _promote(self, now: float) -> None:
        waiting = self._waiting
        while waiting:
            _, seq, version, subject = waiting[0]
            event = self._current(seq, version, subject)
            if event is not None and not is_eligible(
                event.last_tried, event.fetched_count, now
            ):
                return
            heapq.heappop(waiting)
            if event is not None:
                heapq.heappush(
                    self._ready,
                    (
                        event.silenced,
                        event.priority,
                        event.fetched_count,
                        seq,
                        version,
                        subject,
                    ),
                )

    def _current(self, seq: int, version: int, subject: str) -> StoredEvent | None:
        event = self.events.get(subject)
        if event is None or event.seq != seq or event.version != version:
            return None
        return event

    def _compact(self) -> None:
        self._waiting = [
            entry for entry in self._waiting if self._current(*entry[1:]) is not None
        ]
        heapq.heapify(self._waiting)
        self._ready = [
            entry for entry in self._ready if self._current(*entry[3:]) is not None
        ]
        heapq.heapify(self._ready)
