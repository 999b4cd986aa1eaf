# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Events from the MO emulator written to the database: only a committed write is acked."""

from collections import defaultdict

import httpx
from fastapi import APIRouter
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
from tests.events.conftest import emu  # noqa: F401 (fixture)
from tests.events.conftest import pending_subjects
from tests.events.conftest import quick_idle  # noqa: F401 (fixture)
from tests.events.conftest import quick_retry
from tests.events.conftest import unique
from tests.servers import serve
from tests.waiting import until


async def test_only_events_whose_write_committed_are_acknowledged(
    emu: Emulator,  # noqa: F811
    database: DatabaseSettings,
    inspect_db: AsyncEngine,
) -> None:
    tries: dict[str, int] = defaultdict(int)
    router = APIRouter()

    @router.post("/events/person")
    async def handle(event: Event[str], session: depends.Session) -> None:
        tries[event.subject] += 1
        if event.subject == "handler-raises":
            session.add(User(name="half-done"))
            await session.flush()
            raise RuntimeError("the handler has a bug")
        if event.subject == "commit-fails":
            # Both rows flush; the deferred unique constraint rejects them at commit.
            session.add_all([User(name="twin"), User(name="twin")])
            return
        session.add(User(name=event.subject))

    listener = Listener(
        namespace="mo",
        user_key=unique("person"),
        routing_key="person",
        path="/events/person",
    )
    fastramqpi = FastRAMQPI(
        application_name="database-events-test",
        settings=Settings(
            client_id="x",
            client_secret="y",
            mo_url=emu.url,
            auth_token_url=emu.token_url,
            database=database,
        ),
        graphql_version=25,
        graphql_events=GraphQLEvents(declare_listeners=[listener]),
        database_metadata=Base.metadata,
    )
    fastramqpi.get_app().include_router(router)

    async with (
        serve(fastramqpi.get_app()) as url,
        httpx.AsyncClient(base_url=url) as client,
    ):
        await until_ready(client)
        await until(fastramqpi.get_context()["graphql_events"].is_ready)
        async with quick_retry(emu):
            for subject in ("alice", "handler-raises", "commit-fails"):
                emu.emit("person", subject)
            await until(
                lambda: (
                    pending_subjects(emu) == {"handler-raises", "commit-fails"}
                    and tries["handler-raises"] >= 2
                    and tries["commit-fails"] >= 2
                )
            )

    async with inspect_db.connect() as connection:
        names = (
            (await connection.execute(text('SELECT name FROM "user"'))).scalars().all()
        )
    assert names == ["alice"]
    assert tries["alice"] >= 1  # at least once: a quick retry may hand it out again
