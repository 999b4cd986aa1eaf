# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Bringing the schema up to date, one replica at a time.

Both ways (``create_all`` from metadata, ``alembic upgrade head`` from a migrations directory)
run in one transaction that first takes a PostgreSQL advisory lock: replicas starting together
queue up, and each later one finds the work done. The lock is transaction-scoped, so a crashed
replica cannot leave it held.
"""

import sys
from collections.abc import AsyncIterator
from collections.abc import Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from typing import TextIO

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection
from sqlalchemy import MetaData
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.ext.asyncio import AsyncEngine

from fastramqpi.database._engine import is_postgresql

SCRIPTS = Path(__file__).parent / "_alembic"

LOCK_KEY = 0x4652_4D51_5343_4845
"""The advisory lock's key; advisory locks are per database, so one constant serves all."""


def alembic_config(
    migrations: str | Path,
    metadata: MetaData | None = None,
    stdout: TextIO = sys.stdout,
) -> Config:
    """Alembic's configuration for an integration's directory of revision files."""
    config = Config(stdout=stdout)
    config.set_main_option("script_location", str(SCRIPTS))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", str(Path(migrations).resolve()))
    config.set_main_option(
        "file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s"
    )
    config.attributes["metadata"] = metadata
    return config


@asynccontextmanager
async def locked(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection in a transaction holding the schema lock until it commits or rolls back."""
    async with engine.begin() as connection:
        if is_postgresql(engine.url):
            await connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY}
            )
        yield connection


async def run_command(
    engine: AsyncEngine,
    config: Config,
    fn: Callable[..., Any],
    *args: Any,
    write: bool = True,
    **kwargs: Any,
) -> None:
    """Run an ``alembic.command`` function under the lock, on a connection env.py picks up.

    ``write=False`` rolls back afterwards: autogenerate only reads, yet would leave an empty
    version table behind.
    """

    def on(connection: Connection) -> None:
        config.attributes["connection"] = connection
        try:
            fn(config, *args, **kwargs)
        finally:
            del config.attributes["connection"]

    async with locked(engine) as connection:
        await connection.run_sync(on)
        if not write:
            await connection.rollback()


async def prepare_schema(
    engine: AsyncEngine, metadata: MetaData | None, migrations: str | Path | None
) -> None:
    """``upgrade head`` when there are migrations, else create the metadata's missing tables."""
    if migrations is not None:
        await run_command(
            engine, alembic_config(migrations, metadata), command.upgrade, "head"
        )
        return
    if metadata is not None:
        async with locked(engine) as connection:
            await connection.run_sync(metadata.create_all)
