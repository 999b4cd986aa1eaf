# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Scripted failures, so clients' retry paths can be tested against a real server."""

import asyncio
import json
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp
from starlette.types import Receive
from starlette.types import Scope
from starlette.types import Send


@dataclass(frozen=True)
class Fault:
    """What happens to one request: a delay first, then a failure or a drop, or neither."""

    delay: float = 0.0
    status: int | None = None
    drop: bool = False


class Faults:
    """Queues of faults, each consumed by one affected request. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._statuses: deque[int] = deque()
        self._delays: deque[float] = deque()
        self._drops = 0
        self._refusals: deque[str] = deque()

    def fail_next(self, count: int, status: int = 503) -> None:
        """The next `count` requests are answered with `status`."""
        with self._lock:
            self._statuses.extend([status] * count)

    def delay_next(self, count: int, seconds: float) -> None:
        """The next `count` requests wait `seconds` before being handled."""
        with self._lock:
            self._delays.extend([seconds] * count)

    def drop_next(self, count: int) -> None:
        """The next `count` requests get their connection closed and no response."""
        with self._lock:
            self._drops += count

    def refuse_next(self, count: int, message: str) -> None:
        """The next `count` GraphQL requests are answered with a GraphQL error, as MO answers
        a missing permission: HTTP 200, no data, `message`. Token requests are spared."""
        with self._lock:
            self._refusals.extend([message] * count)

    def clear(self) -> None:
        with self._lock:
            self._statuses.clear()
            self._delays.clear()
            self._drops = 0
            self._refusals.clear()

    def take_refusal(self) -> str | None:
        with self._lock:
            return self._refusals.popleft() if self._refusals else None

    def take(self) -> Fault | None:
        with self._lock:
            if not (self._statuses or self._delays or self._drops):
                return None
            delay = self._delays.popleft() if self._delays else 0.0
            if self._drops:
                self._drops -= 1
                return Fault(delay=delay, drop=True)
            status = self._statuses.popleft() if self._statuses else None
            return Fault(delay=delay, status=status)


class FaultMiddleware:
    """Applies the next scripted fault to each request for which `affects(scope)` holds."""

    def __init__(
        self, app: ASGIApp, faults: Faults, affects: Callable[[Scope], bool]
    ) -> None:
        self.app = app
        self.faults = faults
        self.affects = affects

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        affected = scope["type"] == "http" and self.affects(scope)
        if affected and scope["path"].startswith("/graphql/"):
            refusal = self.faults.take_refusal()
            if refusal is not None:
                await _refuse(send, refusal)
                return
        fault = self.faults.take() if affected else None
        if fault is None:
            await self.app(scope, receive, send)
            return
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.drop:
            await _drop(receive, send)
        elif fault.status is not None:
            await _fail(send, fault.status)
        else:
            await self.app(scope, receive, send)


async def _fail(send: Send, status: int) -> None:
    body = b"Injected fault"
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _refuse(send: Send, message: str) -> None:
    body = json.dumps({"data": None, "errors": [{"message": message}]}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _drop(receive: Receive, send: Send) -> None:
    """Close the connection without a byte of response.

    ASGI has no message for this, so reach the transport of uvicorn's response cycle,
    which is what `send` is bound to. Elsewhere, fail loudly instead.
    """
    transport: Any = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is None:
        raise ConnectionAbortedError("connection dropped by fault injection")
    transport.close()
    while (await receive())["type"] != "http.disconnect":
        pass
