# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The pure ASGI middleware every FastRAMQPI request passes through.

Pure ASGI rather than ``BaseHTTPMiddleware``: no extra task per request, and context variables
bound here are seen by the handler and by uvicorn's access log line.
"""

import json
import sys
from collections.abc import Callable
from collections.abc import Iterable
from contextvars import ContextVar
from os import urandom
from time import perf_counter
from typing import Any

import structlog
from starlette.types import ASGIApp
from starlette.types import Message
from starlette.types import Receive
from starlette.types import Scope
from starlette.types import Send

logger = structlog.stdlib.get_logger(__name__)

REQUEST_ID_HEADER = "x-request-id"
_REQUEST_ID_HEADER = REQUEST_ID_HEADER.encode("latin-1")

Observer = Callable[[Scope, str, int, Iterable[tuple[bytes, bytes]], float], None]
"""Told of every answered HTTP request: its scope, the ``root_path`` it came in with, the
status, the response headers and the seconds until the last body chunk was sent."""


def _uuid4() -> str:
    """``str(uuid.uuid4())`` in half the time: ``UUID`` validates what it is given.

    Version 4 leads the third group and RFC 4122's variant (8, 9, a or b) the fourth.
    """
    h = urandom(16).hex()
    variant = "89ab"[int(h[16], 16) & 3]
    return "-".join((h[:8], h[8:12], "4" + h[13:16], variant + h[17:20], h[20:]))


def _request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == _REQUEST_ID_HEADER:
            return str(value.decode("latin-1"))
    return _uuid4()


def _structlog_var(key: str) -> ContextVar[Any]:
    """The context variable behind ``structlog.contextvars``' ``key``.

    Setting it binds ``key`` like ``bind_contextvars`` does, without the keyword dict, the
    name formatting and the lookup that function repeats on every request.
    """
    token = structlog.contextvars.bind_contextvars(**{key: None})[key]
    token.var.reset(token)
    return token.var


def _error_body(request_id: str, error: str = "Internal Server Error") -> bytes:
    return json.dumps({"error": error, "request_id": request_id}).encode()


class RequestMiddleware:
    """Give every request its context and id, and be the last line of defence.

    - The context is ``request.state.context`` even when no lifespan ran: test suites drive
      the app with starlette's ``TestClient`` without ``with``.
    - The request id comes from the ``x-request-id`` header (so a caller's id follows the
      request across services) or is a fresh uuid4. It is bound to structlog's context
      variables for every log line of the request, kept as ``request.state.request_id``
      and echoed in the response header.
    - An unhandled exception is logged once, with its traceback, and answered with a 500
      that carries the request id but never the traceback. Catching it here, inside
      Starlette's ``ServerErrorMiddleware``, keeps that one from logging a second traceback
      and sending its own plain-text 500. If the response had already started, the server
      is left to close the connection: the client sees a truncated response.

    - ``observe`` (the metrics, when enabled) is told of every HTTP request once it is
      answered; a request whose handler raised is told as the 500 it was answered with.

    One middleware, because the three share the request's state and the 500 needs the id;
    observing here rather than in a layer of its own saves a layer of calls per request.
    """

    def __init__(
        self, app: ASGIApp, context: Any, observe: Observer | None = None
    ) -> None:
        self.app = app
        self.context = context
        self.observe = observe
        self._request_id_var = _structlog_var("request_id")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        state = scope.get("state")
        if state is None:
            state = scope["state"] = {}
        state.setdefault("context", self.context)
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        start = perf_counter()
        root_path = scope.get("root_path", "")
        request_id = state["request_id"] = _request_id(scope)
        header = (_REQUEST_ID_HEADER, request_id.encode("latin-1"))
        started = False
        status = 500
        response_headers: list[tuple[bytes, bytes]] = []
        end = 0.0

        async def send_with_id(message: Message) -> None:
            nonlocal started, status, response_headers, end
            if message["type"] == "http.response.start":
                started = True
                status = message["status"]
                headers = [*message.get("headers", ()), header]
                message["headers"] = response_headers = headers
            elif message["type"] == "http.response.body" and not message.get(
                "more_body"
            ):
                end = perf_counter()
            await send(message)

        token = self._request_id_var.set(request_id)
        try:
            await self.app(scope, receive, send_with_id)
        except Exception as error:
            if _is_outage(error):
                logger.warning(
                    "A dependency is unavailable; request answered 503",
                    method=scope.get("method"),
                    path=scope.get("path"),
                    error=_describe(error),
                    response_started=started,
                )
                if not started:
                    await _send_error(send_with_id, request_id, 503)
                return
            logger.exception(
                "Unhandled exception while serving a request",
                method=scope.get("method"),
                path=scope.get("path"),
                response_started=started,
            )
            if not started:
                await _send_error(send_with_id, request_id)
        finally:
            self._request_id_var.reset(token)
            if self.observe is not None:
                seconds = (end or perf_counter()) - start
                self.observe(scope, root_path, status, response_headers, seconds)


RETRY_AFTER = b"1"
"""Seconds a request refused for an outage asks its client (the events fetcher) to wait."""


def _is_outage(error: BaseException) -> bool:
    """Whether ``error`` is a dependency being away (an HTTP service such as MO unreachable,
    the database down or timing out) rather than a bug: answered 503 with ``Retry-After``,
    so the events fetcher holds the event and delivers it again after the pause."""
    # Checked by what is loaded, so importing this module costs neither library: an error
    # of a library that was never imported cannot be raised.
    httpx = sys.modules.get("httpx")
    if httpx is not None and isinstance(error, httpx.TransportError):
        return True
    if "sqlalchemy" not in sys.modules:
        return False
    from fastramqpi.database._outage import is_outage

    return is_outage(error)


def _describe(error: BaseException) -> str:
    text = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


async def _send_error(send: Send, request_id: str, status: int = 500) -> None:
    body = _error_body(
        request_id, "Service Unavailable" if status == 503 else "Internal Server Error"
    )
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    if status == 503:
        headers.append((b"retry-after", RETRY_AFTER))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
