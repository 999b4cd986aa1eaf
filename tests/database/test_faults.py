# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The database going away for real (a loopback proxy the test cuts), and coming back."""

import logging

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

import fastramqpi.database
from fastramqpi.config import DatabaseSettings
from tests.database.example import create_fastramqpi
from tests.database.example import until_ready
from tests.database.proxy import Proxy
from tests.servers import serve
from tests.waiting import until

PASSWORD = "hunter2-not-for-logs"


def _through(proxy: Proxy, database_name: str) -> DatabaseSettings:
    return DatabaseSettings(
        user="postgres",
        password=PASSWORD,
        host="127.0.0.1",
        port=proxy.port,
        name=database_name,
    )


async def _names(engine: AsyncEngine) -> list[str]:
    async with engine.connect() as connection:
        rows = await connection.execute(text('SELECT name FROM "user" ORDER BY name'))
        return [name for (name,) in rows]


async def test_database_down_at_startup_delays_readiness_not_startup(
    database_name: str,
    proxy: Proxy,
    inspect_db: AsyncEngine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await proxy.cut()
    app = create_fastramqpi(_through(proxy, database_name)).get_app()

    async with serve(app) as url, httpx.AsyncClient(base_url=url) as client:
        assert (await client.get("/")).status_code == 200
        assert (await until_ready(client, ready=False)).status_code == 503
        await until(lambda: bool(_errors(caplog)))  # logged in the background
        refused = await client.post("/users/alice")
        assert refused.status_code >= 500
        assert "Traceback" not in refused.text

        await proxy.start()
        await until_ready(client)
        assert (await client.post("/users/alice")).status_code == 200

    assert await _names(inspect_db) == ["alice"]
    error = _errors(caplog)[0]
    assert "127.0.0.1" in error
    assert str(proxy.port) in error
    assert database_name in error
    assert "Connect call failed" in error
    assert PASSWORD not in caplog.text


def _errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "fastramqpi.database" and r.levelno == logging.ERROR
    ]


async def test_database_lost_while_running_then_back_without_restart(
    database_name: str, proxy: Proxy, inspect_db: AsyncEngine
) -> None:
    app = create_fastramqpi(_through(proxy, database_name)).get_app()
    async with serve(app) as url, httpx.AsyncClient(base_url=url) as client:
        await until_ready(client)
        assert (await client.post("/users/alice")).status_code == 200

        await proxy.cut()
        assert (await until_ready(client, ready=False)).status_code == 503
        lost = await client.post("/users/bob")
        assert lost.status_code >= 500
        assert "Traceback" not in lost.text
        assert PASSWORD not in lost.text

        await proxy.start()
        await until_ready(client)
        assert (await client.post("/users/bob")).status_code == 200

    assert await _names(inspect_db) == ["alice", "bob"]


async def test_a_hanging_database_fails_readiness_by_timeout_then_recovers(
    database_name: str, proxy: Proxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fastramqpi.database, "HEALTH_TIMEOUT", 0.2)
    app = create_fastramqpi(_through(proxy, database_name)).get_app()
    async with serve(app) as url, httpx.AsyncClient(base_url=url) as client:
        await until_ready(client)

        proxy.stall()
        response = await client.get("/health/ready")
        assert response.status_code == 503
        assert response.json()["Database"] is False

        proxy.resume()
        await until_ready(client)
        assert (await client.post("/users/alice")).status_code == 200


async def test_an_outage_is_one_line_in_the_log_when_it_begins_and_one_when_it_ends(
    database_name: str, proxy: Proxy
) -> None:
    """The events gate checks a database that is down several times a second."""
    from sqlalchemy import MetaData
    from structlog.testing import capture_logs

    database = fastramqpi.database.Database(
        _through(proxy, database_name), metadata=MetaData()
    )
    async with database:
        await until(lambda: database.schema_ready)
        with capture_logs() as logs:
            assert await database.healthcheck(None)
            await proxy.cut()
            for _ in range(3):
                assert not await database.healthcheck(None)
            await proxy.start()
            assert await database.healthcheck(None)
            assert await database.healthcheck(None)

    said = [line["event"] for line in logs if line["event"].startswith("Database")]
    assert said == ["Database unavailable", "Database available again"]
