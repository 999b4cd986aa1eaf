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


def _get_context(request: Request) -> _Context:
    context: _Context = request.app.state.context
    return context


def _get_state(request: Request) -> _State:
    return request.state


Context = Annotated[_Context, Depends(_get_context)]
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
