# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""What the integration does with a person it hears about: record the sighting."""

from collections.abc import Callable
from datetime import datetime
from functools import cache
from uuid import UUID

from sqlalchemy import Executable
from sqlalchemy import select
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from my_integration.database import Person

_INSERT: dict[str, Callable[[type[Person]], postgresql.Insert | sqlite.Insert]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}
"""PostgreSQL in production; SQLite in the unit tests. Both spell an upsert the same way."""


@cache
def _upsert(dialect: str) -> Executable:
    """The statement that records a sighting, built once: building it costs more than
    running it."""
    new = _INSERT[dialect](Person)
    return new.on_conflict_do_update(
        index_elements=[Person.uuid],
        set_={
            "events": Person.events + 1,
            "last_seen": new.excluded.last_seen,
            "mo_version": new.excluded.mo_version,
        },
    )


async def record(
    session: AsyncSession, uuid: UUID, mo_version: str | None, now: datetime
) -> None:
    """Remember that we heard of ``uuid``; an event that comes again only counts again.

    One statement, not a read and then a write: two events of one person handled at once
    (the listener's parallel fetchers, or both listeners) both count, where the second
    insert would fail on the primary key, or one update overwrite the other's count.
    """
    sighting = {"uuid": uuid, "events": 1, "last_seen": now, "mo_version": mo_version}
    await session.execute(_upsert(session.get_bind().dialect.name), sighting)


async def everyone(session: AsyncSession) -> list[Person]:
    return list(await session.scalars(select(Person).order_by(Person.last_seen)))
