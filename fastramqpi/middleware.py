# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Pure ASGI middleware every FastRAMQPI app runs.

Pure ASGI rather than ``BaseHTTPMiddleware``: no extra task per request, and context variables
bound here are seen by the handler and by uvicorn's access log line.
"""

import json
from typing import Any
from uuid import uuid4

import structlog
from starlette.types import ASGIApp
from starlette.types import Message
from starlette.types import Receive
from starlette.types import Scope
from starlette.types import Send

logger = structlog.stdlib.get_logger(__name__)

REQUEST_ID_HEADER = "x-request-id"
_REQUEST_ID_HEADER = REQUEST_ID_HEADER.encode("latin-1")


class ContextMiddleware:
    """Expose the context as ``request.state.context`` even when no lifespan ran.

    Test suites drive the app with starlette's ``TestClient`` without ``with``; the lifespan
    state is then missing, but handlers still need the context.
    """

    def __init__(self, app: ASGIApp, context: Any) -> None:
        self.app = app
        self.context = context

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            state = scope.get("state")
            if state is None:
                scope["state"] = {"context": self.context}
            elif "context" not in state:
                state["context"] = self.context
        await self.app(scope, receive, send)


def _request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == _REQUEST_ID_HEADER:
            return str(value.decode("latin-1"))
    return str(uuid4())


class RequestIdMiddleware:
    """Tie every log line of a request to one id, and tell the client which one.

    The id comes from the ``x-request-id`` header (so a caller's id follows the request
    across services) or is a fresh uuid4. It is bound to structlog's context variables,
    stored as ``request.state.request_id`` and echoed in the response header.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        request_id = _request_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        header = (_REQUEST_ID_HEADER, request_id.encode("latin-1"))

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        tokens = structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            structlog.contextvars.reset_contextvars(**tokens)


def _error_body(request_id: str | None) -> bytes:
    return json.dumps(
        {"error": "Internal Server Error", "request_id": request_id}
    ).encode()


class ErrorMiddleware:
    """Log an unhandled exception once, with its traceback, and answer a bare 500.

    The client learns the request id to quote, never the traceback. Catching here, inside
    Starlette's ``ServerErrorMiddleware``, keeps that one from printing a second traceback
    and its own plain-text 500. If the response had already started, the connection is
    left for the server to close: the client sees a truncated response.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        started = False

        async def send_tracking_start(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, send_tracking_start)
        except Exception:
            logger.exception(
                "Unhandled exception while serving a request",
                method=scope.get("method"),
                path=scope.get("path"),
                response_started=started,
            )
            if started:
                return
            body = _error_body(scope.get("state", {}).get("request_id"))
            await send(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
