# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
import asyncio
from collections.abc import AsyncIterator
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine

from my_integration import people
from my_integration.database import Base

NOON = datetime(2026, 11, 25, 12, tzinfo=UTC)


@pytest.fixture
async def session() -> AsyncIterator[AsyncSession]:
    engine = create_async_engine("sqlite+aiosqlite://")
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    async with async_sessionmaker(engine)() as session:
        yield session
    await engine.dispose()


async def test_a_new_person_is_recorded(session: AsyncSession) -> None:
    uuid = uuid4()
    await people.record(session, uuid, "25.1.0", NOON)
    [person] = await people.everyone(session)
    assert (person.uuid, person.events, person.mo_version) == (uuid, 1, "25.1.0")


async def test_hearing_again_counts_and_moves_last_seen(session: AsyncSession) -> None:
    uuid = uuid4()
    await people.record(session, uuid, "25.1.0", NOON)
    await people.record(session, uuid, "25.2.0", NOON + timedelta(minutes=5))
    [person] = await people.everyone(session)
    assert person.events == 2
    assert person.mo_version == "25.2.0"


async def test_two_events_of_one_person_handled_at_once_both_count(
    tmp_path: Path,
) -> None:
    # Each in its own session and transaction, as two deliveries of the route would be.
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'people.db'}")
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    sessions = async_sessionmaker(engine)
    uuid = uuid4()

    async def handle(mo_version: str) -> None:
        async with sessions() as session, session.begin():
            await people.record(session, uuid, mo_version, NOON)

    await asyncio.gather(handle("25.1.0"), handle("25.2.0"))

    async with sessions() as session:
        [person] = await people.everyone(session)
    await engine.dispose()
    assert person.events == 2
