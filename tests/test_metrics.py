# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
import math
from typing import Any

import httpx
from fastapi import APIRouter
from fastapi import FastAPI
from fastapi import Request
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from fastramqpi.config import Settings
from fastramqpi.main import FastRAMQPI
from fastramqpi.metrics import dipex_last_success_timestamp
from tests.servers import serve

HIGHR_BUCKETS = [
    0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 7.5, 10,
    30, 60, math.inf,
]  # fmt: skip


def _fastramqpi(**settings: Any) -> FastRAMQPI:
    return FastRAMQPI(
        application_name="metrics-test",
        settings=Settings(client_id="id", client_secret="secret", **settings),
        graphql_version=25,
    )


def _app(**settings: Any) -> FastAPI:
    app = _fastramqpi(**settings).get_app()

    @app.get("/items/{item_id}")
    async def item(item_id: int) -> dict[str, int]:
        return {"item_id": item_id}

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"received": len(await request.body())}

    @app.get("/crash")
    async def crash() -> None:
        raise RuntimeError("boom")

    return app


async def _scrape(client: httpx.AsyncClient) -> list[Sample]:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return _parse(response.text)


def _parse(text: str) -> list[Sample]:
    return [
        s for family in text_string_to_metric_families(text) for s in family.samples
    ]


def _value(samples: list[Sample], name: str, **labels: str) -> float:
    matching = [s.value for s in samples if s.name == name and s.labels == labels]
    return matching[0] if matching else 0.0


def _delta(
    before: list[Sample], after: list[Sample], name: str, **labels: str
) -> float:
    return _value(after, name, **labels) - _value(before, name, **labels)


async def test_requests_are_counted_by_route_template_and_status_class() -> None:
    async with serve(_app()) as url, httpx.AsyncClient(base_url=url) as client:
        before = await _scrape(client)
        await client.get("/items/1")
        await client.get("/items/2")
        await client.get("/crash")
        await client.get("/no/such/path")
        await client.delete("/items/3")
        after = await _scrape(client)

    def requests(method: str, status: str, handler: str) -> float:
        labels = {"method": method, "status": status, "handler": handler}
        return _delta(before, after, "http_requests_total", **labels)

    assert requests("GET", "2xx", "/items/{item_id}") == 2
    assert requests("GET", "5xx", "/crash") == 1
    assert requests("GET", "4xx", "none") == 1
    assert requests("DELETE", "4xx", "none") == 1
    assert requests("GET", "2xx", "/metrics") == 1


async def test_sizes_come_from_content_length() -> None:
    async with serve(_app()) as url, httpx.AsyncClient(base_url=url) as client:
        before = await _scrape(client)
        response = await client.post("/echo", content=b"x" * 1000)
        after = await _scrape(client)

    assert _delta(before, after, "http_request_size_bytes_count", handler="/echo") == 1
    assert _delta(before, after, "http_request_size_bytes_sum", handler="/echo") == 1000
    assert _delta(
        before, after, "http_response_size_bytes_sum", handler="/echo"
    ) == len(response.content)


async def test_latency_histograms_keep_the_instrumentators_buckets() -> None:
    async with serve(_app()) as url, httpx.AsyncClient(base_url=url) as client:
        before = await _scrape(client)
        await client.get("/items/1")
        after = await _scrape(client)

    highr = [s for s in after if s.name == "http_request_duration_highr_seconds_bucket"]
    assert [float(s.labels["le"]) for s in highr] == HIGHR_BUCKETS
    assert {frozenset(s.labels) for s in highr} == {frozenset({"le"})}
    assert _delta(before, after, "http_request_duration_highr_seconds_count") == 2

    lowr = [
        s
        for s in after
        if s.name == "http_request_duration_seconds_bucket"
        and s.labels["handler"] == "/items/{item_id}"
    ]
    assert [float(s.labels["le"]) for s in lowr] == [0.1, 0.5, 1, math.inf]
    assert {s.labels["method"] for s in lowr} == {"GET"}
    labels = {"method": "GET", "handler": "/items/{item_id}"}
    assert _delta(before, after, "http_request_duration_seconds_count", **labels) == 1


async def test_build_information_and_last_success() -> None:
    app = _app(commit_tag="4.5.6", commit_sha="abc123")
    dipex_last_success_timestamp.set(1700000000)
    async with serve(app) as url, httpx.AsyncClient(base_url=url) as client:
        samples = await _scrape(client)

    assert (
        _value(samples, "build_information_info", version="4.5.6", hash="abc123") == 1
    )
    assert _value(samples, "dipex_last_success_timestamp_seconds") == 1700000000


def test_mounted_apps_are_labelled_with_the_full_template() -> None:
    app = _app()

    async def report(request: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    app.mount("/reports", Starlette(routes=[Route("/{year}", report)]))
    client = TestClient(app)
    before = _parse(client.get("/metrics").text)
    client.get("/reports/2024")
    after = _parse(client.get("/metrics").text)

    labels = {"method": "GET", "status": "2xx", "handler": "/reports/{year}"}
    assert _delta(before, after, "http_requests_total", **labels) == 1


def test_included_routers_are_labelled_with_their_prefixes() -> None:
    app = _app()
    inner = APIRouter(prefix="/orgunits")

    @inner.get("/{uuid}")
    async def orgunit(uuid: str) -> str:
        return uuid

    outer = APIRouter()
    outer.include_router(inner, prefix="/v2")
    app.include_router(outer, prefix="/api")
    client = TestClient(app)
    before = _parse(client.get("/metrics").text)
    assert client.get("/api/v2/orgunits/abc").status_code == 200
    after = _parse(client.get("/metrics").text)

    labels = {"method": "GET", "status": "2xx", "handler": "/api/v2/orgunits/{uuid}"}
    assert _delta(before, after, "http_requests_total", **labels) == 1


def test_no_metrics_route_when_disabled() -> None:
    client = TestClient(_app(enable_metrics=False))
    assert client.get("/metrics").status_code == 404


def test_several_apps_share_the_metrics() -> None:
    first, second = TestClient(_app()), TestClient(_app())
    assert first.get("/metrics").text.count("# TYPE http_requests_total") == 1
    assert second.get("/metrics").status_code == 200


def test_per_route_metrics_count_every_status() -> None:
    client = TestClient(_app())
    before = _parse(client.get("/metrics").text)
    assert client.get("/items/1").status_code == 200
    assert client.get("/items/one").status_code == 422
    after = _parse(client.get("/metrics").text)

    handler = "/items/{item_id}"
    for status in ("2xx", "4xx"):
        labels = {"method": "GET", "status": status, "handler": handler}
        assert _delta(before, after, "http_requests_total", **labels) == 1
    for summary in ("http_request_size_bytes", "http_response_size_bytes"):
        assert _delta(before, after, f"{summary}_count", handler=handler) == 2
    labels = {"method": "GET", "handler": handler}
    assert _delta(before, after, "http_request_duration_seconds_count", **labels) == 2
    inf = {**labels, "le": "+Inf"}
    assert _delta(before, after, "http_request_duration_seconds_bucket", **inf) == 2
