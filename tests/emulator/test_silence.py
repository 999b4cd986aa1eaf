# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
from fastramqpi.emulator import Emulator

from .client import MO

SILENCE = """
mutation Silence($listener: UUID!, $subjects: [String!]!) {
  event_silence(input: {listeners: {uuids: [$listener]}, subjects: $subjects})
}
"""
UNSILENCE = """
mutation Unsilence($subjects: [String!]) { event_unsilence(input: {subjects: $subjects}) }
"""
RERUN = """
mutation Rerun($listener: UUID!, $priorities: [Int!]) {
  event_rerun(input: {listeners: {uuids: [$listener]}, priorities: $priorities}) {
    subject priority silenced listener { uuid }
  }
}
"""
SILENCED = """
query Silenced($listener: UUID!) {
  events(filter: {listeners: {uuids: [$listener]}, silenced: true}) {
    objects { subject }
  }
}
"""


def test_silenced_events_are_still_delivered(emu: Emulator, mo: MO) -> None:
    listener = mo.declare_listener("person")
    emu.emit("person", "p")
    assert mo.data(SILENCE, listener=listener, subjects=["p"]) == {
        "event_silence": True
    }
    assert mo.data(SILENCED, listener=listener)["events"]["objects"] == [
        {"subject": "p"}
    ]
    event = mo.fetch(listener)
    assert event is not None
    assert event["subject"] == "p"


def test_silence_only_touches_the_listeners_and_subjects_named(
    emu: Emulator, mo: MO
) -> None:
    listener = mo.declare_listener("person")
    other = mo.declare_listener("person")
    emu.emit("person", "p")
    emu.emit("person", "q")
    mo.data(SILENCE, listener=listener, subjects=["p"])
    silenced = {(str(e.listener), e.subject) for e in emu.pending() if e.silenced}
    assert silenced == {(listener, "p")}
    assert mo.data(SILENCED, listener=other)["events"]["objects"] == []


def test_unsilence_clears_the_flag_and_retries_at_once(emu: Emulator, mo: MO) -> None:
    listener = mo.declare_listener("person")
    emu.emit("person", "p")
    mo.data(SILENCE, listener=listener, subjects=["p"])
    assert mo.fetch(listener) is not None
    assert mo.fetch(listener) is None
    assert mo.data(UNSILENCE, subjects=["p"]) == {"event_unsilence": True}
    assert mo.data(SILENCED, listener=listener)["events"]["objects"] == []
    event = mo.fetch(listener)
    assert event is not None
    assert event["subject"] == "p"


def test_rerun_returns_the_events_and_retries_them_at_once(
    emu: Emulator, mo: MO
) -> None:
    listener = mo.declare_listener("person")
    emu.emit("person", "low", priority=5)
    emu.emit("person", "high", priority=9)
    assert len(mo.fetch_all(listener)) == 2
    rerun = mo.data(RERUN, listener=listener, priorities=[5])["event_rerun"]
    assert rerun == [
        {
            "subject": "low",
            "priority": 5,
            "silenced": False,
            "listener": {"uuid": listener},
        }
    ]
    assert [e["subject"] for e in mo.fetch_all(listener)] == ["low"]
