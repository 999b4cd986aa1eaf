# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Run an ASGI app under real uvicorn on a free loopback port; hold a port nothing answers."""

import asyncio
import socket
from collections.abc import AsyncIterator
from collections.abc import Iterator
from contextlib import asynccontextmanager
from contextlib import contextmanager
from typing import Any

import httpx
import uvicorn

CONNECTION_DROPPED = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)
"""What a client may see when the server closes the connection without answering: which one
depends on where the client was (writing, waiting, reading) when the close arrived."""


@asynccontextmanager
async def serve(app: Any, **config: Any) -> AsyncIterator[str]:
    """Serve ``app`` (lifespan included) until the block ends; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, **config))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("uvicorn stopped before it started")
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


@contextmanager
def closed_port() -> Iterator[int]:
    """A loopback port that refuses connections until the block ends.

    Bound but not listening: connecting is refused at once, and no other socket (another test's
    server, an outgoing connection) can take the port meanwhile, as it could one picked and
    released.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]
