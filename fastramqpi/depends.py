# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Annotated dependencies for route handlers: ``async def h(mo: depends.MOClient)``."""

from collections.abc import AsyncIterator
from collections.abc import Callable
from functools import cache
from typing import Annotated
from typing import Any

from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.asyncio import async_sessionmaker

from fastramqpi.mo import AuthenticatedMOClient
from fastramqpi.ramqp.depends import Context
from fastramqpi.ramqp.depends import from_context


def _get_user_context(context: Context) -> dict[str, Any]:
    return context["user_context"]


UserContext = Annotated[dict[str, Any], Depends(_get_user_context)]


@cache
def from_user_context(field: str) -> Callable[..., Any]:
    """A dependency returning what ``add_context(field=...)`` stored."""

    def get(user_context: UserContext) -> Any:
        return user_context[field]

    return get


MOClient = Annotated[AuthenticatedMOClient, Depends(from_context("mo_client"))]

Engine = Annotated[AsyncEngine, Depends(from_context("engine"))]
Sessionmaker = Annotated[
    async_sessionmaker[AsyncSession], Depends(from_context("sessionmaker"))
]


async def _session(sessionmaker: Sessionmaker) -> AsyncIterator[AsyncSession]:
    async with sessionmaker() as session, session.begin():
        yield session


Session = Annotated[AsyncSession, Depends(_session, scope="function")]
"""One session and transaction per request: committed when the handler returns, before the
response is sent (``scope="function"``), so a failed commit is a 5xx and an event is not acked;
rolled back when the handler raises."""
