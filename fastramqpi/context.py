# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The shared context every part of an integration reads its resources from."""

from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING
from typing import Any
from typing import TypedDict

if TYPE_CHECKING:
    from fastapi import FastAPI
    from sqlalchemy.ext.asyncio import AsyncEngine
    from sqlalchemy.ext.asyncio import AsyncSession
    from sqlalchemy.ext.asyncio import async_sessionmaker

    from fastramqpi.config import Settings
    from fastramqpi.health import HealthChecks
    from fastramqpi.mo import AuthenticatedMOClient


class Context(TypedDict, total=False):
    """Keys FastRAMQPI fills; ``user_context`` holds what ``add_context`` adds."""

    name: str
    settings: "Settings"
    app: "FastAPI"
    lifespan_managers: dict[int, list[AbstractAsyncContextManager[Any]]]
    healthchecks: "HealthChecks"
    user_context: dict[str, Any]
    mo_client: "AuthenticatedMOClient"
    graphql_client: Any
    graphql_events: Any
    engine: "AsyncEngine"
    sessionmaker: "async_sessionmaker[AsyncSession]"
