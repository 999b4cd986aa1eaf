# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""MO's realm roles: an operation without its role is a GraphQL error."""

import base64
import json
from collections.abc import Iterator

import pytest

from fastramqpi.emulator import Emulator
from fastramqpi.emulator import FakeClock
from fastramqpi.emulator import serve_emulator

from .client import MO

EVENTS = """
query Events($listener: UUID!) {
  events(filter: {listeners: {uuids: [$listener]}}) { objects { subject } }
}
"""
FETCHER_ROLES = ["fetch_event", "acknowledge_event", "create_event_listener"]


@pytest.fixture
def emu() -> Iterator[Emulator]:
    roles = {"fetcher": FETCHER_ROLES}
    with serve_emulator(Emulator(clock=FakeClock(), roles=roles)) as emulator:
        yield emulator


def test_events_is_refused_without_read_event(emu: Emulator) -> None:
    with MO(emu, "fetcher") as fetcher:
        listener = fetcher.declare_listener("person")
        emu.emit("person", "p1")
        body = fetcher.execute(EVENTS, listener=listener)
        assert body["data"] is None
        assert len(body["errors"]) == 1
        # The roles the client has still work.
        event = fetcher.fetch(listener)
        assert event is not None
        assert event["subject"] == "p1"
        assert fetcher.ack(event["token"])


def test_clients_not_named_keep_every_role(emu: Emulator) -> None:
    with MO(emu, "reader") as reader:
        listener = reader.declare_listener("person")
        emu.emit("person", "p1")
        found = reader.data(EVENTS, listener=listener)["events"]["objects"]
        assert found == [{"subject": "p1"}]


def test_the_token_lists_the_clients_roles(emu: Emulator) -> None:
    with MO(emu, "fetcher") as fetcher:
        payload = fetcher.token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert sorted(claims["realm_access"]["roles"]) == sorted(FETCHER_ROLES)


def test_a_client_without_a_role_is_refused_each_operation_needing_it(
    emu: Emulator,
) -> None:
    with MO(emu, "fetcher") as fetcher:
        assert fetcher.errors(
            'mutation { event_send(input: {namespace: "mo", routing_key: "p", '
            'subject: "s"}) }'
        )
        assert fetcher.errors("{ event_listeners { objects { uuid } } }")


def test_an_unknown_role_is_refused_at_construction() -> None:
    with pytest.raises(ValueError, match="read_evnt"):
        Emulator(roles={"fetcher": ["read_evnt"]})
