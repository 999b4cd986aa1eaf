# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""depends.Session on the real PostgreSQL: commit, rollback, and a commit that fails."""

from pathlib import Path

import httpx
from sqlalchemy import inspect
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.asyncio import async_sessionmaker

from fastramqpi.config import DatabaseSettings
from tests.database.example import create_fastramqpi
from tests.database.example import until_ready
from tests.servers import serve


async def _names(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as connection:
        rows = await connection.execute(text('SELECT name FROM "user" ORDER BY name'))
        return [name for (name,) in rows]


async def _tables(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as connection:
        return await connection.run_sync(lambda c: inspect(c).get_table_names())


async def test_engine_and_sessionmaker_exist_right_after_construction(
    database: DatabaseSettings, inspect_db: AsyncEngine
) -> None:
    context = create_fastramqpi(database).get_context()

    assert isinstance(context["engine"], AsyncEngine)
    assert isinstance(context["sessionmaker"], async_sessionmaker)
    assert context["engine"].url.database == database.name
    assert context["engine"].url.drivername == "postgresql+asyncpg"
    async with context["sessionmaker"]() as session:
        assert isinstance(session, AsyncSession)
    # Tables come at start-up, not at construction.
    assert await _tables(inspect_db) == []


async def test_tables_are_created_at_startup_and_readiness_follows(
    database: DatabaseSettings, inspect_db: AsyncEngine
) -> None:
    app = create_fastramqpi(database).get_app()
    async with serve(app) as url, httpx.AsyncClient(base_url=url) as client:
        await until_ready(client)
        assert await _tables(inspect_db) == ["user"]


async def test_a_handler_returning_commits(
    database: DatabaseSettings, inspect_db: AsyncEngine
) -> None:
    app = create_fastramqpi(database).get_app()
    async with serve(app) as url, httpx.AsyncClient(base_url=url) as client:
        await until_ready(client)
        assert (await client.post("/users/alice")).status_code == 200
        assert (await client.post("/users/bob")).status_code == 200

        assert await _names(inspect_db) == ["alice", "bob"]
        assert (await client.get("/users")).json() == ["alice", "bob"]


async def test_a_handler_raising_rolls_back(
    database: DatabaseSettings, inspect_db: AsyncEngine
) -> None:
    app = create_fastramqpi(database).get_app()
    async with serve(app) as url, httpx.AsyncClient(base_url=url) as client:
        await until_ready(client)
        response = await client.post("/users/carol/then-fail")

        assert response.status_code == 409
        assert await _names(inspect_db) == []


async def test_a_failing_commit_is_a_5xx_not_a_200(
    database: DatabaseSettings, inspect_db: AsyncEngine
) -> None:
    """The commit runs before the response is sent: an event fetcher would not ack this."""
    app = create_fastramqpi(database).get_app()
    async with serve(app) as url, httpx.AsyncClient(base_url=url) as client:
        await until_ready(client)
        response = await client.post("/users/dave/twice")

        assert response.status_code >= 500
        assert "Traceback" not in response.text
        assert "IntegrityError" not in response.text
        assert await _names(inspect_db) == []
        # The app goes on serving.
        assert (await client.post("/users/dave")).status_code == 200
        assert await _names(inspect_db) == ["dave"]


async def test_a_local_run_can_use_sqlite(tmp_path: Path) -> None:
    database = DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path / 'local.db'}")
    fastramqpi = create_fastramqpi(database)
    app = fastramqpi.get_app()
    async with serve(app) as url, httpx.AsyncClient(base_url=url) as client:
        await until_ready(client)
        assert (await client.post("/users/erin")).status_code == 200
        assert (await client.get("/users")).json() == ["erin"]
    assert (tmp_path / "local.db").exists()
