# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Each test gets its own freshly created PostgreSQL database, dropped afterwards."""

import secrets
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import URL
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool
from tenacity import wait_fixed

import fastramqpi.database
from fastramqpi.config import DatabaseSettings
from tests.database.proxy import Proxy

SERVER = URL.create(
    "postgresql+asyncpg", username="postgres", host="127.0.0.1", port=5432
)


@pytest.fixture(autouse=True)
def quick_retry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fastramqpi.database, "RETRY_WAIT", wait_fixed(0.05))


@pytest.fixture
async def database_name() -> AsyncIterator[str]:
    name = f"fastramqpi_dbtest_{secrets.token_hex(6)}"
    admin = create_async_engine(
        SERVER.set(database="postgres"),
        isolation_level="AUTOCOMMIT",
        poolclass=NullPool,
    )
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield name
    finally:
        async with admin.connect() as connection:
            await connection.execute(
                text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            )
        await admin.dispose()


@pytest.fixture
def database(database_name: str) -> DatabaseSettings:
    """Settings as an operator would give them through FASTRAMQPI__DATABASE__*."""
    return DatabaseSettings(
        user="postgres", host="127.0.0.1", port=5432, name=database_name
    )


@pytest.fixture
async def inspect_db(database_name: str) -> AsyncIterator[AsyncEngine]:
    """A connection of the test's own, to look at what the app wrote."""
    engine = create_async_engine(SERVER.set(database=database_name), poolclass=NullPool)
    yield engine
    await engine.dispose()


@pytest.fixture
async def proxy() -> AsyncIterator[Proxy]:
    proxy = Proxy()
    await proxy.start()
    yield proxy
    await proxy.cut()
