# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""MO's GraphQL events, delivered to the integration's own routes.

Declare listeners with :class:`GraphQLEvents`; each event is POSTed as ``Event[T]`` to the
listener's path and acknowledged in MO when the handler answers 2xx.
"""

from collections.abc import Mapping
from typing import TYPE_CHECKING
from typing import Any

from fastramqpi._events_client import EventsClient
from fastramqpi.config import join_url
from fastramqpi.events.delivery import Handlers
from fastramqpi.events.delivery import InProcess
from fastramqpi.events.delivery import OverHTTP
from fastramqpi.events.models import Event
from fastramqpi.events.models import GraphQLEvents
from fastramqpi.events.models import Listener
from fastramqpi.events.models import Namespace
from fastramqpi.events.system import EventsSystem
from fastramqpi.events.system import MOEventsAPI

if TYPE_CHECKING:
    from starlette.types import ASGIApp

    from fastramqpi.config import Settings
    from fastramqpi.mo import AuthenticatedMOClient

__all__ = [
    "NO_EVENT_SLEEP_DURATION",
    "Event",
    "EventsSystem",
    "GraphQLEvents",
    "Listener",
    "Namespace",
    "create_events_system",
]

NO_EVENT_SLEEP_DURATION: float = 1.75
"""Seconds between a listener's polls while MO has no event for it (read at every wait).

Only one fetcher of a listener polls while idle, so an idle listener asks MO 0.57 times a
second, less than the original's three fetchers at 5 s, and a new event waits 0.9 s on
average."""

EVENTS_GRAPHQL_VERSION = 25
"""The GraphQL version of the fetcher's own calls; the event API is the same up to v30."""


def create_events_system(
    config: GraphQLEvents,
    settings: "Settings",
    mo_client: "AuthenticatedMOClient",
    app: "ASGIApp",
    state: Mapping[str, Any],
) -> EventsSystem:
    """The events system of an app, fetching from MO through ``mo_client`` once started.

    Events go to ``app`` itself, with the lifespan ``state`` a server would give its requests,
    or to ``settings.event_delivery_url`` if set.
    """

    def connect() -> tuple[MOEventsAPI, Handlers]:
        # Never entered as a context manager: its exit would close the shared MO client.
        mo = EventsClient(
            url=join_url(settings.mo_url, f"graphql/v{EVENTS_GRAPHQL_VERSION}"),
            # ariadne-codegen 0.19's HttpClient protocol, unlike httpx, takes ``json`` positionally.
            http_client=mo_client,  # type: ignore[arg-type]
        )
        if settings.event_delivery_url is not None:
            return mo, OverHTTP(str(settings.event_delivery_url))
        return mo, InProcess(app, dict(state))

    return EventsSystem(config, connect)
