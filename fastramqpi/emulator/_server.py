# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Serving an emulator with real uvicorn on a background thread, for tests."""

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextlib import suppress

import uvicorn

from ._emulator import Emulator

_START_TIMEOUT = 30.0


class _Server(uvicorn.Server):
    """uvicorn that notices a stop request at once rather than at its next 0.1 s tick.

    Tests start and stop an emulator per test; the saved tick adds up.
    """

    _loop: asyncio.AbstractEventLoop | None = None
    _wake: asyncio.Event | None = None

    async def main_loop(self) -> None:
        self._wake = asyncio.Event()
        self._loop = asyncio.get_running_loop()
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864_000
            with suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), 0.1)

    def stop(self) -> None:
        self.should_exit = True
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None:
            with suppress(RuntimeError):
                loop.call_soon_threadsafe(wake.set)


@contextmanager
def serve_emulator(
    emulator: Emulator,
    host: str = "127.0.0.1",
    port: int = 0,
    log_level: str = "warning",
) -> Iterator[Emulator]:
    """Serve on a free port (by default) until the block ends.

    The server runs its own event loop on its own thread, so the caller may be sync or
    async, on any loop.
    """
    # IPPROTO_TCP explicitly: asyncio only turns Nagle off for sockets that say TCP.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound_port = sock.getsockname()[1]
    config = uvicorn.Config(
        emulator.app,
        log_level=log_level,
        access_log=False,
        lifespan="off",
        proxy_headers=False,
        server_header=False,
        timeout_graceful_shutdown=5,
    )
    server = _Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="mo-emulator", daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + _START_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("The MO emulator did not start")
            time.sleep(0.002)
        emulator.url = f"http://{host}:{bound_port}"
        yield emulator
    finally:
        server.stop()
        thread.join()
        sock.close()
        emulator.url = None
