# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""What the events command reads from MO's lists: pure functions, no server."""

import base64
import json
from uuid import uuid4

import pytest

from fastramqpi.events._queue import CommandError
from fastramqpi.events._queue import ListenerInfo
from fastramqpi.events._queue import PendingEvent
from fastramqpi.events._queue import affected
from fastramqpi.events._queue import counts
from fastramqpi.events._queue import owner_of_token
from fastramqpi.events._queue import select
from fastramqpi.events._queue import table

PERSONS = ListenerInfo("mo", "person-sync", "person", uuid4())
UNITS = ListenerInfo("mo", "unit-sync", "org_unit", uuid4())
EVENTS = [
    PendingEvent(PERSONS, "a", 10, silenced=False),
    PendingEvent(PERSONS, "b", 10, silenced=True),
    PendingEvent(PERSONS, "c", 5, silenced=False),
]


def _jwt(claims: dict[str, object]) -> str:
    part = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"eyJhbGciOiJIUzI1NiJ9.{part}.signature"


def test_the_owner_is_the_tokens_uuid_claim() -> None:
    owner = uuid4()
    assert owner_of_token(_jwt({"uuid": str(owner), "azp": "x"})) == owner


@pytest.mark.parametrize(
    "token", ["not-a-jwt", _jwt({"azp": "x"}), _jwt({"uuid": "nope"}), "a.!!!.b"]
)
def test_a_token_without_an_owner_is_a_clear_error(token: str) -> None:
    with pytest.raises(CommandError, match="'uuid' claim"):
        owner_of_token(token)


def test_counts_include_listeners_without_events() -> None:
    assert [
        (r["user_key"], r["pending"], r["silenced"])
        for r in counts([PERSONS, UNITS], EVENTS)
    ] == [
        ("person-sync", 3, 1),
        ("unit-sync", 0, 0),
    ]


def test_each_action_affects_only_events_it_changes() -> None:
    assert [e.subject for e in affected("silence", EVENTS)] == ["a", "c"]
    assert [e.subject for e in affected("unsilence", EVENTS)] == ["b"]
    assert [e.subject for e in affected("rerun", EVENTS)] == ["a", "b", "c"]


def test_select_by_user_key_across_namespaces() -> None:
    mine = ListenerInfo("my_integration", "person-sync", "person", uuid4())
    listeners = [PERSONS, UNITS, mine]
    assert select(listeners, None, "x") == listeners
    assert select(listeners, "person-sync", "x") == [PERSONS, mine]
    with pytest.raises(
        CommandError, match=r"'nope'.*its listeners: person-sync, unit-sync"
    ):
        select(listeners, "nope", "x")
    with pytest.raises(CommandError, match="it has no listeners"):
        select([], "nope", "x")


def test_table_aligns_columns_and_numbers_right() -> None:
    rows: list[dict[str, object]] = [
        {"name": "a", "count": 5, "flag": True},
        {"name": "long-name", "count": 120, "flag": False},
    ]
    assert table(rows, ["name", "count", "flag"]).splitlines() == [
        "NAME       COUNT  FLAG",
        "a              5  yes",
        "long-name    120  no",
    ]
