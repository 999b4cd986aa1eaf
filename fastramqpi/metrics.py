# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Prometheus metrics served on ``/metrics``.

The request metrics keep the names, labels and buckets prometheus-fastapi-instrumentator
exposes by default, so existing dashboards and alerts keep working. They are defined once per
process, at import, and shared by every app: a test suite builds many apps, and registering a
metric twice is an error.
"""

from collections.abc import Iterable
from functools import cache
from time import perf_counter
from typing import NamedTuple

from fastapi import FastAPI
from fastapi import Response
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client import Counter
from prometheus_client import Gauge
from prometheus_client import Histogram
from prometheus_client import Info
from prometheus_client import Summary
from prometheus_client import generate_latest
from starlette.types import ASGIApp
from starlette.types import Message
from starlette.types import Receive
from starlette.types import Scope
from starlette.types import Send

dipex_last_success_timestamp = Gauge(
    "dipex_last_success_timestamp",
    "When the integration last completed a run successfully.",
    unit="seconds",
)
"""Integrations set this (``.set_to_current_time()``) after each successful run."""

build_information = Info(
    "build_information", "The running build: version and commit hash."
)

HIGHR_BUCKETS = (
    0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 7.5, 10,
    30, 60, float("inf"),
)  # fmt: skip
LOWR_BUCKETS = (0.1, 0.5, 1, float("inf"))

_requests = Counter(
    "http_requests",
    "Requests by method, status class and route template.",
    ("method", "status", "handler"),
)
_request_size = Summary(
    "http_request_size_bytes",
    "Content-Length header of requests by route template (0 when absent).",
    ("handler",),
)
_response_size = Summary(
    "http_response_size_bytes",
    "Content-Length header of responses by route template (0 when absent).",
    ("handler",),
)
_latency_highr = Histogram(
    "http_request_duration_highr_seconds",
    "Request latency in many buckets and without labels, for percentiles.",
    buckets=HIGHR_BUCKETS,
)
_latency = Histogram(
    "http_request_duration_seconds",
    "Request latency in few buckets, by method and route template.",
    ("method", "handler"),
    buckets=LOWR_BUCKETS,
)


class _Series(NamedTuple):
    """The labelled children one kind of request updates."""

    requests: Counter
    request_size: Summary
    response_size: Summary
    latency: Histogram


@cache
def _series(method: str, status_class: int, handler: str) -> _Series:
    """Looked up once per (method, status class, route), not four times per request."""
    return _Series(
        _requests.labels(method, f"{status_class}xx", handler),
        _request_size.labels(handler),
        _response_size.labels(handler),
        _latency.labels(method, handler),
    )


def _content_length(headers: Iterable[tuple[bytes, bytes]]) -> int:
    for name, value in headers:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0


def _handler(scope: Scope, root_path: str) -> str:
    """The matched route's template (``/items/{id}``), or ``none`` for unmatched paths.

    A route reached by method mismatch (405) counts as unmatched, and a mounted app's route
    is prefixed with the mount's path. FastAPI (0.16x) keeps an included router's routes
    unprefixed and records the full template in its effective route context.
    """
    route = scope.get("route")
    path = getattr(route, "path", None)
    if path is None:
        return "none"
    methods = getattr(route, "methods", None)
    if methods is not None and scope["method"] not in methods:
        return "none"
    effective = scope.get("fastapi", {}).get("effective_route_context")
    template = getattr(effective, "path_format", None)
    if (
        isinstance(template, str)
        and getattr(effective, "original_route", None) is route
    ):
        return template
    return str(scope.get("root_path", "")[len(root_path) :] + path)


class MetricsMiddleware:
    """Count and time every HTTP request, ``/metrics`` included, as the instrumentator did.

    The duration runs until the last body chunk is sent. A request whose handler raised
    without answering counts as a 500.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        start = perf_counter()
        root_path = scope.get("root_path", "")
        status = 500
        response_bytes = 0
        end = 0.0

        async def send_observed(message: Message) -> None:
            nonlocal status, response_bytes, end
            if message["type"] == "http.response.start":
                status = message["status"]
                response_bytes = _content_length(message.get("headers", ()))
            elif message["type"] == "http.response.body" and not message.get(
                "more_body"
            ):
                end = perf_counter()
            await send(message)

        try:
            await self.app(scope, receive, send_observed)
        finally:
            seconds = (end or perf_counter()) - start
            series = _series(scope["method"], status // 100, _handler(scope, root_path))
            series.requests.inc()
            series.request_size.observe(_content_length(scope["headers"]))
            series.response_size.observe(response_bytes)
            series.latency.observe(seconds)
            _latency_highr.observe(seconds)


async def _metrics_endpoint() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def instrument(app: FastAPI, version: str, commit_sha: str) -> None:
    """Serve ``/metrics`` on ``app``, record its requests and publish the build."""
    build_information.info({"version": version, "hash": commit_sha})
    app.add_middleware(MetricsMiddleware)
    app.add_api_route(
        "/metrics", _metrics_endpoint, methods=["GET"], include_in_schema=False
    )
