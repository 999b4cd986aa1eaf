# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The docs' metric names are read as a reader would query them."""

from pathlib import Path

from tests.prometheus import Documented
from tests.prometheus import documented_in_table
from tests.prometheus import documented_with_prefix
from tests.prometheus import missing
from tests.prometheus import scrape

DOCS = Path(__file__).parents[1] / "docs"


def documented() -> list[Documented]:
    """Every metric docs/observability.md and docs/events.md name; tests/test_monitoring.py
    checks them against a running app's ``/metrics``."""
    observability = (DOCS / "observability.md").read_text()
    events = (DOCS / "events.md").read_text()
    return documented_in_table(observability) + documented_with_prefix(
        events, "fastramqpi_events_"
    )


def test_the_docs_name_metrics_at_all() -> None:
    names = {d.name for d in documented()}
    assert {"build_information_info", "dipex_last_success_timestamp_seconds"} <= names
    assert any(d.labels for d in documented())


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
