# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The composition root: wires settings, clients and the app together; holds no logic."""

import importlib
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from contextlib import aclosing
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

import structlog
from fastapi import FastAPI
from fastapi import Request

from fastramqpi import dap
from fastramqpi import health
from fastramqpi import lifespan
from fastramqpi import log
from fastramqpi import middleware
from fastramqpi._configuration import effective_configuration
from fastramqpi.config import Settings
from fastramqpi.config import join_url
from fastramqpi.context import Context
from fastramqpi.health import HealthCheck
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


async def _index(request: Request) -> dict[str, str]:
    return {"name": request.app.state.context["name"]}


class FastRAMQPI:
    """An OS2mo integration's app, MO clients, event fetchers and database, from one call."""

    def __init__(
        self,
        application_name: str,
        settings: Settings,
        graphql_version: int,
        graphql_client_cls: "mo.GraphQLClientClass | None" = None,
        graphql_events: "events.GraphQLEvents | None" = None,
        database_metadata: "MetaData | None" = None,
        database_migrations: str | Path | None = None,
    ) -> None:
        from fastramqpi import main  # this module: its lazy attributes may be patched

        log.configure(settings.log_level, settings.json_logs)
        dap.start(settings)
        self.settings = settings
        self._configuration = effective_configuration(
            application_name,
            settings,
            graphql_version,
            graphql_events,
            uses_database=database_metadata is not None
            or database_migrations is not None,
        )
        self._context = Context(
            name=application_name,
            settings=settings,
            lifespan_managers={},
            healthchecks=HealthChecks(),
            user_context={},
        )

        app = FastAPI(
            title=application_name,
            version=settings.commit_tag,
            contact={},
            lifespan=self._lifespan,
        )
        app.state.context = self._context
        # On the app itself, not through an included router: FastAPI 0.16x matches an
        # included router through an extra layer on every request, and every request of the
        # integration's own routes passes ours first.
        app.add_api_route("/", _index, methods=["GET"])
        health.add_routes(app)
        if settings.enable_metrics:
            main.metrics.instrument(app, settings.commit_tag, settings.commit_sha)
        app.add_middleware(middleware.RequestMiddleware, context=self._context)
        self._context["app"] = app

        graphql_url = join_url(settings.mo_url, f"graphql/v{graphql_version}")
        mo_client = main.mo.build_mo_client(settings)
        self._context["mo_client"] = mo_client
        self.add_lifespan_manager(aclosing(mo_client), priority=100)
        self.add_healthcheck("MO", main.mo.MOReadiness(mo_client, graphql_url))
        if graphql_client_cls is not None:
            graphql_client = graphql_client_cls(
                url=graphql_url, http_client=main.mo.SharedMOClient(mo_client)
            )
            self._context["graphql_client"] = graphql_client
            self.add_lifespan_manager(graphql_client, priority=200)

        if database_metadata is not None or database_migrations is not None:
            db = main.database.Database(
                settings.database,
                metadata=database_metadata,
                migrations=database_migrations,
            )
            self._context["engine"] = db.engine
            self._context["sessionmaker"] = db.sessionmaker
            self.add_lifespan_manager(db, priority=150)
            self.add_healthcheck("Database", db.healthcheck, gates_events=True)

        if graphql_events is not None:
            gate = health.EventGate(
                self._context["healthchecks"],
                self._context,
                lambda: settings.dependency_check_interval,
            )
            self.add_lifespan_manager(gate, priority=900)
            events_system = main.events.create_events_system(
                graphql_events, self._context, gate
            )
            self._context["graphql_events"] = events_system
            self.add_lifespan_manager(events_system, priority=1000)
            self.add_healthcheck("GraphQL events", events_system.healthcheck)

    @asynccontextmanager
    async def _lifespan(self, app: FastAPI) -> AsyncIterator[dict[str, Any]]:
        # Again: a server that configured its logging after construction took it over.
        log.configure(self.settings.log_level, self.settings.json_logs)
        logger.info("Starting FastRAMQPI", **self._configuration)
        async with lifespan.run(self._context["lifespan_managers"]):
            yield {"context": self._context}

    def get_app(self) -> FastAPI:
        return self._context["app"]

    def get_context(self) -> Context:
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
        fn: HealthCheck,
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
