# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""A bug is not an outage: fetching and declaring log a bug's traceback, count it, and retry."""

from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from uuid import UUID
from uuid import uuid4

import httpx
import pytest
from prometheus_client import REGISTRY
from pydantic import ValidationError
from structlog.testing import capture_logs

from fastramqpi._events_client import GraphQLClientGraphQLError
from fastramqpi._events_client import GraphQLClientGraphQLMultiError
from fastramqpi._events_client import GraphQLClientHttpError
from fastramqpi._events_client.fetch_event import FetchEvent
from fastramqpi.events import GraphQLEvents
from fastramqpi.events import Listener
from fastramqpi.events._delivery import InProcess
from fastramqpi.events._errors import is_outage
from fastramqpi.events._fetcher import ListenerFetchers
from fastramqpi.events._system import EventsSystem
from fastramqpi.mo import TokenRefused
from tests.events.conftest import until

FETCH_FAILED = "Fetching an event from MO failed"
DECLARE_FAILED = "Declaring events listeners failed"


def _validation_error(data: dict[str, Any]) -> ValidationError:
    """What the generated client raises when MO's answer does not match the schema."""
    try:
        FetchEvent.model_validate(data)
    except ValidationError as error:
        return error
    raise AssertionError("valid")


BUG = _validation_error({"event_fetch": {"subject": "s"}})
OTHER_BUG = _validation_error({"event_fetch": {"subject": "s", "priority": "high"}})
_REQUEST = httpx.Request("POST", "http://mo/graphql/v25")


@pytest.mark.parametrize(
    "error",
    [
        httpx.ConnectError("refused", request=_REQUEST),
        httpx.ReadTimeout("slow", request=_REQUEST),
        httpx.RemoteProtocolError("dropped", request=_REQUEST),
        GraphQLClientHttpError(503, httpx.Response(503)),
        GraphQLClientHttpError(500, httpx.Response(500)),
        TokenRefused("The token endpoint refused client 'x'"),
    ],
)
def test_transport_failures_are_outages(error: Exception) -> None:
    assert is_outage(error)


@pytest.mark.parametrize(
    "error",
    [
        BUG,
        GraphQLClientHttpError(400, httpx.Response(400)),
        GraphQLClientGraphQLMultiError([GraphQLClientGraphQLError("bad query")]),
        KeyError("token"),
        TypeError("unexpected keyword"),
    ],
)
def test_anything_else_is_a_bug(error: Exception) -> None:
    assert not is_outage(error)


def _unexpected(stage: str) -> float:
    value = REGISTRY.get_sample_value(
        "fastramqpi_events_unexpected_errors_total", {"stage": stage}
    )
    return value or 0.0


@dataclass
class FailingMO:
    """MO's side, raising ``failures`` in turn before it hands out one event."""

    failures: list[Exception]
    fetches: int = 0
    acked: list[str] = field(default_factory=list)
    handed_out: bool = False

    async def fetch_event(
        self, listener: UUID, on_sent: Callable[[], None] | None = None
    ) -> FetchEvent:
        self.fetches += 1
        if self.failures:
            raise self.failures.pop(0)
        if self.handed_out:
            return FetchEvent(event_fetch=None)
        self.handed_out = True
        event = {"subject": str(uuid4()), "priority": 1, "token": "t"}
        return FetchEvent.model_validate({"event_fetch": event})

    async def acknowledge_events(self, tokens: Sequence[str]) -> bool:
        self.acked.extend(tokens)
        return True

    async def declare_namespace(self, name: str, public: bool) -> object:
        return True

    async def declare_listener(
        self, namespace: str, user_key: str, routing_key: str
    ) -> Any:
        if self.failures:
            raise self.failures.pop(0)

        @dataclass
        class Declared:
            uuid: UUID

        @dataclass
        class Result:
            event_listener_declare: Declared

        return Result(Declared(uuid4()))


def _listener() -> Listener:
    return Listener("mo", f"errors-{uuid4().hex[:8]}", "person", "/events")


def _handlers() -> InProcess:
    from fastapi import FastAPI

    app = FastAPI()

    @app.post("/events")
    async def handle() -> None:
        pass

    return InProcess(app, {})


async def test_a_bug_in_fetching_is_logged_with_its_traceback_when_it_changes_and_retried() -> (
    None
):
    outage = httpx.ConnectError("refused", request=_REQUEST)
    mo = FailingMO([BUG, BUG, outage, OTHER_BUG])
    before = _unexpected("fetch")
    with capture_logs() as logs:
        fetchers = ListenerFetchers(
            _listener(),
            uuid4(),
            mo,
            _handlers(),
            idle_interval=lambda: 0.05,
            rng=lambda: 0.0,
        )
        fetchers.start()
        try:
            await until(lambda: mo.acked == ["t"])
        finally:
            await fetchers.stop(grace=1.0)

    failures = [line for line in logs if line["event"] == FETCH_FAILED]
    assert [(f["log_level"], f.get("exc_info")) for f in failures] == [
        ("error", BUG),
        ("warning", None),
        ("warning", None),
        ("error", OTHER_BUG),
    ]
    assert "ValidationError" in failures[1]["error"]
    assert failures[2]["error"] == "ConnectError: refused"
    assert _unexpected("fetch") == before + 3


async def test_a_bug_in_declaring_is_logged_with_its_traceback_and_retried() -> None:
    mo = FailingMO([BUG, BUG])
    before = _unexpected("declare")
    with capture_logs() as logs:
        system = EventsSystem(
            GraphQLEvents(declare_listeners=[_listener()]),
            lambda: (mo, _handlers()),
            idle_interval=lambda: 0.05,
            rng=lambda: 0.0,
        )
        async with system:
            await until(system.is_ready)

    failures = [line for line in logs if line["event"] == DECLARE_FAILED]
    assert [(f["log_level"], f.get("exc_info")) for f in failures] == [
        ("error", BUG),
        ("warning", None),
    ]
    assert _unexpected("declare") == before + 2
