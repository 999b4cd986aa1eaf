# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Start-up never waits for MO; readiness says whether events flow, and why not."""

from uuid import UUID
from uuid import uuid4

import httpx
import pytest
from fastapi import APIRouter
from fastapi import FastAPI

from fastramqpi.emulator import Emulator
from fastramqpi.events import Event
from fastramqpi.events import Listener
from fastramqpi.events import _system as system
from tests.events.conftest import Logs
from tests.events.conftest import integration
from tests.events.conftest import pending_subjects
from tests.events.conftest import running
from tests.events.conftest import unique
from tests.servers import closed_port
from tests.servers import serve
from tests.waiting import until


def _recording_router(handled: list[str]) -> APIRouter:
    router = APIRouter()

    @router.post("/events/person")
    async def handle(event: Event[UUID]) -> None:
        handled.append(str(event.subject))

    return router


def _listener(user_key: str | None = None, routing_key: str = "person") -> Listener:
    return Listener(
        namespace="mo",
        user_key=user_key or unique("person"),
        routing_key=routing_key,
        path="/events/person",
    )


async def _events_ready(url: str) -> bool:
    async with httpx.AsyncClient(base_url=url) as client:
        response = await client.get("/health/ready")
    ready: bool = response.json()["GraphQL events"]
    return ready


async def test_start_up_does_not_wait_for_an_unreachable_mo(
    emu: Emulator, logs: Logs
) -> None:
    with closed_port() as port:
        dead = f"http://127.0.0.1:{port}"
        fastramqpi = integration(
            emu, APIRouter(), [_listener()], mo_url=dead, auth_token_url=f"{dead}/token"
        )
        async with serve(fastramqpi.get_app()) as url:
            async with httpx.AsyncClient(base_url=url) as client:
                response = await client.get("/health/ready")
            await until(lambda: len(logs("Declaring events listeners failed")) >= 2)
            reason = fastramqpi.get_context()["graphql_events"].reason
    assert response.status_code == 503
    assert response.json()["GraphQL events"] is False
    assert "cannot declare listeners in MO" in reason


async def test_declaring_is_retried_until_mo_answers(emu: Emulator) -> None:
    handled: list[str] = []
    fastramqpi = integration(emu, _recording_router(handled), [_listener()])
    emu.faults.fail_next(4, status=503)
    async with serve(fastramqpi.get_app()) as url:
        assert await _events_ready(url) is False
        await until(fastramqpi.get_context()["graphql_events"].is_ready)
        assert await _events_ready(url) is True
        subject = str(uuid4())
        emu.emit("person", subject)
        await until(lambda: set(handled) == {subject} and not emu.pending())


async def test_a_declaration_mo_rejects_is_logged_and_keeps_readiness_false(
    emu: Emulator, logs: Logs
) -> None:
    """Reusing a user_key with another routing key is an error in MO; the other listeners run."""
    taken = unique("taken")
    async with running(
        integration(emu, APIRouter(), [_listener(taken, routing_key="class")])
    ):
        pass

    handled: list[str] = []
    fine = _listener()
    fastramqpi = integration(emu, _recording_router(handled), [_listener(taken), fine])
    events = fastramqpi.get_context()["graphql_events"]
    async with serve(fastramqpi.get_app()) as url:
        await until(
            lambda: bool(logs("MO rejected the events declaration; retrying later"))
        )
        await until(lambda: ("mo", fine.user_key) in events.fetchers)
        subject = str(uuid4())
        emu.emit("person", subject)
        await until(lambda: set(handled) == {subject})
        assert await _events_ready(url) is False
        reason = events.reason
        [not_ready] = logs("GraphQL events not ready")
        assert not_ready["reason"] == reason

    [error] = logs("MO rejected the events declaration; retrying later")
    assert error["level"] == "error"
    assert taken in error["reason"]
    assert "routing" in error["reason"].lower()
    assert reason == error["reason"]


async def test_readiness_turns_false_while_mo_keeps_failing_fetches(
    emu: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(system, "UNREACHABLE_THRESHOLD", 0.2)
    fastramqpi = integration(emu, APIRouter(), [_listener()])
    events = fastramqpi.get_context()["graphql_events"]
    async with running(fastramqpi) as url:
        emu.faults.fail_next(1000, status=502)
        await until(lambda: not events.is_ready())
        assert await _events_ready(url) is False
        assert "cannot reach MO" in events.reason
        emu.faults.clear()
        await until(events.is_ready)


async def test_event_delivery_url_sends_events_to_another_process_over_http(
    emu: Emulator,
) -> None:
    handled: list[str] = []
    elsewhere = FastAPI()
    elsewhere.include_router(_recording_router(handled))
    subject = str(uuid4())
    async with serve(elsewhere) as handler_url:
        fastramqpi = integration(
            emu, APIRouter(), [_listener()], event_delivery_url=handler_url
        )
        async with running(fastramqpi):
            emu.emit("person", subject)
            await until(lambda: set(handled) == {subject} and not pending_subjects(emu))


async def test_an_unreachable_handler_process_leaves_events_in_mo(
    emu: Emulator, logs: Logs
) -> None:
    subject = str(uuid4())
    with closed_port() as port:
        dead = f"http://127.0.0.1:{port}"
        fastramqpi = integration(
            emu, APIRouter(), [_listener()], event_delivery_url=dead
        )
        async with running(fastramqpi):
            emu.emit("person", subject)
            await until(
                lambda: bool(logs("Event handler unreachable; event left in MO"))
            )
    assert pending_subjects(emu) == {subject}
