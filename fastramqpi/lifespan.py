# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Ordered lifespan managers.

Dependencies (MO client at 100, GraphQL client at 200) are entered before what uses them
(events at 1000) and left after it. A failure half-way leaves what was already entered.
"""

from collections.abc import AsyncIterator
from collections.abc import Mapping
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from contextlib import AsyncExitStack
from contextlib import asynccontextmanager
from typing import Any


def in_order(
    managers: Mapping[int, Sequence[AbstractAsyncContextManager[Any]]],
) -> list[AbstractAsyncContextManager[Any]]:
    """The managers in the order they are entered: ascending priority, then as added."""
    return [m for priority in sorted(managers) for m in managers[priority]]


@asynccontextmanager
async def run(
    managers: Mapping[int, Sequence[AbstractAsyncContextManager[Any]]],
) -> AsyncIterator[None]:
    """Enter every manager in order; leave them in reverse, also when entering fails."""
    async with AsyncExitStack() as stack:
        for manager in in_order(managers):
            await stack.enter_async_context(manager)
        yield
