# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
from collections.abc import Callable
from collections.abc import Iterator

import pytest
from starlette.types import ASGIApp
from starlette.types import Receive
from starlette.types import Scope
from starlette.types import Send

from fastramqpi.emulator import Emulator
from fastramqpi.emulator import FakeClock
from fastramqpi.emulator import serve_emulator

from .client import MO


class _Current:
    """Forwards to the emulator of the running test, so one uvicorn serves the module."""

    def __init__(self) -> None:
        self.app: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.app is not None
        await self.app(scope, receive, send)


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[Emulator, _Current]]:
    host = Emulator()
    current = _Current()
    host.app = current
    with serve_emulator(host) as served:
        yield served, current


@pytest.fixture
def emu(server: tuple[Emulator, _Current]) -> Iterator[Emulator]:
    """A fresh emulator per test, with a clock that only moves when the test says so."""
    host, current = server
    emulator = Emulator(clock=FakeClock())
    current.app = emulator.app
    emulator.url = host.url
    yield emulator
    current.app = None


@pytest.fixture
def clock(emu: Emulator) -> FakeClock:
    assert isinstance(emu.clock, FakeClock)
    return emu.clock


@pytest.fixture
def connect(emu: Emulator) -> Iterator[Callable[..., MO]]:
    """Log in to the emulator as a new client (or as a named one)."""
    clients: list[MO] = []

    def connect(client_id: str | None = None) -> MO:
        client = MO(emu, client_id)
        clients.append(client)
        return client

    yield connect
    for client in clients:
        client.close()


@pytest.fixture
def mo(connect: Callable[..., MO]) -> MO:
    return connect()
