# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
import json
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import httpx
import pytest
import structlog
from fastapi import FastAPI
from fastapi import Request
from fastapi.responses import StreamingResponse
from starlette.testclient import TestClient

from fastramqpi.config import Settings
from fastramqpi.main import FastRAMQPI
from tests.servers import CONNECTION_DROPPED
from tests.servers import serve

logger = structlog.stdlib.get_logger()


def _fastramqpi() -> FastRAMQPI:
    return FastRAMQPI(
        application_name="middleware-test",
        settings=Settings(client_id="id", client_secret="secret"),
        graphql_version=25,
    )


def _app() -> FastAPI:
    app = _fastramqpi().get_app()

    @app.get("/work")
    async def work() -> dict[str, str]:
        logger.info("Working")
        return {"done": "yes"}

    @app.get("/crash")
    async def crash() -> None:
        raise RuntimeError("database is on fire")

    @app.get("/mo-away")
    async def mo_away() -> None:
        raise httpx.ConnectError("MO GraphQL at http://mo/graphql/v25: refused")

    @app.get("/crash-mid-stream")
    async def crash_mid_stream() -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            yield b"first chunk"
            raise RuntimeError("stream broke")

        return StreamingResponse(chunks())

    return app


def _json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line]


async def test_request_id_is_echoed_and_bound_to_every_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with serve(_app()) as url, httpx.AsyncClient(base_url=url) as client:
        capsys.readouterr()  # what set-up logged (e.g. the event loop's creation) is not ours
        response = await client.get(
            "/work", headers={"x-request-id": "from-the-caller"}
        )

    assert response.status_code == 200
    assert response.headers["x-request-id"] == "from-the-caller"
    lines = _json_lines(capsys.readouterr().err)
    request_lines = [
        line
        for line in lines
        # fastramqpi.main: the start-up line, before any request
        if line["logger"] not in ("uvicorn.error", "httpx", "fastramqpi.main")
    ]
    assert {line["logger"] for line in request_lines} == {
        "tests.test_middleware",
        "uvicorn.access",
    }
    assert {line.get("request_id") for line in request_lines} == {"from-the-caller"}


async def test_a_request_id_is_generated_when_absent(
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with serve(_app()) as url, httpx.AsyncClient(base_url=url) as client:
        first = await client.get("/work")
        second = await client.get("/work")

    ids = [first.headers["x-request-id"], second.headers["x-request-id"]]
    assert [UUID(i).version for i in ids] == [4, 4]
    assert [str(UUID(i)) for i in ids] == ids
    assert ids[0] != ids[1]
    working = [
        line
        for line in _json_lines(capsys.readouterr().err)
        if line["event"] == "Working"
    ]
    assert [line["request_id"] for line in working] == ids


async def test_unhandled_exception_is_a_500_without_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with serve(_app()) as url, httpx.AsyncClient(base_url=url) as client:
        response = await client.get("/crash", headers={"x-request-id": "crash-1"})

    assert response.status_code == 500
    assert response.json() == {
        "error": "Internal Server Error",
        "request_id": "crash-1",
    }
    assert response.headers["x-request-id"] == "crash-1"
    assert "database is on fire" not in response.text

    captured = capsys.readouterr()
    lines = _json_lines(captured.err)
    [logged] = [line for line in lines if "exception" in line]
    assert logged["request_id"] == "crash-1"
    assert logged["level"] == "error"
    assert logged["exception"][0]["exc_value"] == "database is on fire"
    assert "Traceback" not in captured.err + captured.out
    assert captured.err.count("database is on fire") == 1


async def test_a_dependency_away_is_a_503_with_retry_after_and_one_warning(
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with serve(_app()) as url, httpx.AsyncClient(base_url=url) as client:
        response = await client.get("/mo-away", headers={"x-request-id": "away-1"})

    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert response.json() == {"error": "Service Unavailable", "request_id": "away-1"}
    captured = capsys.readouterr()
    [logged] = [
        line
        for line in _json_lines(captured.err)
        if line.get("request_id") == "away-1" and line["level"] != "info"
    ]
    assert logged["level"] == "warning"
    assert logged["error"].startswith("ConnectError: MO GraphQL")
    assert "exception" not in logged


async def test_exception_after_the_response_started_is_logged_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with serve(_app()) as url, httpx.AsyncClient(base_url=url) as client:
        with pytest.raises(CONNECTION_DROPPED):
            await client.get("/crash-mid-stream", headers={"x-request-id": "stream-1"})

    captured = capsys.readouterr()
    [logged] = [line for line in _json_lines(captured.err) if "exception" in line]
    assert logged["request_id"] == "stream-1"
    assert logged["response_started"] is True
    assert captured.err.count("stream broke") == 1


def test_testclient_without_lifespan_gets_the_500_body() -> None:
    response = TestClient(_app()).get("/crash", headers={"x-request-id": "tc-1"})
    assert response.status_code == 500
    assert response.json() == {"error": "Internal Server Error", "request_id": "tc-1"}


def test_request_state_has_the_context_without_lifespan() -> None:
    fastramqpi = _fastramqpi()
    app = fastramqpi.get_app()

    @app.get("/state")
    async def state(request: Request) -> dict[str, Any]:
        return {
            "is_context": request.state.context is fastramqpi.get_context(),
            "request_id": request.state.request_id,
        }

    response = TestClient(app).get("/state", headers={"x-request-id": "state-1"})
    assert response.json() == {"is_context": True, "request_id": "state-1"}
    with TestClient(app) as client:
        assert client.get("/state").json()["is_context"] is True


async def test_request_id_does_not_outlive_its_request() -> None:
    """The app served in the caller's own task, as events delivered in-process are: the
    request's id must not stick to the caller's later log lines."""
    app = _fastramqpi().get_app()

    @app.get("/bound")
    async def bound() -> dict[str, Any]:
        return structlog.contextvars.get_contextvars()

    structlog.contextvars.bind_contextvars(request_id="the-callers")
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as c:
            response = await c.get("/bound", headers={"x-request-id": "gone-after"})

        assert response.json() == {"request_id": "gone-after"}
        assert structlog.contextvars.get_contextvars() == {"request_id": "the-callers"}
    finally:
        structlog.contextvars.clear_contextvars()
