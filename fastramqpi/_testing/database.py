# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""A fresh copy of a migrated template database for every integration test.

The template is created once per session and brought up to date once (from the app's own
metadata or migrations, the first time a test starts the app); every test then gets a copy
of it, which PostgreSQL makes in milliseconds, instead of running migrations again.

Each operation opens its own connection on a private event loop in a worker thread: asyncpg
connections belong to the loop they were made on, and the tests' loop scope is the project's
choice, not ours.
"""

import asyncio
import os
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any
from typing import TypeVar

from sqlalchemy import URL
from sqlalchemy import MetaData
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from fastramqpi.config import DatabaseSettings
from fastramqpi.database._engine import database_url
from fastramqpi.database._engine import describe
from fastramqpi.database._migrations import prepare_schema

PREFIX = "FASTRAMQPI__DATABASE__"
MAINTENANCE_DATABASE = "postgres"

T = TypeVar("T")


def configured_url(environ: Mapping[str, str]) -> URL:
    """The server ``FASTRAMQPI__DATABASE__*`` points at (its database name is replaced)."""
    fields = ("user", "password", "host", "port", "name", "url")
    values: dict[str, Any] = {
        f: environ[f"{PREFIX}{f.upper()}"]
        for f in fields
        if environ.get(f"{PREFIX}{f.upper()}")
    }
    values.setdefault("name", MAINTENANCE_DATABASE)
    return database_url(DatabaseSettings.model_validate(values))


def superuser_engine(url: URL) -> AsyncEngine:
    """An engine on the maintenance database that keeps no connection between uses, so it
    works from any event loop, in autocommit (``CREATE DATABASE`` needs it)."""
    return create_async_engine(
        url.set(database=MAINTENANCE_DATABASE),
        poolclass=NullPool,
        isolation_level="AUTOCOMMIT",
    )


def run(fn: Callable[[], Awaitable[T]]) -> T:
    """Run ``fn()`` to completion on a private event loop, whatever loop the caller is in."""

    async def main() -> T:
        return await fn()

    with ThreadPoolExecutor(1, thread_name_prefix="fastramqpi-test-db") as pool:
        return pool.submit(asyncio.run, main()).result()


async def _execute(url: URL, *statements: str) -> None:
    engine = superuser_engine(url)
    try:
        async with engine.connect() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()


def _drop(name: str) -> str:
    return f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'


@dataclass
class TestDatabases:
    """The session's template database and the current test's copy of it."""

    url: URL
    template: str = field(default_factory=lambda: f"fastramqpi_template_{os.getpid()}")
    test: str = field(default_factory=lambda: f"fastramqpi_test_{os.getpid()}")
    primed_with: tuple[int, str] | None = None

    @property
    def test_url(self) -> URL:
        return self.url.set(database=self.test)

    def describe(self) -> str:
        return describe(self.url.set(database=MAINTENANCE_DATABASE))

    def create_template(self) -> None:
        self._execute(
            _drop(self.test), _drop(self.template), f'CREATE DATABASE "{self.template}"'
        )
        self.primed_with = None

    def copy_template(self) -> None:
        self._execute(
            _drop(self.test),
            f'CREATE DATABASE "{self.test}" TEMPLATE "{self.template}"',
        )

    def drop_copy(self) -> None:
        self._execute(_drop(self.test))

    def drop_all(self) -> None:
        self._execute(_drop(self.test), _drop(self.template))

    def _execute(self, *statements: str) -> None:
        run(lambda: _execute(self.url, *statements))

    def prime(self, metadata: MetaData | None, migrations: str | Path | None) -> bool:
        """Bring the template to this schema (once per schema) and copy it again.

        Only before the app has connected to its copy, which is dropped and made anew.
        Returns whether anything was done.
        """
        key = (id(metadata), str(Path(migrations).resolve()) if migrations else "")
        if key == self.primed_with:
            return False
        self.create_template()

        async def migrate() -> None:
            engine = create_async_engine(
                self.url.set(database=self.template), poolclass=NullPool
            )
            try:
                await prepare_schema(engine, metadata, migrations)
            finally:
                await engine.dispose()

        run(migrate)
        self.primed_with = key
        self.copy_template()
        return True
