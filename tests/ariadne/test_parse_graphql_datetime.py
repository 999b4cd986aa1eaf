# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from datetime import timezone
from typing import Annotated
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel
from pydantic import BeforeValidator
from pydantic import ValidationError

from fastramqpi.ariadne import parse_graphql_datetime

COPENHAGEN = ZoneInfo("Europe/Copenhagen")


def _last_sunday(year: int, month: int) -> datetime:
    day = datetime(year, month, 31, 1, tzinfo=UTC)
    return day - timedelta(days=(day.weekday() + 1) % 7)


# Danish clocks change at 01:00 UTC on the last Sundays of March and October.
_DST_CHANGES = [_last_sunday(y, m) for y in range(1981, 2038) for m in (3, 10)]

_near_a_dst_change = st.builds(
    lambda change, seconds: change + timedelta(seconds=seconds),
    st.sampled_from(_DST_CHANGES),
    st.integers(min_value=-3 * 3600, max_value=3 * 3600),
)
_any_instant = st.datetimes(
    min_value=datetime(1900, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.just(UTC),
)
_instants = st.one_of(_near_a_dst_change, _any_instant)
_offsets = st.one_of(
    st.sampled_from([timedelta(hours=h) for h in (-5, 0, 1, 2, 3)]),
    st.integers(min_value=-14 * 60, max_value=14 * 60).map(
        lambda m: timedelta(minutes=m)
    ),
)


def _same_instant(a: datetime, b: datetime) -> bool:
    """``==`` is False for the repeated autumn hour in another zone (PEP 495's fold rule)."""
    return a - b == timedelta(0)


@given(instant=_instants)
def test_copenhagen_times_get_the_copenhagen_zone(instant: datetime) -> None:
    """What MO sends (Danish local time with its offset) comes back in the real zone."""
    sent = instant.astimezone(COPENHAGEN).isoformat()  # e.g. 2024-03-31T03:30:00+02:00

    parsed = parse_graphql_datetime(sent)

    assert parsed.tzinfo == COPENHAGEN
    assert _same_instant(parsed, instant)
    assert parsed.isoformat() == sent


@given(instant=_instants, offset=_offsets)
def test_the_instant_and_wall_clock_are_kept_and_the_zone_named_only_when_it_fits(
    instant: datetime, offset: timedelta
) -> None:
    sent = instant.astimezone(timezone(offset))

    parsed = parse_graphql_datetime(sent.isoformat())

    assert _same_instant(parsed, instant)
    assert parsed.replace(tzinfo=None) == sent.replace(tzinfo=None)
    assert parsed.utcoffset() == offset
    copenhagen_offset = instant.astimezone(COPENHAGEN).utcoffset()
    assert (parsed.tzinfo == COPENHAGEN) == (offset == copenhagen_offset)


def test_arithmetic_across_a_dst_change_keeps_local_time() -> None:
    """The reason for the zone: "the same time tomorrow" stays right over a DST change."""
    saturday = parse_graphql_datetime("2024-03-30T12:00:00+01:00")

    sunday = saturday + timedelta(days=1)

    assert sunday.isoformat() == "2024-03-31T12:00:00+02:00"


def test_both_halves_of_the_repeated_autumn_hour_stay_distinct() -> None:
    first = parse_graphql_datetime("2024-10-27T02:30:00+02:00")
    second = parse_graphql_datetime("2024-10-27T02:30:00+01:00")

    assert first.tzinfo == second.tzinfo == COPENHAGEN
    assert second.timestamp() - first.timestamp() == 3600
    assert (first.isoformat(), second.isoformat()) == (
        "2024-10-27T02:30:00+02:00",
        "2024-10-27T02:30:00+01:00",
    )


def test_other_offsets_are_kept() -> None:
    parsed = parse_graphql_datetime(
        "2024-07-01T12:00:00+01:00"
    )  # summer: Copenhagen is +02

    assert parsed.tzinfo != COPENHAGEN
    assert parsed.isoformat() == "2024-07-01T12:00:00+01:00"


def test_utc_with_z_is_parsed() -> None:
    assert parse_graphql_datetime("2024-07-01T10:00:00Z") == datetime(
        2024, 7, 1, 10, tzinfo=UTC
    )


def test_naive_times_stay_naive() -> None:
    assert parse_graphql_datetime("2024-07-01T12:00:00") == datetime(2024, 7, 1, 12)


def test_a_datetime_passes_through() -> None:
    value = datetime(2024, 7, 1, 12, tzinfo=timezone(timedelta(hours=2)))

    assert parse_graphql_datetime(value) is value


def test_the_extremes_of_datetime_do_not_overflow() -> None:
    assert parse_graphql_datetime("0001-01-01T00:00:00+01:00").year == 1
    assert parse_graphql_datetime("9999-12-31T23:59:59-01:00").year == 9999


class _Result(BaseModel):
    """A field as ariadne-codegen generates it with ``parse = ...parse_graphql_datetime``."""

    at: Annotated[datetime, BeforeValidator(parse_graphql_datetime)]


def test_in_a_generated_model_the_zone_survives_validation() -> None:
    assert (
        _Result.model_validate_json('{"at": "2024-01-01T00:00:00+01:00"}').at.tzinfo
        == COPENHAGEN
    )


def test_garbage_is_a_validation_error_in_a_model() -> None:
    with pytest.raises(ValueError, match="not a GraphQL DateTime"):
        parse_graphql_datetime("yesterday")
    with pytest.raises(ValidationError):
        _Result.model_validate({"at": "yesterday"})
