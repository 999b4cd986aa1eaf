# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Prometheus metrics served on ``/metrics``.

The request metrics keep the names, labels and buckets prometheus-fastapi-instrumentator
exposes by default, so existing dashboards and alerts keep working. They are defined once per
process, at import, and shared by every app: a test suite builds many apps, and registering a
metric twice is an error.
"""

from bisect import bisect_left
from collections.abc import Iterable
from itertools import accumulate
from threading import Lock
from time import time

import prometheus_client.metrics
from fastapi import FastAPI
from fastapi import Response
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client import REGISTRY
from prometheus_client import Gauge
from prometheus_client import Info
from prometheus_client import generate_latest
from prometheus_client.metrics_core import Metric
from prometheus_client.utils import floatToGoString
from starlette.types import Scope

from fastramqpi import _routes
from fastramqpi.middleware import Observer

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

_REQUESTS = (
    "http_requests",
    "Requests by method, status class and route template.",
)
_REQUEST_SIZE = (
    "http_request_size_bytes",
    "Content-Length header of requests by route template (0 when absent).",
)
_RESPONSE_SIZE = (
    "http_response_size_bytes",
    "Content-Length header of responses by route template (0 when absent).",
)
_LATENCY_HIGHR = (
    "http_request_duration_highr_seconds",
    "Request latency in many buckets and without labels, for percentiles.",
)
_LATENCY = (
    "http_request_duration_seconds",
    "Request latency in few buckets, by method and route template.",
)


class _Series:
    """What the requests of one kind added up to since ``created``."""

    __slots__ = (
        "count",
        "created",
        "latency",
        "latency_sum",
        "request_bytes",
        "response_bytes",
    )

    def __init__(self, created: float, buckets: int = len(LOWR_BUCKETS)) -> None:
        self.created = created
        self.count = 0
        self.request_bytes = 0
        self.response_bytes = 0
        self.latency_sum = 0.0
        self.latency = [0] * buckets
        """Requests per bucket, not cumulative: one increment per request."""

    def add(self, other: "_Series") -> "_Series":
        self.created = min(self.created, other.created)
        self.count += other.count
        self.request_bytes += other.request_bytes
        self.response_bytes += other.response_bytes
        self.latency_sum += other.latency_sum
        self.latency = [a + b for a, b in zip(self.latency, other.latency, strict=True)]
        return self


def _le(bounds: Iterable[float]) -> tuple[str, ...]:
    return tuple(floatToGoString(b) for b in bounds)  # type: ignore[no-untyped-call]


_LOWR_LE = _le(LOWR_BUCKETS)
_HIGHR_LE = _le(HIGHR_BUCKETS)


class _RequestMetrics:
    """The request metrics, added up in plain numbers and turned into samples when scraped.

    A request adds to one series under one lock; prometheus-client's own metrics took
    eight locks and walked two lists of buckets. The samples are the ones those metrics
    exposed, ``_created`` included: per (method, status class, route) a counter, per route
    two summaries, per (method, route) a histogram, and one histogram without labels.
    """

    def __init__(self) -> None:
        self._lock = Lock()
        self._series: dict[tuple[str, int, str], _Series] = {}
        self._highr = _Series(time(), len(HIGHR_BUCKETS))

    def observe(
        self,
        scope: Scope,
        root_path: str,
        status: int,
        response_headers: Iterable[tuple[bytes, bytes]],
        seconds: float,
    ) -> None:
        """Count and time one answered HTTP request, ``/metrics`` included, as the
        instrumentator did."""
        key = (scope["method"], status // 100, _handler(scope, root_path))
        request_bytes = _content_length(scope["headers"])
        response_bytes = _content_length(response_headers)
        with self._lock:
            series = self._series.get(key)
            if series is None:
                series = self._series[key] = _Series(time())
            series.count += 1
            series.request_bytes += request_bytes
            series.response_bytes += response_bytes
            series.latency_sum += seconds
            series.latency[bisect_left(LOWR_BUCKETS, seconds)] += 1
            self._highr.latency[bisect_left(HIGHR_BUCKETS, seconds)] += 1
            self._highr.latency_sum += seconds

    def describe(self) -> list[Metric]:
        return [
            Metric(*_REQUESTS, "counter"),
            Metric(*_REQUEST_SIZE, "summary"),
            Metric(*_RESPONSE_SIZE, "summary"),
            Metric(*_LATENCY_HIGHR, "histogram"),
            Metric(*_LATENCY, "histogram"),
        ]

    def collect(self) -> list[Metric]:
        with self._lock:
            series = {k: _Series(s.created).add(s) for k, s in self._series.items()}
            highr = _Series(self._highr.created, len(HIGHR_BUCKETS)).add(self._highr)
        created = _use_created()
        requests, request_size, response_size, highr_metric, latency = self.describe()
        by_handler: dict[str, _Series] = {}
        by_route: dict[tuple[str, str], _Series] = {}
        for (method, status_class, handler), one in series.items():
            labels = {
                "method": method,
                "status": f"{status_class}xx",
                "handler": handler,
            }
            requests.add_sample("http_requests_total", labels, one.count)
            if created:
                requests.add_sample("http_requests_created", labels, one.created)
            by_handler.setdefault(handler, _Series(one.created)).add(one)
            by_route.setdefault((method, handler), _Series(one.created)).add(one)
        for handler, sizes in by_handler.items():
            labels = {"handler": handler}
            _add_summary(
                request_size,
                labels,
                sizes.count,
                sizes.request_bytes,
                sizes.created,
                created,
            )
            _add_summary(
                response_size,
                labels,
                sizes.count,
                sizes.response_bytes,
                sizes.created,
                created,
            )
        for (method, handler), route in by_route.items():
            _add_histogram(
                latency,
                {"method": method, "handler": handler},
                _LOWR_LE,
                route,
                created,
            )
        _add_histogram(highr_metric, {}, _HIGHR_LE, highr, created)
        return [requests, request_size, response_size, highr_metric, latency]


def _use_created() -> bool:
    """Whether ``_created`` samples are exposed, as for prometheus-client's own metrics
    (``PROMETHEUS_DISABLE_CREATED_SERIES``, ``disable_created_metrics()``)."""
    return bool(getattr(prometheus_client.metrics, "_use_created", True))


def _add_summary(
    metric: Metric,
    labels: dict[str, str],
    count: int,
    total: int,
    since: float,
    created: bool,
) -> None:
    metric.add_sample(f"{metric.name}_count", labels, count)
    metric.add_sample(f"{metric.name}_sum", labels, total)
    if created:
        metric.add_sample(f"{metric.name}_created", labels, since)


def _add_histogram(
    metric: Metric,
    labels: dict[str, str],
    le: tuple[str, ...],
    series: _Series,
    created: bool,
) -> None:
    cumulative = list(accumulate(series.latency))
    for bound, count in zip(le, cumulative, strict=True):
        metric.add_sample(f"{metric.name}_bucket", {**labels, "le": bound}, count)
    metric.add_sample(f"{metric.name}_count", labels, cumulative[-1])
    metric.add_sample(f"{metric.name}_sum", labels, series.latency_sum)
    if created:
        metric.add_sample(f"{metric.name}_created", labels, series.created)


_request_metrics = _RequestMetrics()
REGISTRY.register(_request_metrics)


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


async def _metrics_endpoint() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def instrument(app: FastAPI, version: str, commit_sha: str) -> Observer:
    """Serve ``/metrics`` on ``app`` and publish the build; return what records the
    requests, for the request middleware to call."""
    build_information.info({"version": version, "hash": commit_sha})
    _routes.add_route(app, "/metrics", _metrics_endpoint, include_in_schema=False)
    return _request_metrics.observe
