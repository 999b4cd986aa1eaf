# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""What FastRAMQPI builds for an integration: typed ``Resources``, and the ``Context`` dict.

``FastRAMQPI`` hands each part the resources it needs as arguments. ``Context`` is the dict
view integrations have always read (``context["user_context"]``, ``context["sessionmaker"]``),
in handlers, health checks, lifespan managers and hand-built unit tests.
"""

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any
from typing import Generic
from typing import TypedDict

from typing_extensions import TypeVar

if TYPE_CHECKING:
    from fastapi import FastAPI
    from sqlalchemy.ext.asyncio import AsyncEngine
    from sqlalchemy.ext.asyncio import AsyncSession
    from sqlalchemy.ext.asyncio import async_sessionmaker

    from fastramqpi.config import Settings
    from fastramqpi.database import Database
    from fastramqpi.events._system import EventsSystem
    from fastramqpi.health import HealthChecks
    from fastramqpi.mo import AuthenticatedMOClient

GraphQLClientT = TypeVar("GraphQLClientT", default=Any)
"""The integration's generated GraphQL client class.

Inferred from ``FastRAMQPI(..., graphql_client_cls=GraphQLClient)``, so
``fastramqpi.get_context()["graphql_client"]`` is a ``GraphQLClient``. A bare ``Context``
(a health check's argument, a unit test's hand-built dict) leaves it open.
"""


class Context(TypedDict, Generic[GraphQLClientT], total=False):
    """Keys FastRAMQPI fills; ``user_context`` holds what ``add_context`` adds."""

    name: str
    settings: "Settings"
    app: "FastAPI"
    lifespan_managers: dict[int, list[AbstractAsyncContextManager[Any]]]
    healthchecks: "HealthChecks"
    user_context: dict[str, Any]
    mo_client: "AuthenticatedMOClient"
    graphql_client: GraphQLClientT
    graphql_events: "EventsSystem"
    engine: "AsyncEngine"
    sessionmaker: "async_sessionmaker[AsyncSession]"


@dataclass(frozen=True)
class Resources(Generic[GraphQLClientT]):
    """The parts one ``FastRAMQPI`` built, typed; ``None`` for a part it was not asked for."""

    name: str
    settings: "Settings"
    app: "FastAPI"
    mo_client: "AuthenticatedMOClient"
    graphql_client: GraphQLClientT | None
    database: "Database | None"
    events: "EventsSystem | None"

    def context_entries(self) -> "Context[GraphQLClientT]":
        """The resources as ``Context`` keys: a part not built has no key."""
        entries: Context[GraphQLClientT] = Context(
            name=self.name,
            settings=self.settings,
            app=self.app,
            mo_client=self.mo_client,
        )
        if self.graphql_client is not None:
            entries["graphql_client"] = self.graphql_client
        if self.database is not None:
            entries["engine"] = self.database.engine
            entries["sessionmaker"] = self.database.sessionmaker
        if self.events is not None:
            entries["graphql_events"] = self.events
        return entries
