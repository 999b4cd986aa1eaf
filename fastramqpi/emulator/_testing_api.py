# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""MO's testing endpoints: publish an event, and save, restore or reset the whole state."""

import json
from collections.abc import Callable
from functools import partial
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.responses import Response
from starlette.routing import Route

from ._model import DEFAULT_PRIORITY
from ._model import MO_NAMESPACE
from ._model import EventSystemError
from ._store import EventStore

_BAD_EMIT = (
    "Expected JSON {routing_key: str, subject: str, namespace?: str, priority?: int}"
)


def testing_routes(store: EventStore) -> list[Route]:
    def post(path: str, operation: Callable[[], object]) -> Route:
        return Route(path, partial(_run, operation), methods=["POST"])

    return [
        post("/testing/events/reset-last-tried", store.reset_last_tried),
        Route("/testing/events/emit", partial(_emit, store), methods=["POST"]),
        post("/testing/database/snapshot", store.snapshot),
        post("/testing/database/restore", store.restore),
        post("/testing/database/setup", _nothing),
        post("/testing/database/reset", store.reset),
        post("/testing/amqp/emit", _nothing),
    ]


async def _run(operation: Callable[[], object], request: Request) -> Response:
    """204 once done; a refusal is a 400 naming why."""
    try:
        operation()
    except EventSystemError as error:
        return JSONResponse({"detail": str(error)}, status_code=400)
    return Response(status_code=204)


async def _emit(store: EventStore, request: Request) -> Response:
    event = _emitted(await request.body())
    if event is None:
        return JSONResponse({"detail": _BAD_EMIT}, status_code=400)
    return await _run(partial(store.emit, *event), request)


def _emitted(body: bytes) -> tuple[str, str, str, int] | None:
    """`(routing_key, subject, namespace, priority)` of an emit request, if it is one."""
    try:
        raw: Any = json.loads(body)
        event = (
            raw["routing_key"],
            raw["subject"],
            raw.get("namespace", MO_NAMESPACE),
            raw.get("priority", DEFAULT_PRIORITY),
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    kinds = (str, str, str, int)
    if all(isinstance(value, kind) for value, kind in zip(event, kinds, strict=True)):
        return event
    return None


def _nothing() -> None:
    """MO's AMQP and database set-up: the emulator has neither to set up."""
