# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""An integration's own database: async SQLAlchemy, schema kept current at start-up.

Construction only builds the engine (it connects lazily), so an app can be built, and its
``engine``/``sessionmaker`` read, without a database. Start-up brings the schema up to date
in the background: a database that is down delays readiness, never start-up.
"""

import asyncio
from pathlib import Path
from types import TracebackType
from typing import Any

import structlog
from sqlalchemy import MetaData
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from tenacity import AsyncRetrying
from tenacity import RetryCallState
from tenacity import wait_exponential
from tenacity import wait_random
from tenacity.wait import wait_base

from fastramqpi._background import BackgroundTask
from fastramqpi.config import DatabaseSettings
from fastramqpi.database._engine import create_engine
from fastramqpi.database._engine import create_sessionmaker
from fastramqpi.database._engine import database_url
from fastramqpi.database._engine import describe
from fastramqpi.database._migrations import prepare_schema

__all__ = ["Database"]

logger = structlog.stdlib.get_logger(__name__)

RETRY_WAIT: wait_base = wait_exponential(multiplier=0.5, max=30) + wait_random(0, 0.5)
"""Back-off between attempts to prepare the schema while the database is unreachable."""

HEALTH_TIMEOUT = 3.0
"""Seconds ``SELECT 1`` may take before the database counts as unavailable."""


def _reason(error: BaseException) -> str:
    """The driver's own message: SQLAlchemy's wrapper adds the SQL and a link, not the cause."""
    cause = (
        error.orig
        if isinstance(error, DBAPIError) and error.orig is not None
        else error
    )
    return f"{type(cause).__name__}: {cause}" if str(cause) else type(cause).__name__


class Database:
    """The engine, its sessions, the schema's preparation and the readiness check.

    Used as the lifespan manager: entering starts preparing the schema in the background,
    leaving stops that and closes every pooled connection.
    """

    def __init__(
        self,
        settings: DatabaseSettings | None,
        metadata: MetaData | None = None,
        migrations: str | Path | None = None,
    ) -> None:
        self.url = database_url(settings)
        assert settings is not None  # database_url raised otherwise
        self.engine = create_engine(
            self.url,
            connect_timeout=settings.connect_timeout,
            command_timeout=settings.command_timeout,
        )
        self.sessionmaker = create_sessionmaker(self.engine)
        self.metadata = metadata
        self.migrations = migrations
        self.schema_ready = False
        self._unavailable: str | None = None
        """Why the last check failed; None after one passed."""
        self._schema = BackgroundTask("fastramqpi-database-schema")

    def _where(self) -> dict[str, Any]:
        return {
            "database": describe(self.url),
            "host": self.url.host,
            "port": self.url.port,
            "name": self.url.database,
        }

    async def __aenter__(self) -> "Database":
        self._schema.start(self._prepare())
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._schema.stop()
        await self.engine.dispose()

    async def _prepare(self) -> None:
        how = "alembic upgrade head" if self.migrations is not None else "create_all"
        retrying = AsyncRetrying(wait=RETRY_WAIT, before_sleep=self._log_failure)
        async for attempt in retrying:
            with attempt:
                await prepare_schema(self.engine, self.metadata, self.migrations)
        self.schema_ready = True
        logger.info("Database schema is up to date", how=how, **self._where())

    def _log_failure(self, state: RetryCallState) -> None:
        assert state.outcome is not None
        error = state.outcome.exception()
        assert error is not None
        logger.error(
            "Cannot bring the database schema up to date; retrying",
            error=_reason(error),
            attempt=state.attempt_number,
            retry_in=round(state.upcoming_sleep, 2),
            **self._where(),
        )

    async def healthcheck(self, context: Any) -> bool:
        """Ready once the schema is prepared and while ``SELECT 1`` answers in time.

        Says so in the log when the database becomes unavailable (or fails differently) and
        when it is back, not at every check: the events gate checks it several times a
        second while it is down."""
        if not self.schema_ready:
            return False
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT):
                async with self.engine.connect() as connection:
                    await connection.execute(text("SELECT 1"))
        except Exception as error:
            reason = _reason(error)
            if reason != self._unavailable:
                self._unavailable = reason
                logger.warning("Database unavailable", error=reason, **self._where())
            return False
        if self._unavailable is not None:
            self._unavailable = None
            logger.info("Database available again", **self._where())
        return True
