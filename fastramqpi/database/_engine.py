# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""From settings to an engine and its sessions; nothing here touches the network."""

from sqlalchemy import URL
from sqlalchemy import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine

from fastramqpi.config import DatabaseSettings

CONNECT_TIMEOUT = 10.0
"""Seconds asyncpg may take to connect when no setting says (the CLI), rather than its own
minute."""


def database_url(settings: DatabaseSettings | None) -> URL:
    """The SQLAlchemy URL: ``settings.url`` when given, else PostgreSQL on asyncpg from the parts."""
    if settings is None:
        raise ValueError(
            "A database was asked for (database_metadata or database_migrations) but "
            "FASTRAMQPI__DATABASE__* is not set"
        )
    if settings.url is not None:
        return make_url(settings.url.get_secret_value())
    return URL.create(
        "postgresql+asyncpg",
        username=settings.user,
        password=settings.password.get_secret_value() if settings.password else None,
        host=settings.host,
        port=settings.port,
        database=settings.name,
    )


def describe(url: URL) -> str:
    """The URL for logs and errors, password masked."""
    return url.render_as_string(hide_password=True)


def is_postgresql(url: URL) -> bool:
    return url.get_backend_name() == "postgresql"


def create_engine(
    url: URL,
    connect_timeout: float = CONNECT_TIMEOUT,
    command_timeout: float | None = None,
) -> AsyncEngine:
    """An engine that connects lazily and replaces dead pooled connections on checkout.

    ``pool_pre_ping`` is what lets the app recover by itself once a lost database is back.
    The timeouts (asyncpg's) turn a database host that drops packets into an error, which
    the app answers with 503, instead of a request that hangs.
    """
    connect_args: dict[str, float] = {}
    if url.get_driver_name() == "asyncpg":
        connect_args["timeout"] = connect_timeout
        if command_timeout is not None:
            connect_args["command_timeout"] = command_timeout
    return create_async_engine(url, pool_pre_ping=True, connect_args=connect_args)


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions whose objects stay readable after commit (an expired attribute would need I/O)."""
    return async_sessionmaker(engine, expire_on_commit=False)
