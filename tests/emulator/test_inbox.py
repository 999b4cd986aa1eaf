# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The heap-indexed inbox picks exactly what MO's one SQL query would pick."""

from dataclasses import dataclass
from uuid import uuid4

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from fastramqpi.emulator._inbox import EPOCH
from fastramqpi.emulator._inbox import Inbox
from fastramqpi.emulator._inbox import StoredEvent
from fastramqpi.emulator._inbox import backoff


def test_backoff_formula() -> None:
    assert [backoff(n) for n in [0, 1, 7, 8, 10, 15, 16, 32, 40]] == [
        180,
        180,
        180,
        256,
        1024,
        32768,
        17 * 3600,
        17 * 3600,
        17 * 3600,
    ]


@dataclass
class _Row:
    subject: str
    priority: int
    seq: int
    silenced: bool = False
    fetched_count: int = 0
    last_tried: float = EPOCH


def _mo_select(rows: dict[str, _Row], now: float) -> _Row | None:
    """MO's query, literally: filter eligible, order by silenced, priority, fetched_count."""
    eligible = [
        row
        for row in rows.values()
        if row.last_tried
        < now - max(180, min(2 ** min(row.fetched_count, 32), 17 * 3600))
    ]
    eligible.sort(key=lambda r: (r.silenced, r.priority, r.fetched_count, r.seq))
    return eligible[0] if eligible else None


subjects = st.sampled_from(["a", "b", "c", "d"])
operations = st.lists(
    st.one_of(
        st.tuples(st.just("send"), subjects, st.integers(1, 4)),
        st.tuples(st.just("fetch")),
        st.tuples(st.just("ack"), subjects),
        st.tuples(st.just("silence"), subjects),
        st.tuples(st.just("rerun"), subjects),
        st.tuples(st.just("wait"), st.sampled_from([1, 179, 180, 181, 300, 70000])),
    ),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(operations)
def test_inbox_claims_what_mos_query_selects(ops: list[tuple[object, ...]]) -> None:
    inbox = Inbox()
    rows: dict[str, _Row] = {}
    now = 1_700_000_000.0
    seq = 0
    for op in ops:
        kind = op[0]
        if kind == "send":
            subject, priority = str(op[1]), int(str(op[2]))
            if subject in rows:
                row = rows[subject]
                row.priority = min(row.priority, priority)
                row.last_tried, row.fetched_count = EPOCH, 0
                event = inbox.events[subject]
                event.priority = min(event.priority, priority)
                event.last_tried, event.fetched_count = EPOCH, 0
                inbox.reschedule(event)
            else:
                seq += 1
                rows[subject] = _Row(subject, priority, seq)
                inbox.put(
                    StoredEvent(uuid4(), uuid4(), subject, priority, uuid4(), seq)
                )
        elif kind == "fetch":
            expected = _mo_select(rows, now)
            claimed = inbox.claim(now)
            assert (claimed and claimed.subject) == (expected and expected.subject)
            if expected is not None:
                expected.last_tried = now
                expected.fetched_count += 1
        elif kind == "ack":
            rows.pop(str(op[1]), None)
            inbox.remove(str(op[1]))
        elif kind in ("silence", "rerun"):
            subject = str(op[1])
            if subject in rows:
                event = inbox.events[subject]
                if kind == "silence":
                    rows[subject].silenced = event.silenced = True
                else:
                    rows[subject].last_tried = event.last_tried = EPOCH
                inbox.reschedule(event)
        else:
            now += float(str(op[1]))
    assert sorted(inbox.events) == sorted(rows)
