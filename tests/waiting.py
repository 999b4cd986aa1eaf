# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Waiting for what the code under test makes happen, never for a length of time.

A test that sleeps and then claims nothing happened passes or fails with the machine's load.
It waits here instead for something that does happen, and only then looks.
"""

import asyncio
import inspect
from collections.abc import Awaitable
from collections.abc import Callable

BOUND = 30.0
"""Seconds before ``until`` gives up: only there to end a hang, never reached when the code
under test works, however loaded the machine."""


async def until(
    condition: Callable[[], bool | Awaitable[bool]], every: float = 0.01
) -> None:
    """Return once ``condition()`` is true (awaited, if it is a coroutine)."""
    try:
        async with asyncio.timeout(BOUND):
            while True:
                result = condition()
                if inspect.isawaitable(result):
                    result = await result
                if result:
                    return
                await asyncio.sleep(every)
    except TimeoutError:
        raise AssertionError(f"still false after {BOUND:.0f} s: {condition}") from None
