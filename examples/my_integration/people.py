# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""What the integration does with a person it hears about: record the sighting."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from my_integration.database import Person


async def record(
    session: AsyncSession, uuid: UUID, mo_version: str | None, now: datetime
) -> Person:
    """Remember that we heard of ``uuid``; an event that comes again only counts again."""
    person = await session.get(Person, uuid)
    if person is None:
        person = Person(uuid=uuid, events=0)
        session.add(person)
    person.events += 1
    person.last_seen = now
    person.mo_version = mo_version
    return person


async def everyone(session: AsyncSession) -> list[Person]:
    return list(await session.scalars(select(Person).order_by(Person.last_seen)))
