# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from contextlib import asynccontextmanager

import pytest
from fastapi import Request
from starlette.testclient import TestClient

from fastramqpi.config import Settings
from fastramqpi.main import FastRAMQPI


def _fastramqpi() -> FastRAMQPI:
    return FastRAMQPI(
        application_name="lifespan-test",
        settings=Settings(client_id="id", client_secret="secret"),
        graphql_version=25,
    )


def _recording(
    log: list[str], name: str, fail: bool = False
) -> AbstractAsyncContextManager[None]:
    @asynccontextmanager
    async def manager() -> AsyncIterator[None]:
        log.append(f"enter {name}")
        if fail:
            raise RuntimeError(f"{name} failed")
        try:
            yield
        finally:
            log.append(f"exit {name}")

    return manager()


def test_managers_enter_by_priority_and_exit_in_reverse() -> None:
    log: list[str] = []
    fastramqpi = _fastramqpi()
    fastramqpi.add_lifespan_manager(_recording(log, "events"), priority=1000)
    fastramqpi.add_lifespan_manager(_recording(log, "mo"), priority=100)
    fastramqpi.add_lifespan_manager(_recording(log, "mine"), priority=2200)
    fastramqpi.add_lifespan_manager(_recording(log, "graphql"), priority=200)

    with TestClient(fastramqpi.get_app()):
        assert log == ["enter mo", "enter graphql", "enter events", "enter mine"]
    assert log[4:] == ["exit mine", "exit events", "exit graphql", "exit mo"]


def test_half_failed_start_up_closes_what_was_opened() -> None:
    log: list[str] = []
    fastramqpi = _fastramqpi()
    fastramqpi.add_lifespan_manager(_recording(log, "mo"), priority=100)
    fastramqpi.add_lifespan_manager(_recording(log, "database"), priority=150)
    fastramqpi.add_lifespan_manager(_recording(log, "broken", fail=True), priority=500)
    fastramqpi.add_lifespan_manager(_recording(log, "never"), priority=1000)

    with (
        pytest.raises(RuntimeError, match="broken failed"),
        TestClient(fastramqpi.get_app()),
    ):
        pass  # pragma: no cover
    assert log == [
        "enter mo",
        "enter database",
        "enter broken",
        "exit database",
        "exit mo",
    ]


def test_context_is_request_state_during_lifespan() -> None:
    fastramqpi = _fastramqpi()
    app = fastramqpi.get_app()

    @app.get("/probe")
    async def probe(request: Request) -> dict[str, str]:
        return {"name": request.state.context["name"]}

    with TestClient(app) as client:
        assert client.get("/probe").json() == {"name": "lifespan-test"}
