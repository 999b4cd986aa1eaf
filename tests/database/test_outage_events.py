# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""A database outage while events flow: no event fails, none is left to MO's retry wait."""

import httpx
from fastapi import APIRouter
from prometheus_client import REGISTRY
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from fastramqpi import depends
from fastramqpi.config import DatabaseSettings
from fastramqpi.config import Settings
from fastramqpi.emulator import Emulator
from fastramqpi.events import Event
from fastramqpi.events import GraphQLEvents
from fastramqpi.events import Listener
from fastramqpi.main import FastRAMQPI
from tests.database.example import until_ready
from tests.database.models import Base
from tests.database.models import User
from tests.database.proxy import Proxy
from tests.events.conftest import emu  # noqa: F401 (fixture)
from tests.events.conftest import metric
from tests.events.conftest import quick_idle  # noqa: F401 (fixture)
from tests.events.conftest import unique
from tests.servers import serve
from tests.waiting import until


def _database_up() -> float | None:
    return REGISTRY.get_sample_value(
        "fastramqpi_health_check_up", {"check": "Database"}
    )


async def test_events_wait_out_a_database_outage_and_none_is_left_to_mo(
    emu: Emulator,  # noqa: F811
    database_name: str,
    proxy: Proxy,
    inspect_db: AsyncEngine,
) -> None:
    router = APIRouter()

    @router.post("/events/person")
    async def handle(event: Event[str], session: depends.Session) -> None:
        session.add(User(name=event.subject))

    listener = Listener("mo", unique("person"), "person", "/events/person")
    fastramqpi = FastRAMQPI(
        application_name="database-outage-test",
        settings=Settings(
            client_id="x",
            client_secret="y",
            mo_url=emu.url,
            auth_token_url=emu.token_url,
            dependency_check_interval=0.05,
            database=DatabaseSettings(
                user="postgres", host="127.0.0.1", port=proxy.port, name=database_name
            ),
        ),
        graphql_version=25,
        graphql_events=GraphQLEvents(declare_listeners=[listener]),
        database_metadata=Base.metadata,
    )
    fastramqpi.get_app().include_router(router)
    before = [f"before-{i}" for i in range(5)]
    during = [f"during-{i}" for i in range(5)]

    async with (
        serve(fastramqpi.get_app()) as url,
        httpx.AsyncClient(base_url=url) as client,
    ):
        await until_ready(client)
        await until(fastramqpi.get_context()["graphql_events"].is_ready)
        for subject in before:
            emu.emit("person", subject)
        await until(lambda: not emu.pending())

        await proxy.cut()
        await until(lambda: _database_up() == 0)
        for subject in during:
            emu.emit("person", subject)
        await proxy.start()
        # MO keeps an event left to it for minutes (no quick retry here): all acked means
        # every event was handled in this outage's wake, none waited in MO.
        await until(lambda: not emu.pending())

    assert metric("fastramqpi_events_failed_total", listener, stage="deliver") == 0
    async with inspect_db.connect() as connection:
        rows = await connection.execute(text('SELECT name FROM "user" ORDER BY name'))
        assert [name for (name,) in rows] == sorted(before + during)


async def test_a_request_during_a_database_outage_is_a_503_with_retry_after(
    database_name: str, proxy: Proxy
) -> None:
    from tests.database.example import create_fastramqpi

    database = DatabaseSettings(
        user="postgres", host="127.0.0.1", port=proxy.port, name=database_name
    )
    app = create_fastramqpi(database).get_app()
    async with serve(app) as url, httpx.AsyncClient(base_url=url) as client:
        await until_ready(client)
        await proxy.cut()
        refused = await client.post("/users/bob")
        assert refused.status_code == 503
        assert refused.headers["retry-after"] == "1"
        assert "Traceback" not in refused.text

        await proxy.start()
        assert (await client.post("/users/bob")).status_code == 200
        # Not an outage: a constraint violation is still the handler's bug, a 500.
        assert (await client.post("/users/carol/twice")).status_code == 500


async def test_a_stalled_database_network_is_a_503_after_the_command_timeout(
    database_name: str, proxy: Proxy
) -> None:
    from tests.database.example import create_fastramqpi

    database = DatabaseSettings(
        user="postgres",
        host="127.0.0.1",
        port=proxy.port,
        name=database_name,
        connect_timeout=0.5,
        command_timeout=0.5,
    )
    app = create_fastramqpi(database).get_app()
    async with serve(app) as url, httpx.AsyncClient(base_url=url) as client:
        await until_ready(client)
        proxy.stall()
        stalled = await client.post("/users/bob")
        assert stalled.status_code == 503
        assert stalled.headers["retry-after"] == "1"
        proxy.resume()
        await until_ready(client)
        assert (await client.post("/users/bob")).status_code == 200
