# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The framework's own routes on an integration's app: ``/``, ``/health/...``, ``/metrics``.

They are added at construction, before the integration's routes, so ours answer their paths
whatever the integration adds. FastAPI tries the routes in order, at microseconds a route, so
at start-up, when the integration has added its routes, ours move after them unless one of
theirs would answer one of our paths: the same route answers every request, and the
integration's requests no longer pass ours.
"""

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute
from starlette.routing import Match


class _FrameworkRoute(APIRoute):
    """One of ours, so that :func:`yield_to_integration` can tell them apart."""


def add_route(
    app: FastAPI, path: str, endpoint: Callable[..., Any], **options: Any
) -> None:
    """Serve GET ``path`` (static, no parameters) on ``app`` with ``endpoint``."""
    app.router.add_api_route(
        path,
        endpoint,
        methods=["GET"],
        route_class_override=_FrameworkRoute,
        **options,
    )


def _answers(route: BaseRoute, path: str) -> bool:
    """Whether ``route`` would take a GET of ``path`` (or answer it 405) before ours."""
    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "root_path": "",
        "headers": [],
    }
    try:
        match, _ = route.matches(scope)
    except Exception:
        return True  # a route we cannot ask may answer: ours stay first
    return match is not Match.NONE


def yield_to_integration(app: FastAPI) -> None:
    """Put the framework's routes after the integration's, unless one of those answers a
    path of ours (then every route stays where it is)."""
    routes = app.router.routes
    ours = [r for r in routes if isinstance(r, _FrameworkRoute)]
    theirs = [r for r in routes if not isinstance(r, _FrameworkRoute)]
    if not any(_answers(route, o.path) for route in theirs for o in ours):
        routes[:] = [*theirs, *ours]
