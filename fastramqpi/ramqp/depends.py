# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""FastAPI dependencies on FastRAMQPI's context."""

import asyncio
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Hashable
from functools import cache
from functools import wraps
from typing import Annotated
from typing import Any
from typing import ParamSpec
from typing import TypeVar

from fastapi import Depends
from fastapi import Request
from starlette.datastructures import State as _State

from fastramqpi.context import Context as _Context


def get_context(request: Request) -> _Context:
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


def _get_state(request: Request) -> _State:
    return request.state


Context = Annotated[_Context, Depends(get_context)]
State = Annotated[_State, Depends(_get_state)]


@cache
def from_context(field: str) -> Callable[..., Any]:
    """A dependency returning ``context[field]``; cached so each field has one dependency."""

    def get(context: Context) -> Any:
        return context[field]  # type: ignore[literal-required]

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
