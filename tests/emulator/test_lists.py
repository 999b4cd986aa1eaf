# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
from collections.abc import Callable
from typing import Any

from fastramqpi.emulator import Emulator

from .client import MO
from .client import unique

EVENTS = """
query Events($listener: UUID!, $limit: int, $cursor: Cursor) {
  events(filter: {listeners: {uuids: [$listener]}}, limit: $limit, cursor: $cursor) {
    objects { subject priority silenced listener { uuid user_key } }
    page_info { next_cursor }
  }
}
"""
LISTENERS = """
query Listeners($owner: UUID!, $limit: int, $cursor: Cursor) {
  event_listeners(filter: {owners: [$owner]}, limit: $limit, cursor: $cursor) {
    objects { user_key routing_key namespace { name } }
    page_info { next_cursor }
  }
}
"""
NAMESPACES = """
query Namespaces($owner: UUID!, $limit: int, $cursor: Cursor) {
  event_namespaces(filter: {owners: [$owner]}, limit: $limit, cursor: $cursor) {
    objects { name public listeners { user_key } }
    page_info { next_cursor }
  }
}
"""


def _read_pages(mo: MO, query: str, field: str, **variables: Any) -> list[list[Any]]:
    """Every page, following next_cursor until it is null."""
    pages = []
    cursor = None
    while True:
        page = mo.data(query, cursor=cursor, **variables)[field]
        pages.append(page["objects"])
        cursor = page["page_info"]["next_cursor"]
        if cursor is None:
            return pages


def test_events_are_paged_with_a_cursor(emu: Emulator, mo: MO) -> None:
    listener = mo.declare_listener("person", "persons")
    for subject in "abcde":
        emu.emit("person", subject)
    pages = _read_pages(mo, EVENTS, "events", listener=listener, limit=2)
    assert [[e["subject"] for e in page] for page in pages] == [
        ["a", "b"],
        ["c", "d"],
        ["e"],
    ]
    assert pages[0][0]["listener"] == {"uuid": listener, "user_key": "persons"}


def test_without_a_limit_everything_comes_in_one_page(emu: Emulator, mo: MO) -> None:
    listener = mo.declare_listener("person")
    for subject in "abc":
        emu.emit("person", subject)
    assert len(_read_pages(mo, EVENTS, "events", listener=listener, limit=None)) == 1


def test_events_filter_by_subject_and_priority(emu: Emulator, mo: MO) -> None:
    listener = mo.declare_listener("person")
    emu.emit("person", "a", priority=1)
    emu.emit("person", "b", priority=2)
    emu.emit("person", "c", priority=2)
    found = mo.data(
        """
        query Find($listener: UUID!) {
          events(filter: {listeners: {uuids: [$listener]}, subjects: ["a", "c"],
                          priorities: [2]}) { objects { subject } }
        }
        """,
        listener=listener,
    )
    assert found == {"events": {"objects": [{"subject": "c"}]}}


def test_listeners_are_paged_and_filtered_by_owner(
    emu: Emulator, connect: Callable[..., MO]
) -> None:
    alice, bob = connect(), connect()
    for user_key in ["l1", "l2", "l3"]:
        alice.declare_listener("person", user_key)
    bob.declare_listener("person", "l4")
    owner = str(emu.owner_of(alice.client_id))
    pages = _read_pages(alice, LISTENERS, "event_listeners", owner=owner, limit=2)
    assert [[lst["user_key"] for lst in page] for page in pages] == [
        ["l1", "l2"],
        ["l3"],
    ]
    assert pages[0][0]["namespace"] == {"name": "mo"}


def test_namespaces_are_paged_and_list_their_listeners(
    emu: Emulator, connect: Callable[..., MO]
) -> None:
    alice, bob = connect(), connect()
    names = [unique("ns") for _ in range(3)]
    for name in names:
        alice.declare_namespace(name, public=True)
    bob.declare_listener("thing", "bobs", namespace=names[0])
    owner = str(emu.owner_of(alice.client_id))
    pages = _read_pages(alice, NAMESPACES, "event_namespaces", owner=owner, limit=2)
    flat = [ns for page in pages for ns in page]
    assert [len(page) for page in pages] == [2, 1]
    assert [ns["name"] for ns in flat] == names
    assert flat[0]["listeners"] == [{"user_key": "bobs"}]
    assert flat[0]["public"] is True


def test_listener_events_lists_its_stored_events(emu: Emulator, mo: MO) -> None:
    listener = mo.declare_listener("person", "persons")
    emu.emit("person", "a")
    emu.emit("person", "b")
    found = mo.data(
        """
        query Mine($listener: UUID!) {
          event_listeners(filter: {uuids: [$listener]}) {
            objects { events(filter: {subjects: ["b"]}) { subject silenced } }
          }
        }
        """,
        listener=listener,
    )
    assert found == {
        "event_listeners": {
            "objects": [{"events": [{"subject": "b", "silenced": False}]}]
        }
    }


def test_a_garbage_cursor_is_an_error(mo: MO) -> None:
    listener = mo.declare_listener("person")
    assert mo.errors(EVENTS, listener=listener, limit=2, cursor="garbage")


MANY_EVENTS = """
query Events($listeners: [UUID!]!, $limit: int, $cursor: Cursor) {
  events(filter: {listeners: {uuids: $listeners}}, limit: $limit, cursor: $cursor) {
    objects { subject priority silenced listener { uuid } }
    page_info { next_cursor }
  }
}
"""


def test_one_read_lists_the_pending_events_of_many_listeners_page_by_page(
    emu: Emulator, connect: Callable[..., MO]
) -> None:
    mo, other = connect(), connect()
    persons = mo.declare_listener("person")
    units = mo.declare_listener("org_unit")
    other.declare_listener("person")
    for subject in ["p1", "p2", "p3"]:
        emu.emit("person", subject)
    emu.emit("org_unit", "u1", priority=5)
    emu.emit("class", "c1")
    pages = _read_pages(mo, MANY_EVENTS, "events", listeners=[persons, units], limit=2)
    listed = [
        (event["listener"]["uuid"], event["subject"], event["priority"])
        for page in pages
        for event in page
    ]
    assert all(len(page) <= 2 for page in pages)
    assert sorted(listed) == sorted(
        [
            (persons, "p1", 10000),
            (persons, "p2", 10000),
            (persons, "p3", 10000),
            (units, "u1", 5),
        ]
    )


def test_events_lists_claimed_events_until_they_are_acknowledged(
    emu: Emulator, mo: MO
) -> None:
    listener = mo.declare_listener("person")
    emu.emit("person", "a")
    emu.emit("person", "b")
    claimed = mo.fetch(listener)
    assert claimed is not None
    listed = mo.data(MANY_EVENTS, listeners=[listener])["events"]["objects"]
    assert sorted(event["subject"] for event in listed) == ["a", "b"]
    mo.ack(claimed["token"])
    listed = mo.data(MANY_EVENTS, listeners=[listener])["events"]["objects"]
    assert [event["subject"] for event in listed] == [
        subject for subject in "ab" if subject != claimed["subject"]
    ]


def test_paging_ends_when_the_last_page_is_full(emu: Emulator, mo: MO) -> None:
    """The spec does not say whether a full last page carries a cursor; either way the
    pages end, and hold every event once."""
    listener = mo.declare_listener("person")
    for subject in "abcd":
        emu.emit("person", subject)
    pages = _read_pages(mo, MANY_EVENTS, "events", listeners=[listener], limit=2)
    assert all(len(page) <= 2 for page in pages)
    assert sorted(event["subject"] for page in pages for event in page) == list("abcd")


def test_listing_an_empty_listener_gives_no_cursor(mo: MO) -> None:
    listener = mo.declare_listener("person")
    page = mo.data(MANY_EVENTS, listeners=[listener], limit=10)["events"]
    assert page == {"objects": [], "page_info": {"next_cursor": None}}
