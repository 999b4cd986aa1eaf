# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Handing an event to its handler: through the app's own ASGI stack, or over HTTP.

In-process delivery runs the same routing, middleware and validation as an HTTP request, with
no port to configure and no socket hop. ``event_delivery_url`` switches to HTTP for handlers
that live in another process.
"""

from typing import Any
from uuid import uuid4

import httpx
from starlette.types import ASGIApp
from starlette.types import Receive
from starlette.types import Scope
from starlette.types import Send

from fastramqpi.events.decisions import Delivered
from fastramqpi.events.decisions import Outcome
from fastramqpi.events.decisions import Unreachable

TIMEOUT = 300.0
"""Seconds an out-of-process handler may take; a slow handler is not a failed one."""

BODY_EXCERPT = 500
"""Characters of a failed response's body that are logged."""

_IN_PROCESS_BASE_URL = "http://127.0.0.1"


class _WithLifespanState:
    """Give each request the lifespan state a server would (``request.state.context``)."""

    def __init__(self, app: ASGIApp, state: dict[str, Any]) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and "state" not in scope:
            scope = {**scope, "state": dict(self.state)}
        await self.app(scope, receive, send)


def in_process_client(app: ASGIApp, state: dict[str, Any]) -> httpx.AsyncClient:
    """A client whose requests are served by ``app`` directly; an exception in a handler
    becomes the 500 the app's error handling makes of it, as over HTTP."""
    transport = httpx.ASGITransport(
        app=_WithLifespanState(app, state), raise_app_exceptions=False
    )
    return httpx.AsyncClient(
        transport=transport, base_url=_IN_PROCESS_BASE_URL, timeout=TIMEOUT
    )


def http_client(base_url: str) -> httpx.AsyncClient:
    """A client delivering to a handler process at ``base_url``."""
    return httpx.AsyncClient(base_url=base_url, timeout=TIMEOUT)


class Response:
    """What the fetcher keeps of a delivery: the outcome, and for logs the request id and a
    body excerpt."""

    __slots__ = ("body", "outcome", "request_id")

    def __init__(self, outcome: Outcome, request_id: str, body: str = "") -> None:
        self.outcome = outcome
        self.request_id = request_id
        self.body = body


async def deliver(
    client: httpx.AsyncClient, path: str, subject: str, priority: int
) -> Response:
    """POST ``{"subject", "priority"}`` to ``path`` with a fresh ``x-request-id``."""
    request_id = str(uuid4())
    try:
        response = await client.post(
            path,
            json={"subject": subject, "priority": priority},
            headers={"x-request-id": request_id},
        )
    except httpx.HTTPError as error:
        return Response(Unreachable(f"{type(error).__name__}: {error}"), request_id)
    outcome = Delivered(response.status_code, response.headers.get("retry-after"))
    body = "" if response.is_success else response.text[:BODY_EXCERPT]
    return Response(outcome, request_id, body)
