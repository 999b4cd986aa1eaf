# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Schema preparation at start-up: replicas starting together, each way of declaring tables."""

import asyncio
import logging
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
import pytest
from sqlalchemy import inspect
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from fastramqpi.config import DatabaseSettings
from tests.database.example import create_fastramqpi
from tests.database.example import until_ready
from tests.servers import serve

MIGRATIONS = Path(__file__).parent / "migrations"


async def _tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))


async def _start_together(*apps: object) -> None:
    async with AsyncExitStack() as stack:
        urls = await asyncio.gather(
            *(stack.enter_async_context(serve(app)) for app in apps)
        )
        clients = [
            await stack.enter_async_context(httpx.AsyncClient(base_url=url))
            for url in urls
        ]
        await asyncio.gather(*(until_ready(client) for client in clients))
        for number, client in enumerate(clients):
            assert (await client.post(f"/users/replica-{number}")).status_code == 200


def _errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name.startswith("fastramqpi.database") and r.levelno >= logging.ERROR
    ]


async def test_two_replicas_with_migrations_migrate_once(
    database: DatabaseSettings,
    inspect_db: AsyncEngine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    apps = [
        create_fastramqpi(database, migrations=MIGRATIONS).get_app() for _ in range(2)
    ]

    await _start_together(*apps)

    async with inspect_db.connect() as connection:
        versions = (
            await connection.execute(text("SELECT version_num FROM alembic_version"))
        ).all()
        runs = (
            await connection.execute(text("SELECT count(*) FROM migration_run"))
        ).scalar()
    assert versions == [("0002",)]
    assert runs == 1
    # The second replica waited for the lock and found the work done: nothing failed.
    assert _errors(caplog) == []


async def test_two_replicas_with_metadata_create_tables_once(
    database: DatabaseSettings,
    inspect_db: AsyncEngine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    apps = [create_fastramqpi(database).get_app() for _ in range(2)]

    await _start_together(*apps)

    assert await _tables(inspect_db) == {"user"}
    assert _errors(caplog) == []


async def test_migrations_win_over_metadata(
    database: DatabaseSettings, inspect_db: AsyncEngine
) -> None:
    """Given both, metadata is only for autogenerate: the revisions decide the schema."""
    app = create_fastramqpi(database, migrations=MIGRATIONS).get_app()
    async with serve(app) as url, httpx.AsyncClient(base_url=url) as client:
        await until_ready(client)
    assert await _tables(inspect_db) == {"user", "migration_run", "alembic_version"}


async def test_a_restart_finds_the_schema_current(
    database: DatabaseSettings, inspect_db: AsyncEngine
) -> None:
    for _ in range(2):
        app = create_fastramqpi(
            database, migrations=MIGRATIONS, metadata=False
        ).get_app()
        async with serve(app) as url, httpx.AsyncClient(base_url=url) as client:
            await until_ready(client)
            assert (await client.post("/users/alice")).status_code == 200
    async with inspect_db.connect() as connection:
        runs = (
            await connection.execute(text("SELECT count(*) FROM migration_run"))
        ).scalar()
        users = (await connection.execute(text('SELECT count(*) FROM "user"'))).scalar()
    assert (runs, users) == (1, 2)
