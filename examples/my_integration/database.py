# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The integration's own tables."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import DateTime
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column


class Base(DeclarativeBase):
    pass


class Person(Base):
    """A person MO has told us about, and when we last heard of them."""

    __tablename__ = "person"

    uuid: Mapped[UUID] = mapped_column(primary_key=True)
    events: Mapped[int]
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    mo_version: Mapped[str | None]
