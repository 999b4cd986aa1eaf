# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Every metric the docs name is served by a running app, with the labels they name."""

from pathlib import Path
from uuid import UUID
from uuid import uuid4

import httpx
from fastapi import APIRouter

from fastramqpi.emulator import Emulator
from fastramqpi.emulator import FakeClock
from fastramqpi.emulator import serve_emulator
from fastramqpi.events import Event
from fastramqpi.events import Listener
from tests.events.conftest import integration
from tests.events.conftest import running
from tests.events.conftest import until
from tests.prometheus import Documented
from tests.prometheus import documented_in_table
from tests.prometheus import documented_with_prefix
from tests.prometheus import missing
from tests.prometheus import scrape

DOCS = Path(__file__).parents[1] / "docs"


def _documented() -> list[Documented]:
    observability = (DOCS / "observability.md").read_text()
    events = (DOCS / "events.md").read_text()
    return documented_in_table(observability) + documented_with_prefix(
        events, "fastramqpi_events_"
    )


def test_the_docs_name_metrics_at_all() -> None:
    names = {d.name for d in _documented()}
    assert {"build_information_info", "dipex_last_success_timestamp_seconds"} <= names
    assert any(d.labels for d in _documented())


async def test_every_documented_metric_is_served() -> None:
    with serve_emulator(Emulator(clock=FakeClock())) as emu:
        response = await _scrape_after_one_event(emu)

    assert response.status_code == 200
    assert missing(_documented(), scrape(response.text)) == []


async def _scrape_after_one_event(emu: Emulator) -> httpx.Response:
    router = APIRouter()

    @router.post("/events/person")
    async def handle(event: Event[UUID]) -> None:
        pass

    listener = Listener(
        namespace="mo",
        user_key=f"docs-{uuid4().hex[:8]}",
        routing_key="person",
        path="/events/person",
    )
    async with (
        running(integration(emu, router, [listener])) as url,
        httpx.AsyncClient(base_url=url) as client,
    ):
        emu.emit("person", str(uuid4()))
        await until(lambda: not emu.pending())
        await client.get("/")
        return await client.get("/metrics")


def test_a_wrong_name_or_label_is_caught() -> None:
    exposition = "\n".join(
        [
            "# TYPE build_information info",
            'build_information_info{version="1",hash="abc"} 1.0',
            "# TYPE http_requests counter",
            'http_requests_total{method="GET",status="2xx",handler="/"} 1.0',
            "# TYPE d gauge",
            "dipex_last_success_timestamp_seconds 0.0",
            "",
        ]
    )
    documented = documented_in_table(
        "\n".join(
            [
                "| Metric | What |",
                "| --- | --- |",
                "| `build_information{version,hash}` | |",
                "| `http_requests_total{method,route}` | |",
                "| `dipex_last_success_timestamp` | |",
                "| `dipex_last_success_timestamp_seconds` | |",
            ]
        )
    )
    assert missing(documented, scrape(exposition)) == [
        "build_information{hash,version}: no such series",
        "http_requests_total{method,route}: served with labels ['handler', 'method', 'status']",
        "dipex_last_success_timestamp{}: no such series",
    ]
