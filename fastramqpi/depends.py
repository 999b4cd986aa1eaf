# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Annotated dependencies for route handlers: ``async def h(mo: depends.MOClient)``.

Every one of them reads the context through ``get_context``: a test that overrides it in
``app.dependency_overrides`` gives them all its own context. Each is an ``async def``,
though none awaits anything: FastAPI runs a plain ``def`` dependency in a worker thread, a
hop that costs far more than reading the context (about 0.2 ms each, three of them for a
handler that takes a client and a session).
"""

import asyncio
from collections.abc import AsyncIterator
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Hashable
from collections.abc import Mapping
from functools import cache
from functools import wraps
from typing import TYPE_CHECKING
from typing import Annotated
from typing import Any
from typing import ParamSpec
from typing import TypeVar

from fastapi import Depends
from fastapi import Request
from starlette.datastructures import State as _State

from fastramqpi.context import Context as _Context
from fastramqpi.mo import AuthenticatedMOClient

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine
    from sqlalchemy.ext.asyncio import AsyncSession
    from sqlalchemy.ext.asyncio import async_sessionmaker


async def get_context(request: Request) -> _Context:
    """The dependency behind ``Context``, ``from_context`` and ``from_user_context``.

    The context is what the app's lifespan yielded (``request.state.context``), else the
    app's own (``app.state.context``): a test's plain FastAPI app with a lifespan of its own
    works, and so does a ``TestClient`` used without ``with``. A test replaces it for every
    handler with ``app.dependency_overrides[get_context] = lambda: my_context``.
    """
    context: _Context
    try:
        context = request.state.context
    except AttributeError:
        context = request.app.state.context
    return context


async def _get_state(request: Request) -> _State:
    return request.state


Context = Annotated[_Context, Depends(get_context)]
State = Annotated[_State, Depends(_get_state)]


@cache
def from_context(field: str) -> Callable[..., Any]:
    """A dependency returning ``context[field]``; cached so each field has one dependency."""

    async def get(context: Context) -> object:
        fields: Mapping[str, object] = context
        return fields[field]

    return get


P = ParamSpec("P")
R = TypeVar("R")


def handle_exclusively_decorator(
    key: Callable[P, Hashable],
) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Awaitable[R]]]:
    """Run calls one at a time per ``key(*args, **kwargs)``; other keys run in parallel."""

    def decorator(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        locks: dict[Hashable, asyncio.Lock] = {}
        users: dict[Hashable, int] = {}

        @wraps(fn)
        async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            k = key(*args, **kwargs)
            lock = locks.setdefault(k, asyncio.Lock())
            users[k] = users.get(k, 0) + 1
            try:
                async with lock:
                    return await fn(*args, **kwargs)
            finally:
                users[k] -= 1
                if users[k] == 0:
                    del users[k], locks[k]

        return wrapper

    return decorator


handle_exclusively = handle_exclusively_decorator


async def _get_user_context(context: Context) -> dict[str, Any]:
    return context["user_context"]


UserContext = Annotated[dict[str, Any], Depends(_get_user_context)]


@cache
def from_user_context(field: str) -> Callable[..., Any]:
    """A dependency returning what ``add_context(field=...)`` stored."""

    async def get(user_context: UserContext) -> Any:
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
