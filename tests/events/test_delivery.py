# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""In-process delivery: the app is served as a server would serve it, and the fetcher sees
what a client over HTTP would see."""

from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID
from uuid import uuid4

from fastapi import BackgroundTasks
from fastapi import FastAPI
from fastapi import Request
from fastapi import Response
from fastapi.responses import StreamingResponse
from starlette.types import Receive
from starlette.types import Scope
from starlette.types import Send

from fastramqpi.config import Settings
from fastramqpi.events import Event
from fastramqpi.events._decisions import Delivered
from fastramqpi.events._decisions import Unreachable
from fastramqpi.events._delivery import InProcess
from fastramqpi.main import FastRAMQPI
from tests.events.conftest import Logs


def _integration() -> FastRAMQPI:
    return FastRAMQPI(
        application_name="delivery-test",
        settings=Settings(client_id="id", client_secret="secret"),
        graphql_version=25,
    )


async def test_the_handler_gets_the_event_its_request_id_and_the_lifespan_context() -> (
    None
):
    fastramqpi = _integration()
    seen: dict[str, Any] = {}

    @fastramqpi.get_app().post("/events")
    async def handle(event: Event[UUID], request: Request) -> None:
        seen["event"] = event
        seen["request_id"] = request.headers["x-request-id"]
        seen["context"] = request.state.context

    subject = uuid4()
    handlers = InProcess(fastramqpi.get_app(), {"context": fastramqpi.get_context()})
    response = await handlers.deliver("/events", str(subject), 10000)

    assert response.outcome == Delivered(200)
    assert seen["event"] == Event(subject=subject, priority=10000)
    assert seen["request_id"] == response.request_id
    assert seen["context"] is fastramqpi.get_context()
    second = await handlers.deliver("/events", str(subject), 10000)
    assert second.request_id != response.request_id


async def test_an_invalid_event_is_the_apps_422() -> None:
    fastramqpi = _integration()

    @fastramqpi.get_app().post("/events")
    async def handle(event: Event[int]) -> None:
        pass

    handlers = InProcess(fastramqpi.get_app(), {})
    response = await handlers.deliver("/events", "not a number", 1)

    assert response.outcome == Delivered(422)
    assert "subject" in response.body


async def test_a_crashing_handler_is_the_apps_500_with_the_request_id(
    logs: Logs,
) -> None:
    fastramqpi = _integration()

    @fastramqpi.get_app().post("/events")
    async def handle(event: Event[UUID]) -> None:
        raise RuntimeError("handler is on fire")

    handlers = InProcess(fastramqpi.get_app(), {})
    response = await handlers.deliver("/events", str(uuid4()), 1)

    assert response.outcome == Delivered(500)
    assert response.request_id in response.body
    assert "on fire" not in response.body
    [line] = logs("Unhandled exception while serving a request")
    assert line["request_id"] == response.request_id


async def test_an_exception_no_middleware_caught_is_a_500_and_logged(
    logs: Logs,
) -> None:
    app = FastAPI()

    @app.post("/events")
    async def handle(event: Event[UUID]) -> None:
        raise RuntimeError("handler is on fire")

    response = await InProcess(app, {}).deliver("/events", str(uuid4()), 1)

    assert response.outcome == Delivered(500)
    [line] = logs("Unhandled exception in the app delivering an event")
    assert line["request_id"] == response.request_id


async def test_a_response_broken_off_is_unreachable_not_a_success() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{", "more_body": True})
        raise RuntimeError("stream broke")

    response = await InProcess(app, {}).deliver("/events", str(uuid4()), 1)

    assert isinstance(response.outcome, Unreachable)


async def test_an_app_that_answers_nothing_is_a_500() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()

    response = await InProcess(app, {}).deliver("/events", str(uuid4()), 1)

    assert response.outcome == Delivered(500)


async def test_a_failing_background_task_does_not_undo_a_complete_response(
    logs: Logs,
) -> None:
    app = FastAPI()

    def fail() -> None:
        raise RuntimeError("after the fact")

    @app.post("/events")
    async def handle(event: Event[UUID], tasks: BackgroundTasks) -> Response:
        tasks.add_task(fail)
        return Response(status_code=204)

    response = await InProcess(app, {}).deliver("/events", str(uuid4()), 1)

    assert response.outcome == Delivered(204)
    assert logs("Unhandled exception in the app delivering an event")


async def test_a_streamed_failure_keeps_its_retry_after_and_body() -> None:
    app = FastAPI()

    @app.post("/events")
    async def handle(event: Event[UUID]) -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            yield b"busy, "
            yield b"come back later"

        return StreamingResponse(
            chunks(), status_code=503, headers={"Retry-After": "7"}
        )

    response = await InProcess(app, {}).deliver("/events", str(uuid4()), 1)

    assert response.outcome == Delivered(503, "7")
    assert response.body == "busy, come back later"
