# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
import asyncio
import json
from collections.abc import AsyncIterator
from collections.abc import Iterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import uuid4

import pytest
from fastapi import APIRouter
from prometheus_client import REGISTRY

import fastramqpi.events
from fastramqpi.config import Settings
from fastramqpi.emulator import Emulator
from fastramqpi.emulator import FakeClock
from fastramqpi.emulator import serve_emulator
from fastramqpi.events import GraphQLEvents
from fastramqpi.events import Listener
from fastramqpi.main import FastRAMQPI
from tests.servers import serve
from tests.waiting import until


@pytest.fixture(autouse=True)
def quick_idle(monkeypatch: pytest.MonkeyPatch) -> None:
    """Idle listeners poll MO every 50 ms instead of every 2 s."""
    monkeypatch.setattr(fastramqpi.events, "NO_EVENT_SLEEP_DURATION", 0.05)


@pytest.fixture
def emu() -> Iterator[Emulator]:
    """The MO emulator on a loopback port; its event clock only moves when a test says so."""
    with serve_emulator(Emulator(clock=FakeClock())) as emulator:
        yield emulator


def unique(name: str) -> str:
    """A user_key of its own per test, so per-listener metrics do not mix across tests."""
    return f"{name}-{uuid4().hex[:8]}"


def settings(emu: Emulator, **overrides: Any) -> Settings:
    """FastRAMQPI's settings for an integration talking to the emulator."""
    values: dict[str, Any] = {
        "client_id": "x",
        "client_secret": "y",
        "mo_url": emu.url,
        "auth_token_url": emu.token_url,
        **overrides,
    }
    return Settings(**values)


def integration(
    emu: Emulator,
    router: APIRouter,
    listeners: list[Listener],
    **overrides: Any,
) -> FastRAMQPI:
    """An integration as the README builds one, talking to the emulator."""
    fastramqpi = FastRAMQPI(
        application_name="events-test",
        settings=settings(emu, **overrides),
        graphql_version=25,
        graphql_events=GraphQLEvents(declare_listeners=listeners),
    )
    fastramqpi.get_app().include_router(router)
    return fastramqpi


@asynccontextmanager
async def quick_retry(emu: Emulator, every: float = 0.1) -> AsyncIterator[None]:
    """Make unacknowledged events due again at once, as ``POST /testing/events/reset-last-tried``
    would, instead of waiting MO's three minutes."""

    async def loop() -> None:
        while True:
            await asyncio.sleep(every)
            emu.reset_last_tried()

    task = asyncio.create_task(loop())
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


@asynccontextmanager
async def running(fastramqpi: FastRAMQPI) -> AsyncIterator[str]:
    """Serve the integration under uvicorn until its listeners are declared and fetching:
    MO only gives a listener the events sent after it was declared."""
    async with serve(fastramqpi.get_app()) as url:
        await until(fastramqpi.get_context()["graphql_events"].is_ready)
        yield url


def pending_subjects(emu: Emulator) -> set[str]:
    return {event.subject for event in emu.pending()}


def metric(name: str, listener: Listener, **labels: str) -> float:
    value = REGISTRY.get_sample_value(
        name, {"namespace": listener.namespace, "listener": listener.user_key, **labels}
    )
    return value or 0.0


class Logs:
    """The JSON log lines written so far (FastRAMQPI logs JSON to stderr)."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self._capsys = capsys
        self._lines: list[dict[str, Any]] = []

    def __call__(self, event: str | None = None) -> list[dict[str, Any]]:
        self._lines.extend(json_lines(self._capsys.readouterr().err))
        return [
            line for line in self._lines if event is None or line.get("event") == event
        ]


@pytest.fixture
def logs(capsys: pytest.CaptureFixture[str]) -> Logs:
    return Logs(capsys)


def json_lines(text: str) -> list[dict[str, Any]]:
    lines = []
    for line in text.splitlines():
        try:
            parsed = json.loads(line)
        except ValueError:
            continue
        if isinstance(parsed, dict):
            lines.append(parsed)
    return lines
