# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Handing an event to its handler: through the app's own ASGI stack, or over HTTP.

In-process delivery runs the same routing, middleware and validation as an HTTP request, with
no port to configure and no socket hop. ``event_delivery_url`` switches to HTTP for handlers
that live in another process.
"""

import asyncio
import json
import logging
import time
from typing import Any
from typing import Protocol
from uuid import uuid4

import httpx
import structlog
from starlette.types import ASGIApp
from starlette.types import Message

from fastramqpi.events._decisions import Delivered
from fastramqpi.events._decisions import Outcome
from fastramqpi.events._decisions import Unreachable
from fastramqpi.events._decisions import succeeded

logger = structlog.stdlib.get_logger(__name__)
_level = logging.getLogger(__name__)
"""Asked whether DEBUG is on before a delivery is timed: cheap, and cached by logging."""

TIMEOUT = 300.0
"""Seconds an out-of-process handler may take; a slow handler is not a failed one."""

BODY_EXCERPT = 500
"""Characters of a failed response's body that are logged."""

_LOOPBACK = "127.0.0.1"


class Response:
    """What the fetcher keeps of a delivery: the outcome, and for logs the request id and a
    body excerpt."""

    __slots__ = ("body", "outcome", "request_id")

    def __init__(self, outcome: Outcome, request_id: str, body: str = "") -> None:
        self.outcome = outcome
        self.request_id = request_id
        self.body = body


class Handlers(Protocol):
    """Where a listener's events go."""

    async def deliver(
        self, path: str, subject: str, priority: int, listener: str = ""
    ) -> Response:
        """POST ``{"subject", "priority"}`` to ``path`` with a fresh ``x-request-id``."""
        ...

    async def aclose(self) -> None: ...


def _status(outcome: Outcome) -> int | str:
    return outcome.status if isinstance(outcome, Delivered) else "unreachable"


class _Traced:
    """A DEBUG line per handled event, so an operator can follow events by switching on
    DEBUG, without a code change; with DEBUG off a delivery is not even timed."""

    async def deliver(
        self, path: str, subject: str, priority: int, listener: str = ""
    ) -> Response:
        if not _level.isEnabledFor(logging.DEBUG):
            return await self._deliver(path, subject, priority)
        started = time.perf_counter()
        response = await self._deliver(path, subject, priority)
        logger.debug(
            "Event handled",
            listener=listener,
            path=path,
            subject=subject,
            status=_status(response.outcome),
            duration=round(time.perf_counter() - started, 6),
            request_id=response.request_id,
        )
        return response

    async def _deliver(self, path: str, subject: str, priority: int) -> Response:
        raise NotImplementedError


class OverHTTP(_Traced):
    """Deliveries to a handler process at ``base_url``."""

    def __init__(self, base_url: str) -> None:
        self._client = httpx.AsyncClient(base_url=base_url, timeout=TIMEOUT)

    async def _deliver(self, path: str, subject: str, priority: int) -> Response:
        request_id = str(uuid4())
        try:
            response = await self._client.post(
                path,
                json={"subject": subject, "priority": priority},
                headers={"x-request-id": request_id},
            )
        except httpx.HTTPError as error:
            return Response(Unreachable(f"{type(error).__name__}: {error}"), request_id)
        outcome = Delivered(response.status_code, response.headers.get("retry-after"))
        body = "" if succeeded(response.status_code) else response.text[:BODY_EXCERPT]
        return Response(outcome, request_id, body)

    async def aclose(self) -> None:
        await self._client.aclose()


class InProcess(_Traced):
    """Deliveries served by ``app`` directly, each as a server would pass it one request.

    The app gets the lifespan state, the body in one message, and a disconnect only once
    its response is complete. The outcome is what a client over HTTP would see: an exception
    before the response started is a 500, one after it started a broken connection, one
    after the response was complete (a background task) nothing but a log line. No HTTP
    client sits in between: building and parsing its requests and responses cost more than
    the app's own work.
    """

    def __init__(self, app: ASGIApp, state: dict[str, Any]) -> None:
        self.app = app
        self.state = state

    async def _deliver(self, path: str, subject: str, priority: int) -> Response:
        request_id = str(uuid4())
        body = json.dumps({"subject": subject, "priority": priority}).encode()
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [
                (b"host", _LOOPBACK.encode()),
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"x-request-id", request_id.encode()),
            ],
            "server": (_LOOPBACK, 80),
            "client": (_LOOPBACK, 0),
            "state": dict(self.state),
        }
        exchange = _Exchange(body)
        try:
            await self.app(scope, exchange.receive, exchange.send)
        except Exception:
            logger.exception(
                "Unhandled exception in the app delivering an event",
                path=path,
                request_id=request_id,
            )
        if exchange.status is None:
            return Response(Delivered(500, None), request_id)
        if not exchange.complete:
            broken = Unreachable("the app broke off its response")
            return Response(broken, request_id)
        outcome = Delivered(exchange.status, exchange.retry_after)
        return Response(outcome, request_id, exchange.text())

    async def aclose(self) -> None:
        """Nothing to release: no connection was opened."""


class _Exchange:
    """One request's ASGI ``receive`` and ``send``; keeps what the fetcher needs of the
    response (its body only when it failed, for the log)."""

    def __init__(self, body: bytes) -> None:
        self._body: bytes | None = body
        self._completed: asyncio.Event | None = None
        self._parts: list[bytes] = []
        self.status: int | None = None
        self.retry_after: str | None = None
        self.complete = False

    async def receive(self) -> Message:
        if self._body is not None:
            body, self._body = self._body, None
            return {"type": "http.request", "body": body, "more_body": False}
        if not self.complete:
            if self._completed is None:
                self._completed = asyncio.Event()
            await self._completed.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = int(message["status"])
            for name, value in message.get("headers", ()):
                if name.lower() == b"retry-after":
                    self.retry_after = value.decode("latin-1")
                    break
        elif message["type"] == "http.response.body" and self.status is not None:
            body = message.get("body", b"")
            if body and not succeeded(self.status):
                self._parts.append(body)
            if not message.get("more_body", False):
                self.complete = True
                if self._completed is not None:
                    self._completed.set()

    def text(self) -> str:
        """The start of a failed response's body; empty for a success."""
        return b"".join(self._parts).decode("utf-8", "replace")[:BODY_EXCERPT]
