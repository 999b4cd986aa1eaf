# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Retrying assertions for integration tests of an eventually consistent system.

An integration reacts to events some time after the test acted, so assertions about its
effects are retried until they pass or time runs out. The last failure is re-raised as it
is, so the test fails with the assertion's own message, not a ``RetryError``.
"""

from collections.abc import Callable
from typing import Any
from typing import TypeVar
from typing import overload

from tenacity import AsyncRetrying
from tenacity import retry as _tenacity_retry
from tenacity import stop_after_delay
from tenacity import wait_fixed

STOP_AFTER_SECONDS = 20
WAIT_SECONDS = 2

F = TypeVar("F", bound=Callable[..., Any])


@overload
def retry(fn: F, /) -> F: ...


@overload
def retry(**kwargs: Any) -> Callable[[F], F]: ...


def retry(*args: Any, **kwargs: Any) -> Any:
    """``@retry()``: call the decorated function again until it stops raising.

    Gives up after 20 seconds, trying every 2 seconds; any tenacity argument overrides these.
    """
    if len(args) == 1 and callable(args[0]) and not kwargs:
        return retry()(args[0])
    return _tenacity_retry(*args, **_with_defaults(kwargs))


def retrying(*args: Any, **kwargs: Any) -> AsyncRetrying:
    """``async for attempt in retrying(): with attempt: ...`` with the same defaults as ``retry``."""
    return AsyncRetrying(*args, **_with_defaults(kwargs))


def _with_defaults(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {
        "stop": stop_after_delay(STOP_AFTER_SECONDS),
        "wait": wait_fixed(WAIT_SECONDS),
        "reraise": True,
        **kwargs,
    }
