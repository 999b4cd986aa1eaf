# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""A small integration using the database the way the README shows."""

from pathlib import Path

import httpx
from fastapi import APIRouter
from fastapi import HTTPException
from sqlalchemy import select

from fastramqpi import depends
from fastramqpi.config import DatabaseSettings
from fastramqpi.config import Settings
from fastramqpi.main import FastRAMQPI
from tests.database.models import Base
from tests.database.models import User
from tests.waiting import until

router = APIRouter()


@router.post("/users/{name}")
async def add(name: str, session: depends.Session) -> None:
    session.add(User(name=name))


@router.post("/users/{name}/twice")
async def add_twice(name: str, session: depends.Session) -> None:
    """Breaks the deferred unique constraint: the flush passes, the commit fails."""
    session.add_all([User(name=name), User(name=name)])
    await session.flush()


@router.post("/users/{name}/then-fail")
async def add_then_fail(name: str, session: depends.Session) -> None:
    session.add(User(name=name))
    await session.flush()
    raise HTTPException(status_code=409, detail="changed my mind")


@router.get("/users")
async def names(session: depends.Session) -> list[str]:
    return list(await session.scalars(select(User.name).order_by(User.name)))


def create_fastramqpi(
    database: DatabaseSettings, migrations: Path | None = None, metadata: bool = True
) -> FastRAMQPI:
    fastramqpi = FastRAMQPI(
        application_name="os2mo-example-integration",
        settings=Settings(client_id="x", client_secret="y", database=database),
        graphql_version=25,
        database_metadata=Base.metadata if metadata else None,
        database_migrations=migrations,
    )
    fastramqpi.get_app().include_router(router)
    return fastramqpi


async def until_ready(client: httpx.AsyncClient, ready: bool = True) -> httpx.Response:
    """Poll readiness until its "Database" check is ``ready`` (the schema comes in the
    background). Other checks (MO) are not this test's business."""
    responses: list[httpx.Response] = []

    async def database_check_is_as_asked() -> bool:
        responses.append(await client.get("/health/ready"))
        return responses[-1].json().get("Database") is ready

    await until(database_check_is_as_asked, every=0.05)
    if not ready:
        assert responses[-1].status_code == 503
    return responses[-1]
