# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Serving an emulator with real uvicorn on a background thread, for tests."""

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from .emulator import Emulator

_START_TIMEOUT = 30.0


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
    server = uvicorn.Server(config)
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
        server.should_exit = True
        thread.join()
        sock.close()
        emulator.url = None
