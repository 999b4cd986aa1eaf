# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Annotated dependencies for route handlers: ``async def h(mo: depends.MOClient)``."""

from collections.abc import AsyncIterator
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING
from typing import Annotated
from typing import Any

from fastapi import Depends

from fastramqpi.mo import AuthenticatedMOClient
from fastramqpi.ramqp.depends import Context
from fastramqpi.ramqp.depends import from_context

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine
    from sqlalchemy.ext.asyncio import AsyncSession
    from sqlalchemy.ext.asyncio import async_sessionmaker


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


async def _session(
    sessionmaker: Annotated[Any, Depends(from_context("sessionmaker"))],
) -> AsyncIterator["AsyncSession"]:
    async with sessionmaker() as session, session.begin():
        yield session


if TYPE_CHECKING:
    Engine = Annotated[AsyncEngine, Depends(from_context("engine"))]
    Sessionmaker = Annotated[
        async_sessionmaker[AsyncSession], Depends(from_context("sessionmaker"))
    ]
    Session = Annotated[AsyncSession, Depends(_session, scope="function")]
    """One session and transaction per request: committed when the handler returns, before
    the response is sent (``scope="function"``), so a failed commit is a 5xx and an event is
    not acked; rolled back when the handler raises."""
else:

    def __getattr__(name: str) -> Any:
        """``Engine``, ``Sessionmaker`` and ``Session``, made on first use.

        Their types are SQLAlchemy's: an integration without a database never imports it.
        """
        if name not in ("Engine", "Sessionmaker", "Session"):
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        from sqlalchemy.ext.asyncio import AsyncEngine
        from sqlalchemy.ext.asyncio import AsyncSession
        from sqlalchemy.ext.asyncio import async_sessionmaker

        globals().update(
            Engine=Annotated[AsyncEngine, Depends(from_context("engine"))],
            Sessionmaker=Annotated[
                async_sessionmaker[AsyncSession], Depends(from_context("sessionmaker"))
            ],
            Session=Annotated[AsyncSession, Depends(_session, scope="function")],
        )
        return globals()[name]
