# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The framework's own routes on an integration's app: ``/``, ``/health/...``, ``/metrics``.

They are added at construction, before the integration's routes, so every request to one of
those is tried against ours first, and FastAPI's matching costs microseconds a route: a
quarter of what the framework added to a trivial request. A path that does not end with a
static route's path cannot match it, and that string comparison is enough to turn it away.
"""

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import Match
from starlette.types import Scope


class _FrameworkRoute(APIRoute):
    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if not scope.get("path", "").endswith(self.path):
            return Match.NONE, {}
        return super().matches(scope)


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
