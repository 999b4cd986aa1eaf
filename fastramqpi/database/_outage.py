# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Telling a database outage from a bug: an outage is answered 503, a bug stays a 500."""

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout


def _asyncpg_outages() -> tuple[type[BaseException], ...]:
    try:
        import asyncpg.exceptions as pg  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - asyncpg comes with the database extra
        return ()
    return (
        pg.PostgresConnectionError,  # SQLSTATE class 08
        pg.OperatorInterventionError,  # shutting down, starting up, cancelled
        pg.TooManyConnectionsError,
    )


def is_outage(error: BaseException) -> bool:
    """Whether ``error`` (or what it was raised from) is the database being away: refused or
    dropped connections, timeouts, a server shutting down. A constraint violation, a syntax
    error or any other error is not."""
    outages = (OSError, TimeoutError, PoolTimeout, *_asyncpg_outages())
    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, outages):
            return True
        if isinstance(cause, DBAPIError):
            if cause.connection_invalidated:
                return True
            orig = cause.orig
            if isinstance(orig, BaseException) and isinstance(orig, outages):
                return True
        cause = cause.__cause__
    return False
