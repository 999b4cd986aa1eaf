# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The integration under test, served by a real uvicorn on the test's own event loop.

On the test's loop, so a test may also use the app's resources (its sessionmaker, its MO
client) directly.
"""

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import uvicorn

SCHEMA_TIMEOUT = 60.0
"""Seconds ``run_server`` waits for the app's database schema before failing."""

TEST_CLIENT_TIMEOUT = 300.0
"""Seconds a request from ``test_client`` may take: long enough for a slow handler under a
debugger, short enough that a hung app fails the test eventually."""


class WrongEventLoop(RuntimeError):
    pass


def on_this_loop() -> Any:
    """An httpx request hook failing fast when used from another event loop than this one.

    The server runs on the loop its fixture was set up on; a test on another loop would wait
    for a server that is not running until the request timed out.
    """
    loop = asyncio.get_running_loop()

    async def check(request: httpx.Request) -> None:
        if asyncio.get_running_loop() is not loop:
            raise WrongEventLoop(
                "test_client is used from another event loop than the one serving the app: "
                "make asyncio_default_fixture_loop_scope the same as your tests' loop scope "
                "(or give the test that loop_scope)"
            )

    return check


def _bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise RuntimeError(
            f"Cannot serve the app on {host}:{port} ({error.strerror}); is another server "
            "running there? Override the `server_port` fixture to return 0 (any free port)."
        ) from None
    return sock


def app_databases(app: Any) -> list[Any]:
    """The databases a FastRAMQPI app prepares at start-up."""
    from fastramqpi.database import Database

    context = getattr(getattr(app, "state", None), "context", None) or {}
    managers = context.get("lifespan_managers", {})
    return [m for ms in managers.values() for m in ms if isinstance(m, Database)]


async def _wait_for_schema(app: Any) -> None:
    """Tables are made in the background at start-up; a test must not race them."""
    databases = app_databases(app)
    try:
        async with asyncio.timeout(SCHEMA_TIMEOUT):
            # ``schema_ready`` is a plain flag of the Database: there is nothing to await.
            while not all(db.schema_ready for db in databases):  # noqa: ASYNC110
                await asyncio.sleep(0.02)
    except TimeoutError:
        raise RuntimeError(
            f"The app's database schema was not ready after {SCHEMA_TIMEOUT:.0f} s; "
            "see the log for why"
        ) from None


@asynccontextmanager
async def run_server(
    app: Any, host: str = "127.0.0.1", port: int = 0
) -> AsyncIterator[str]:
    """Serve ``app`` (lifespan included) until the block ends; yields its base URL once the
    app has started and its database schema is ready."""
    sock = _bind(host, port)
    config = uvicorn.Config(app, lifespan="on", log_config=None)
    server = uvicorn.Server(config)
    task = asyncio.create_task(
        server.serve(sockets=[sock]), name="fastramqpi-test-server"
    )
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError(
                    "The app did not start: see the log for its start-up error"
                )
            await asyncio.sleep(0.01)
        await _wait_for_schema(app)
        yield f"http://{host}:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await asyncio.gather(task, return_exceptions=True)
        sock.close()


def client_for(url: str) -> httpx.AsyncClient:
    """An httpx client for the app served at ``url``, from this event loop only."""
    return httpx.AsyncClient(
        base_url=url,
        timeout=TEST_CLIENT_TIMEOUT,
        event_hooks={"request": [on_this_loop()]},
    )


@asynccontextmanager
async def run_test_client(
    app: Any, host: str = "127.0.0.1", port: int = 0
) -> AsyncIterator[httpx.AsyncClient]:
    """Serve ``app`` and yield an HTTP client for it."""
    async with run_server(app, host, port) as url, client_for(url) as client:
        yield client
