# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from email.utils import format_datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fastramqpi.events._decisions import MAX_PAUSE
from fastramqpi.events._decisions import Decision
from fastramqpi.events._decisions import Delivered
from fastramqpi.events._decisions import Unreachable
from fastramqpi.events._decisions import backoff_delay
from fastramqpi.events._decisions import decide
from fastramqpi.events._decisions import parse_retry_after
from fastramqpi.events._decisions import status_class

NOW = datetime(2026, 11, 25, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize("status", [200, 201, 202, 204, 299])
def test_a_2xx_answer_is_acknowledged(status: int) -> None:
    assert decide(Delivered(status), NOW) == Decision(ack=True)


@pytest.mark.parametrize(
    "status", [100, 301, 304, 400, 404, 409, 422, 429, 500, 502, 503]
)
def test_anything_but_2xx_is_left_in_mo_without_backing_off(status: int) -> None:
    assert decide(Delivered(status), NOW) == Decision(ack=False)


def test_an_unreachable_handler_is_not_acknowledged_and_backs_off() -> None:
    assert decide(Unreachable("ConnectError"), NOW) == Decision(
        ack=False, back_off=True
    )


def test_retry_after_in_seconds_pauses_the_listener() -> None:
    assert decide(Delivered(500, retry_after="7"), NOW) == Decision(
        ack=False, pause=7.0
    )


def test_503_with_retry_after_holds_the_event_for_redelivery() -> None:
    assert decide(Delivered(503, retry_after="7"), NOW) == Decision(
        ack=False, pause=7.0, hold=True
    )


def test_503_without_retry_after_is_left_in_mo() -> None:
    assert decide(Delivered(503, retry_after="soon"), NOW) == Decision(ack=False)


def test_retry_after_as_http_date_pauses_until_then() -> None:
    later = format_datetime(NOW + timedelta(seconds=90), usegmt=True)
    assert decide(Delivered(429, retry_after=later), NOW) == Decision(
        ack=False, pause=90.0
    )


def test_retry_after_on_success_still_acknowledges() -> None:
    assert decide(Delivered(200, retry_after="3"), NOW) == Decision(ack=True, pause=3.0)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("0", 0.0),
        (" 12 ", 12.0),
        ("soon", None),
        ("-5", None),
        ("1.5", None),
        ("", None),
        (format_datetime(NOW - timedelta(hours=1), usegmt=True), 0.0),
        ("Wed, 25 Nov 2026 12:00:30 GMT", 30.0),
        ("999999999", MAX_PAUSE),
        ("²", None),
        ("٣", None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == expected


@given(st.text(max_size=40))
def test_parse_retry_after_never_raises_and_stays_in_bounds(value: str) -> None:
    seconds = parse_retry_after(value, NOW)
    assert seconds is None or 0.0 <= seconds <= MAX_PAUSE


def test_backoff_doubles_up_to_the_cap() -> None:
    top = [backoff_delay(n, lambda: 1.0, base=0.5, cap=30.0) for n in range(1, 10)]
    assert top == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0]


@given(
    st.integers(min_value=0, max_value=10_000), st.floats(min_value=0.0, max_value=1.0)
)
def test_backoff_is_jittered_within_the_upper_half_and_never_zero(
    failures: int, r: float
) -> None:
    delay = backoff_delay(failures, lambda: r, base=0.5, cap=30.0)
    ceiling = min(30.0, 0.5 * 2.0 ** min(max(failures - 1, 0), 32))
    assert ceiling / 2 <= delay <= ceiling
    assert delay > 0


def test_status_classes() -> None:
    assert [status_class(Delivered(s)) for s in (204, 404, 503)] == [
        "2xx",
        "4xx",
        "5xx",
    ]
    assert status_class(Unreachable("x")) == "unreachable"
