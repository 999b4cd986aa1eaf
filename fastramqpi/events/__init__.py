# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""MO's GraphQL events, delivered to the integration's own routes.

Declare listeners with :class:`GraphQLEvents`; each event is POSTed as ``Event[T]`` to the
listener's path and acknowledged in MO when the handler answers 2xx.
"""

import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING
from typing import Any

from fastramqpi import _events_client
from fastramqpi import config as _config
from fastramqpi.events import _client
from fastramqpi.events import _delivery
from fastramqpi.events import _system
from fastramqpi.events._models import Event
from fastramqpi.events._models import GraphQLEvents
from fastramqpi.events._models import Listener
from fastramqpi.events._models import Namespace
from fastramqpi.events._system import EventsSystem

if TYPE_CHECKING:
    from starlette.types import ASGIApp

    from fastramqpi.config import Settings
    from fastramqpi.mo import AuthenticatedMOClient

__all__ = [
    "NO_EVENT_SLEEP_DURATION",
    "Event",
    "GraphQLEvents",
    "Listener",
    "Namespace",
]

_DEPRECATED = {
    "Handlers": (_delivery, "Handlers"),
    "InProcess": (_delivery, "InProcess"),
    "OverHTTP": (_delivery, "OverHTTP"),
    "MOEventsAPI": (_system, "MOEventsAPI"),
    "EventsClient": (_events_client, "EventsClient"),
    "join_url": (_config, "join_url"),
}
"""Internals this package exported before its public API was settled; gone in 19.0."""


def __getattr__(name: str) -> Any:
    if name not in _DEPRECATED:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from fastramqpi._warnings import FastRAMQPIDeprecationWarning

    warnings.warn(
        f"fastramqpi.events.{name} is internal and will be removed in FastRAMQPI 19",
        FastRAMQPIDeprecationWarning,
        stacklevel=2,
    )
    module, attribute = _DEPRECATED[name]
    return getattr(module, attribute)


NO_EVENT_SLEEP_DURATION: float = 1.75
"""The integration's idle poll period: seconds between its listings of the pending events
of its idle listeners (read at every wait, by :func:`_idle_interval` only, so patching this
module's attribute works).

One listing covers every idle listener, so an idle integration asks MO 0.57 times a second
however many listeners it declares, and a new event waits 0.9 s on average. Without MO's
``read_event`` role each idle listener polls on its own at this period instead."""

EVENTS_GRAPHQL_VERSION = 25
"""The GraphQL version of the fetcher's own calls; the event API is the same up to v30."""


def _idle_interval() -> float:
    return float(NO_EVENT_SLEEP_DURATION)


def create_events_system(
    config: GraphQLEvents,
    settings: "Settings",
    mo_client: "AuthenticatedMOClient",
    app: "ASGIApp",
    state: Mapping[str, Any],
    gate: _system.Gate | None = None,
) -> EventsSystem:
    """The events system of an app, fetching from MO through ``mo_client`` once started.

    Events go to ``app`` itself, with the lifespan ``state`` a server would give its requests,
    or to ``settings.event_delivery_url`` if set.
    """

    def connect() -> tuple[_system.MOEventsAPI, _delivery.Handlers]:
        # Never entered as a context manager: its exit would close the shared MO client.
        mo = _client.MOEvents(
            url=_config.join_url(settings.mo_url, f"graphql/v{EVENTS_GRAPHQL_VERSION}"),
            # ariadne-codegen 0.19's HttpClient protocol, unlike httpx, takes ``json`` positionally.
            http_client=mo_client,  # type: ignore[arg-type]
        )
        if settings.event_delivery_url is not None:
            return mo, _delivery.OverHTTP(str(settings.event_delivery_url))
        return mo, _delivery.InProcess(app, dict(state))

    return EventsSystem(
        config,
        connect,
        idle_interval=_idle_interval,
        redeliveries=settings.event_redeliveries,
        gate=gate,
    )
