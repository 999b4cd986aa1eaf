# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
import httpx
import pytest

from fastramqpi.emulator import Emulator
from fastramqpi.emulator import FakeClock

from .client import MO


def _post(emu: Emulator, path: str, **kwargs: object) -> httpx.Response:
    return httpx.post(f"{emu.url}{path}", **kwargs)  # type: ignore[arg-type]


def test_reset_last_tried_makes_every_event_due(emu: Emulator, mo: MO) -> None:
    listener = mo.declare_listener("person")
    emu.emit("person", "p")
    assert mo.fetch(listener) is not None
    assert mo.fetch(listener) is None
    assert _post(emu, "/testing/events/reset-last-tried").status_code == 204
    assert mo.fetch(listener) is not None


def test_emit_over_http_delivers_mos_own_event(emu: Emulator, mo: MO) -> None:
    listener = mo.declare_listener("org_unit")
    response = _post(
        emu,
        "/testing/events/emit",
        json={
            "routing_key": "org_unit",
            "subject": "u-1",
            "namespace": "mo",
            "priority": 3,
        },
    )
    assert response.status_code == 204
    event = mo.fetch(listener)
    assert event is not None
    assert (event["subject"], event["priority"]) == ("u-1", 3)


def test_emit_over_http_defaults_to_mo_and_priority_10000(
    emu: Emulator, mo: MO
) -> None:
    listener = mo.declare_listener("person")
    response = _post(
        emu, "/testing/events/emit", json={"routing_key": "person", "subject": "p"}
    )
    assert response.status_code == 204
    event = mo.fetch(listener)
    assert event is not None
    assert event["priority"] == 10000


@pytest.mark.parametrize(
    "body",
    [
        {"subject": "p"},
        {"routing_key": "person", "subject": "p", "priority": 0},
        {"routing_key": "person", "subject": "x" * 221},
        {"routing_key": "person", "subject": "p", "namespace": "unknown"},
    ],
)
def test_emit_over_http_refuses_what_mo_would(
    emu: Emulator, body: dict[str, object]
) -> None:
    assert _post(emu, "/testing/events/emit", json=body).status_code == 400


def test_snapshot_and_restore(emu: Emulator, mo: MO) -> None:
    listener = mo.declare_listener("person")
    emu.emit("person", "before")
    assert _post(emu, "/testing/database/snapshot").status_code == 204
    emu.emit("person", "after")
    event = mo.fetch(listener)
    assert event is not None
    mo.ack(event["token"])
    assert _post(emu, "/testing/database/restore").status_code == 204
    assert [e.subject for e in emu.pending()] == ["before"]
    assert [e["subject"] for e in mo.fetch_all(listener)] == ["before"]


def test_restore_without_a_snapshot_is_refused(emu: Emulator) -> None:
    assert _post(emu, "/testing/database/restore").status_code == 400


def test_reset_empties_the_database_but_keeps_namespace_mo(
    emu: Emulator, mo: MO
) -> None:
    listener = mo.declare_listener("person")
    emu.emit("person", "p")
    assert _post(emu, "/testing/database/reset").status_code == 204
    assert emu.pending() == []
    assert mo.fetch(listener) is None
    assert mo.declare_listener("person") != listener


def test_testing_endpoints_need_no_token(emu: Emulator) -> None:
    for path in ["/testing/amqp/emit", "/testing/database/setup"]:
        assert _post(emu, path).status_code == 204


def test_python_emit_and_pending(emu: Emulator, clock: FakeClock, mo: MO) -> None:
    listener = mo.declare_listener("person")
    emu.emit("person", "p", priority=4)
    (pending,) = emu.pending()
    assert (pending.subject, pending.priority, pending.routing_key) == (
        "p",
        4,
        "person",
    )
    assert (pending.namespace, str(pending.listener)) == ("mo", listener)
    assert pending.fetched_count == 0
    assert mo.fetch(listener) is not None
    assert emu.pending()[0].fetched_count == 1
    assert emu.pending()[0].last_tried == clock.now()
