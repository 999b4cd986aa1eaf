# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The integration under test: the project's app, served for real, and a client for it."""

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING
from typing import Any

import pytest

from fastramqpi._testing.support import DATABASES
from fastramqpi._testing.support import async_fixture

if TYPE_CHECKING:
    from httpx import AsyncClient

    from fastramqpi._testing.database import TestDatabases

README = "the 'Integration Testing' section of FastRAMQPI's README (docs/testing.md)"


@pytest.fixture
def app() -> Any:
    """The integration's app; every project overrides this fixture."""
    pytest.fail(
        "Override the `app` fixture in your conftest.py to return your integration's "
        f"FastAPI app, e.g. `return create_app()`; see {README}.",
        pytrace=False,
    )


@pytest.fixture
def server_port() -> int:
    """The port the ``server`` fixture serves on: 0, any free one, so suites run side by
    side; override it to pin one."""
    return 0


@async_fixture
async def server(
    app: Any, server_port: int, request: pytest.FixtureRequest
) -> AsyncIterator[str]:
    """The app served by uvicorn on 127.0.0.1, start-up and shutdown included; yields its URL."""
    from fastramqpi._testing.server import run_server

    databases = request.node.stash.get(DATABASES, None)
    if databases is not None:
        _prime_template(app, databases)
    async with run_server(app, "127.0.0.1", server_port) as url:
        yield url


@async_fixture
async def test_client(server: str) -> AsyncIterator["AsyncClient"]:
    """An httpx client for the running ``server``."""
    from fastramqpi._testing.server import client_for

    async with client_for(server) as client:
        yield client


def _prime_template(app: Any, databases: "TestDatabases") -> None:
    """Migrate the template with the app's schema (once), so each test only copies it."""
    from fastramqpi._testing.server import app_databases

    for db in app_databases(app):
        if db.url.database == databases.test:
            databases.prime(db.metadata, db.migrations)
