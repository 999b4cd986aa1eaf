# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The effective configuration, as the one start-up log line shows it: what the integration
talks to and how, never a secret."""

from typing import TYPE_CHECKING
from typing import Any

from fastramqpi.config import Settings
from fastramqpi.config import join_url

if TYPE_CHECKING:
    from fastramqpi.events import GraphQLEvents


def _public(url: str) -> str:
    """``url`` without credentials: a URL may carry a password."""
    import httpx  # when an app is built, as the MO client needs it too; not at import

    return str(httpx.URL(url).copy_with(username=None, password=None))


def _database(settings: Settings, used: bool) -> dict[str, Any] | None:
    database = settings.database
    if database is None or not used:
        return None
    if database.url is None:
        return {"host": database.host, "port": database.port, "name": database.name}
    from sqlalchemy import make_url

    url = make_url(database.url.get_secret_value())
    return {
        "driver": url.drivername,
        "host": url.host,
        "port": url.port,
        "name": url.database,
    }


def effective_configuration(
    application_name: str,
    settings: Settings,
    graphql_version: int,
    graphql_events: "GraphQLEvents | None",
    uses_database: bool,
) -> dict[str, Any]:
    listeners = [] if graphql_events is None else graphql_events.declare_listeners
    return {
        "application_name": application_name,
        "mo_url": _public(str(settings.mo_url)),
        "graphql_url": _public(
            join_url(settings.mo_url, f"graphql/v{graphql_version}")
        ),
        "graphql_version": graphql_version,
        "token_url": _public(settings.token_url),
        "client_id": settings.client_id,
        "listeners": [
            {
                "namespace": listener.namespace,
                "user_key": listener.user_key,
                "routing_key": listener.routing_key,
                "path": listener.path,
                "parallelism": listener.parallelism,
            }
            for listener in listeners
        ],
        "event_delivery_url": None
        if settings.event_delivery_url is None
        else _public(str(settings.event_delivery_url)),
        "database": _database(settings, uses_database),
        "metrics": settings.enable_metrics,
        "version": settings.commit_tag,
    }
