# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Prometheus metrics served on ``/metrics``.

The request metrics keep the names, labels and buckets prometheus-fastapi-instrumentator
exposes by default, so existing dashboards and alerts keep working. They are kept once per
process and shared by every app: a test suite builds many apps, and registering a metric
twice is an error.
"""

import threading
from bisect import bisect_left
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from time import perf_counter

from fastapi import FastAPI
from fastapi import Response
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client import REGISTRY
from prometheus_client import Gauge
from prometheus_client import Info
from prometheus_client import generate_latest
from prometheus_client.metrics_core import CounterMetricFamily
from prometheus_client.metrics_core import HistogramMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.metrics_core import SummaryMetricFamily
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString
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


@dataclass(slots=True)
class _Series:
    """What was seen of one (method, status class, handler)."""

    count: int = 0
    request_bytes: int = 0
    response_bytes: int = 0
    seconds: float = 0.0
    lowr: list[int] = field(default_factory=lambda: [0] * len(LOWR_BUCKETS))


class _RequestStats:
    """Request counts, sizes and latencies, turned into metric families only when scraped.

    Plain numbers behind one lock cost a request a fraction of what nine updates of
    prometheus-client's metric objects (a lock each) cost; a scrape is rare in comparison.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._series: dict[tuple[str, str, str], _Series] = {}
        self._highr = [0] * len(HIGHR_BUCKETS)
        self._highr_seconds = 0.0

    def record(
        self,
        method: str,
        status: str,
        handler: str,
        request_bytes: int,
        response_bytes: int,
        seconds: float,
    ) -> None:
        with self._lock:
            series = self._series.get((method, status, handler))
            if series is None:
                series = self._series[method, status, handler] = _Series()
            series.count += 1
            series.request_bytes += request_bytes
            series.response_bytes += response_bytes
            series.seconds += seconds
            series.lowr[bisect_left(LOWR_BUCKETS, seconds)] += 1
            self._highr[bisect_left(HIGHR_BUCKETS, seconds)] += 1
            self._highr_seconds += seconds

    def collect(self) -> Iterator[Metric]:
        with self._lock:
            series = {key: _Series(*_copy(s)) for key, s in self._series.items()}
            highr, highr_seconds = list(self._highr), self._highr_seconds

        total = CounterMetricFamily(
            "http_requests_total",
            "Requests by method, status class and route template.",
            labels=("method", "status", "handler"),
        )
        for key, s in series.items():
            total.add_metric(key, s.count)
        yield total

        by_handler: dict[str, list[int]] = {}
        for (_, _, handler), s in series.items():
            sums = by_handler.setdefault(handler, [0, 0, 0])
            sums[0] += s.count
            sums[1] += s.request_bytes
            sums[2] += s.response_bytes
        for name, index, what in (
            ("http_request_size_bytes", 1, "requests"),
            ("http_response_size_bytes", 2, "responses"),
        ):
            summary = SummaryMetricFamily(
                name,
                f"Content-Length header of {what} by route template (0 when absent).",
                labels=("handler",),
            )
            for handler, sums in by_handler.items():
                summary.add_metric(
                    (handler,), count_value=sums[0], sum_value=sums[index]
                )
            yield summary

        highr_family = HistogramMetricFamily(
            "http_request_duration_highr_seconds",
            "Request latency in many buckets and without labels, for percentiles.",
        )
        highr_family.add_metric((), _cumulative(HIGHR_BUCKETS, highr), highr_seconds)
        yield highr_family

        by_route: dict[tuple[str, str], _Series] = {}
        for (method, _, handler), s in series.items():
            merged = by_route.setdefault((method, handler), _Series())
            merged.seconds += s.seconds
            merged.lowr = [a + b for a, b in zip(merged.lowr, s.lowr, strict=True)]
        lowr_family = HistogramMetricFamily(
            "http_request_duration_seconds",
            "Request latency in few buckets, by method and route template.",
            labels=("method", "handler"),
        )
        for route, s in by_route.items():
            lowr_family.add_metric(route, _cumulative(LOWR_BUCKETS, s.lowr), s.seconds)
        yield lowr_family


def _copy(s: _Series) -> tuple[int, int, int, float, list[int]]:
    return s.count, s.request_bytes, s.response_bytes, s.seconds, list(s.lowr)


_go_float: Callable[[float], str] = floatToGoString
"""How Prometheus spells a bucket bound: ``1.0``, ``0.01``, ``+Inf``."""


def _cumulative(
    bounds: Sequence[float], counts: Sequence[int]
) -> list[tuple[str, float]]:
    running = 0
    buckets = []
    for bound, count in zip(bounds, counts, strict=True):
        running += count
        buckets.append((_go_float(bound), float(running)))
    return buckets


class _Collector(Collector):
    def __init__(self, stats: _RequestStats) -> None:
        self._stats = stats

    def collect(self) -> Iterable[Metric]:
        return self._stats.collect()


_stats = _RequestStats()
REGISTRY.register(_Collector(_stats))


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
            _stats.record(
                scope["method"],
                f"{str(status)[0]}xx",
                _handler(scope, root_path),
                _content_length(scope["headers"]),
                response_bytes,
                (end or perf_counter()) - start,
            )


async def _metrics_endpoint() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def instrument(app: FastAPI, version: str, commit_sha: str) -> None:
    """Serve ``/metrics`` on ``app``, record its requests and publish the build."""
    build_information.info({"version": version, "hash": commit_sha})
    app.add_middleware(MetricsMiddleware)
    app.add_api_route(
        "/metrics", _metrics_endpoint, methods=["GET"], include_in_schema=False
    )
