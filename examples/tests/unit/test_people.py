# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
from collections.abc import AsyncIterator
from datetime import UTC
from datetime import datetime
from datetime import timedelta
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
