# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The composition root: wires settings, clients and the app together; holds no logic."""

import importlib
from collections.abc import AsyncIterator
from collections.abc import Awaitable
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from contextlib import aclosing
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any
from typing import Generic

import structlog
from fastapi import FastAPI
from fastapi import Request
from typing_extensions import TypeVar

from fastramqpi import _routes
from fastramqpi import dap
from fastramqpi import health
from fastramqpi import lifespan
from fastramqpi import log
from fastramqpi import middleware
from fastramqpi._configuration import effective_configuration
from fastramqpi.config import Settings
from fastramqpi.config import join_url
from fastramqpi.context import Context
from fastramqpi.context import Resources
from fastramqpi.health import HealthChecks

logger = structlog.stdlib.get_logger(__name__)

if TYPE_CHECKING:
    from sqlalchemy import MetaData

    from fastramqpi import database as database
    from fastramqpi import events as events
    from fastramqpi import metrics as metrics
    from fastramqpi import mo as mo

_LAZY = ("database", "events", "metrics", "mo")


def __getattr__(name: str) -> Any:
    """The parts below, imported when an app first needs them.

    An integration without a database or listeners never loads SQLAlchemy, Alembic or the
    events client, and importing this module costs little more than importing FastAPI.
    ``fastramqpi.main.database`` and the others stay there for test suites that patch them.
    """
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f"fastramqpi.{name}")
    globals()[name] = module
    return module


def _load(name: str) -> None:
    """Make the lazy part ``name`` a global of this module, unless a test patched one in.

    The code below then uses it as if it were imported at the top.
    """
    if name not in globals():
        __getattr__(name)


async def _index(request: Request) -> dict[str, str]:
    return {"name": request.app.state.context["name"]}


_ClientT = TypeVar("_ClientT", bound=AbstractAsyncContextManager[Any], default=Any)


class FastRAMQPI(Generic[_ClientT]):
    """An OS2mo integration's app, MO clients, event fetchers and database, from one call.

    Generic in the GraphQL client class it is given, so ``get_context()["graphql_client"]``
    and ``resources.graphql_client`` have that type.
    """

    resources: Resources[_ClientT]
    """Every part built here, typed. Each part was given what it uses as arguments."""

    def __init__(
        self,
        application_name: str,
        settings: Settings,
        graphql_version: int,
        graphql_client_cls: "mo.GraphQLClientClass[_ClientT] | None" = None,
        graphql_events: "events.GraphQLEvents | None" = None,
        database_metadata: "MetaData | None" = None,
        database_migrations: str | Path | None = None,
    ) -> None:
        log.configure(settings.log_level, settings.json_logs)
        dap.start(settings)
        self.settings = settings
        uses_database = database_metadata is not None or database_migrations is not None
        self._configuration = effective_configuration(
            application_name,
            settings,
            graphql_version,
            graphql_events,
            uses_database=uses_database,
        )
        checks = HealthChecks()
        self._context: Context[_ClientT] = Context(
            lifespan_managers={}, healthchecks=checks, user_context={}
        )

        app = self._app(application_name, settings, checks)

        _load("mo")
        graphql_url = join_url(settings.mo_url, f"graphql/v{graphql_version}")
        mo_client = mo.build_mo_client(settings)
        graphql_client = None
        if graphql_client_cls is not None:
            graphql_client = graphql_client_cls(
                url=graphql_url, http_client=mo.SharedMOClient(mo_client)
            )

        db = None
        if uses_database:
            _load("database")
            db = database.Database(
                settings.database,
                metadata=database_metadata,
                migrations=database_migrations,
            )

        events_system = gate = None
        if graphql_events is not None:
            gate = health.EventGate(
                checks, self._context, lambda: settings.dependency_check_interval
            )
            _load("events")
            events_system = events.create_events_system(
                graphql_events,
                settings=settings,
                mo_client=mo_client,
                app=app,
                state={"context": self._context},
                gate=gate,
            )

        self.resources = Resources(
            name=application_name,
            settings=settings,
            app=app,
            mo_client=mo_client,
            graphql_client=graphql_client,
            database=db,
            events=events_system,
        )
        self._context.update(self.resources.context_entries())

        self._manage(self.resources, graphql_url, gate)

    def _app(self, name: str, settings: Settings, checks: HealthChecks) -> FastAPI:
        app = FastAPI(
            title=name, version=settings.commit_tag, contact={}, lifespan=self._lifespan
        )
        app.state.context = self._context
        # On the app itself, not through an included router: FastAPI 0.16x matches an
        # included router through an extra layer on every request, and every request of the
        # integration's own routes passes ours first.
        _routes.add_route(app, "/", _index)
        health.add_routes(app, checks, self._context)
        observe = None
        if settings.enable_metrics:
            _load("metrics")
            observe = metrics.instrument(app, settings.commit_tag, settings.commit_sha)
        app.add_middleware(
            middleware.RequestMiddleware, context=self._context, observe=observe
        )
        return app

    def _manage(
        self,
        resources: Resources[_ClientT],
        graphql_url: str,
        gate: "health.EventGate | None",
    ) -> None:
        """Enter each part at start-up, after what it uses, and check it for readiness."""
        self.add_lifespan_manager(aclosing(resources.mo_client), priority=100)
        self.add_healthcheck("MO", mo.MOReadiness(resources.mo_client, graphql_url))
        if resources.graphql_client is not None:
            self.add_lifespan_manager(resources.graphql_client, priority=200)
        if resources.database is not None:
            self.add_lifespan_manager(resources.database, priority=150)
            self.add_healthcheck(
                "Database", resources.database.healthcheck, gates_events=True
            )
        if gate is not None:
            self.add_lifespan_manager(gate, priority=900)
        if resources.events is not None:
            self.add_lifespan_manager(resources.events, priority=1000)
            self.add_healthcheck("GraphQL events", resources.events.healthcheck)

    @asynccontextmanager
    async def _lifespan(self, app: FastAPI) -> AsyncIterator[dict[str, Any]]:
        # Again: a server that configured its logging after construction took it over.
        log.configure(self.settings.log_level, self.settings.json_logs)
        logger.info("Starting FastRAMQPI", **self._configuration)
        _routes.yield_to_integration(app)
        async with lifespan.run(self._context["lifespan_managers"]):
            yield {"context": self._context}

    def get_app(self) -> FastAPI:
        return self.resources.app

    def get_context(self) -> Context[_ClientT]:
        return self._context

    def add_context(self, **kwargs: Any) -> None:
        """Make values available to handlers through ``depends.from_user_context``."""
        self._context["user_context"].update(kwargs)

    def add_lifespan_manager(
        self, manager: AbstractAsyncContextManager[Any], priority: int = 1000
    ) -> None:
        """Enter ``manager`` at start-up after every lower priority; leave it before them."""
        self._context["lifespan_managers"].setdefault(priority, []).append(manager)

    def add_healthcheck(
        self,
        name: str,
        fn: Callable[[Context[_ClientT]], Awaitable[bool]],
        live: bool = False,
        *,
        gates_events: bool = False,
    ) -> None:
        """Register ``async fn(context) -> bool`` for readiness (and liveness if ``live``).

        ``gates_events``: the event handlers need this dependency; while the check fails, no
        listener fetches an event (it would only fail and wait minutes in MO)."""
        self._context["healthchecks"].add(
            name, fn, live=live, gates_events=gates_events
        )
