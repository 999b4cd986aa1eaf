# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The shipped Grafana dashboard and Prometheus alerts query what ``/metrics`` really serves.

An integration runs against the MO emulator until every metric family has a series (an event
handled, one failed, one paused with Retry-After, one silenced as poison, readiness probed);
its ``/metrics`` is then the truth every query in docs/grafana and docs/prometheus is checked
against.
"""

import asyncio
import json
import re
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import promql_parser
import pytest
import yaml
from fastapi import APIRouter
from fastapi import Response
from prometheus_client import Metric
from prometheus_client.parser import text_string_to_metric_families

import fastramqpi.events
from fastramqpi.emulator import Emulator
from fastramqpi.emulator import FakeClock
from fastramqpi.emulator import serve_emulator
from fastramqpi.events import Event
from fastramqpi.events import Listener
from tests.events.conftest import integration
from tests.events.conftest import metric
from tests.events.conftest import running
from tests.events.conftest import unique
from tests.events.conftest import until
from tests.prometheus import missing
from tests.promql import Expression
from tests.rulefmt import Group
from tests.rulefmt import Rule
from tests.rulefmt import RuleFile
from tests.test_docs_metrics import documented

ROOT = Path(__file__).resolve().parents[1]
DASHBOARD = ROOT / "docs" / "grafana" / "fastramqpi.json"
ALERTS = ROOT / "docs" / "prometheus" / "alerts.yaml"

NOT_SHOWN = {"http_request_size_bytes", "http_response_size_bytes"}
"""Request and response sizes: served for dashboards made for FastRAMQPI 12-17, no panel."""

GRAFANA_BUILTINS = {"__rate_interval": "5m", "__interval": "1m", "__range": "1h"}


async def _exercise(emu: Emulator) -> str:
    """Run an integration until every metric family has a series; return its ``/metrics``."""
    listener = Listener(
        namespace="mo",
        user_key=unique("person"),
        routing_key="person",
        path="/person",
        silence_after=1,
    )
    ok, paused, poison = UUID(int=1), UUID(int=3), UUID(int=4)
    router = APIRouter()

    @router.post("/person")
    async def handle(event: Event[UUID]) -> Response:
        if event.subject == ok:
            # MO refuses the next call, likely this event's acknowledgement: it waits.
            emu.faults.fail_next(1, status=503)
            return Response(status_code=204)
        if event.subject == paused:
            return Response(status_code=429, headers={"Retry-After": "1"})
        if event.subject == poison:
            return Response(status_code=422)
        return Response(status_code=500)

    async with running(integration(emu, router, [listener])) as url:
        for subject in (ok, UUID(int=2), paused, poison):
            emu.emit("person", str(subject))
        await until(
            lambda: (
                metric("fastramqpi_events_acknowledged_total", listener) >= 1
                and metric("fastramqpi_events_failed_total", listener, stage="deliver")
                >= 1
                and metric("fastramqpi_events_retry_after_pauses_total", listener) >= 1
                and metric("fastramqpi_events_silenced_total", listener) >= 1
            )
        )
        async with httpx.AsyncClient(base_url=url) as client:
            assert (await client.get("/health/ready")).status_code == 200
            return (await client.get("/metrics")).text


@pytest.fixture(scope="module")
def families() -> Iterator[list[Metric]]:
    with (
        pytest.MonkeyPatch.context() as patch,
        serve_emulator(Emulator(clock=FakeClock())) as emu,
    ):
        patch.setattr(fastramqpi.events, "NO_EVENT_SLEEP_DURATION", 0.05)
        yield list(text_string_to_metric_families(asyncio.run(_exercise(emu))))


@pytest.fixture(scope="module")
def ours(families: list[Metric]) -> list[Metric]:
    """The families FastRAMQPI itself defines (not Python's, not other tests')."""
    prefixes = ("fastramqpi_", "http_", "build_information", "dipex_")
    return [
        family
        for family in families
        if family.name.startswith(prefixes) and not family.name.endswith("_created")
    ]


@pytest.fixture(scope="module")
def series(families: list[Metric]) -> dict[str, frozenset[str]]:
    """Each series name ``/metrics`` serves (``_bucket``, ``_total``, ...) and its labels."""
    labels: dict[str, set[str]] = defaultdict(set)
    for family in families:
        for sample in family.samples:
            labels[sample.name] |= sample.labels.keys()
    return {name: frozenset(names) for name, names in labels.items()}


# The dashboard


def _dashboard() -> dict[str, Any]:
    return json.loads(DASHBOARD.read_text())


def _variables(dashboard: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {v["name"]: v for v in dashboard["templating"]["list"]}


def _promql(grafana_query: str, variables: set[str]) -> str:
    """The query as Grafana sends it: variables replaced by values of the right kind."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        if name in GRAFANA_BUILTINS:
            return GRAFANA_BUILTINS[name]
        if name in variables:
            return ".*"
        raise AssertionError(f"{grafana_query!r} uses the undefined variable ${name}")

    return re.sub(r"\$\{(\w+)\}|\$(\w+)", value, grafana_query)


def _targets(dashboard: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for panel in dashboard["panels"]:
        for target in panel.get("targets", ()):
            yield panel["title"], target


def _dashboard_problems(
    dashboard: dict[str, Any], series: dict[str, frozenset[str]]
) -> tuple[list[str], set[str]]:
    """What the dashboard's queries name that ``series`` lacks, and the metrics they query."""
    variables = set(_variables(dashboard))
    problems, metrics = [], set()
    for title, target in _targets(dashboard):
        expression = Expression(_promql(target["expr"], variables), series)
        metrics |= expression.metrics
        legend = set(re.findall(r"\{\{\s*(\w+)\s*\}\}", target.get("legendFormat", "")))
        problems += [f"{title!r}: {problem}" for problem in expression.problems]
        problems += [
            f"{title!r}: legend label {label!r} is not on {sorted(expression.labels)}"
            for label in sorted(legend - expression.labels)
        ]
    for variable in dashboard["templating"]["list"]:
        if variable["type"] == "query":
            query = variable["query"]["query"]
            inner = re.fullmatch(r"label_values\((.+), *(\w+)\)", query)
            assert inner, f"variable {variable['name']}: {query!r}"
            expression = Expression(_promql(inner.group(1), variables), series)
            problems += expression.problems
            if inner.group(2) not in expression.labels:
                problems.append(f"variable {variable['name']}: no label {inner[2]!r}")
    return problems, metrics


def test_the_dashboard_queries_only_served_metrics_and_labels(
    series: dict[str, frozenset[str]],
) -> None:
    problems, _ = _dashboard_problems(_dashboard(), series)
    assert problems == []


def test_the_dashboard_shows_every_metric_fastramqpi_defines(
    ours: list[Metric], series: dict[str, frozenset[str]]
) -> None:
    _, queried = _dashboard_problems(_dashboard(), series)
    missing = {
        family.name
        for family in ours
        if not queried & {sample.name for sample in family.samples}
    }
    assert missing == NOT_SHOWN, "add a panel for these"


def test_every_metric_fastramqpi_defines_has_a_series(ours: list[Metric]) -> None:
    """Else a query of it could not be checked: make the exercise above produce one."""
    assert len(ours) > len(NOT_SHOWN)
    assert [family.name for family in ours if not family.samples] == []


def test_the_dashboard_has_what_grafanas_import_needs() -> None:
    dashboard = _dashboard()
    assert isinstance(dashboard["title"], str)
    assert dashboard["title"]
    assert isinstance(dashboard["schemaVersion"], int)
    variables = _variables(dashboard)
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    assert variables["job"]["type"] == variables["instance"]["type"] == "query"

    panels = dashboard["panels"]
    assert [p for p in panels if p["type"] != "row"], "no panels"
    assert len({p["id"] for p in panels}) == len(panels), "panel ids repeat"
    cells: set[tuple[int, int]] = set()
    for panel in panels:
        x, y, w, h = (panel["gridPos"][k] for k in "xywh")
        assert x >= 0, panel["title"]
        assert x + w <= 24, panel["title"]
        assert min(w, h) > 0, panel["title"]
        area = {(column, row) for column in range(x, x + w) for row in range(y, y + h)}
        assert not cells & area, f"{panel['title']!r} overlaps another panel"
        cells |= area
        if panel["type"] == "row":
            assert "targets" not in panel, panel["title"]
            continue
        assert panel["datasource"]["uid"] == "${datasource}", panel["title"]
        assert panel["targets"], f"{panel['title']!r} has no targets"
        for target in panel["targets"]:
            assert target["expr"]
            assert target["datasource"] == panel["datasource"]
        assert len({t["refId"] for t in panel["targets"]}) == len(panel["targets"])


def test_every_query_is_filtered_by_the_job_and_instance_variables() -> None:
    """Tens of integrations share one Prometheus: the variables must narrow every panel."""
    for title, target in _targets(_dashboard()):
        tree = promql_parser.parse(_promql(target["expr"], {"job", "instance"}))
        selectors: list[promql_parser.VectorSelector] = []

        def visit(node: promql_parser.Expr) -> None:
            if isinstance(node, promql_parser.VectorSelector):
                selectors.append(node)  # noqa: B023

        promql_parser.walk(tree, visit)
        for selector in selectors:
            regex = {  # =~, as Grafana sends a multi-value variable as a regex
                m.name: m.value
                for m in selector.matchers.matchers
                if m.op == promql_parser.MatchOp.Re
            }
            assert regex.get("job") == regex.get("instance") == ".*", (
                f"{title!r}: {selector}"
            )


def test_the_check_catches_names_that_are_not_served(
    series: dict[str, frozenset[str]],
) -> None:
    """The checks above can fail: typical slips in a dashboard are each reported."""
    slips = [
        "rate(fastramqpi_events_fetched[5m])",  # the family, not the _total series
        "rate(fastramqpi_events_handler_duration_seconds[5m])",  # a histogram's family
        'fastramqpi_events_failed_total{stage="deliver", status="5xx"}',
        "sum by (stage) (rate(fastramqpi_events_fetched_total[5m]))",
        "histogram_quantile(0.9, sum by (listener) (rate(http_request_duration_seconds_bucket[5m])))",
        "build_information_info > on (listener) fastramqpi_health_check_up",
        "rate(fastramqpi_events_fetched_total[5m",
    ]
    for slip in slips:
        assert Expression(slip, series).problems, slip

    dashboard = _dashboard()
    [(_, target), *_] = _targets(dashboard)
    target["legendFormat"] = "{{no_such_label}}"
    [problem] = _dashboard_problems(dashboard, series)[0]
    assert "'no_such_label'" in problem


# The alerts


def _rules() -> list[Rule]:
    rule_file = RuleFile.model_validate(yaml.safe_load(ALERTS.read_text()))
    return [rule for group in rule_file.groups for rule in group.rules]


def _alert_problems(
    rules: list[Rule], served: dict[str, frozenset[str]]
) -> tuple[list[str], set[str]]:
    """What the rules name that neither ``/metrics`` nor a recording rule provides."""
    series = dict(served)
    problems, metrics = [], set()
    for rule in rules:
        expression = Expression(rule.expr, series)
        metrics |= expression.metrics
        if rule.record is not None:
            series[rule.record] = expression.labels | rule.labels.keys()
        templates = " ".join([*rule.labels.values(), *rule.annotations.values()])
        used = set(re.findall(r"\$labels\.(\w+)", templates))
        problems += [f"{rule.alert or rule.record}: {p}" for p in expression.problems]
        problems += [
            f"{rule.alert}: $labels.{label} is not on {sorted(expression.labels)}"
            for label in sorted(used - expression.labels)
        ]
    return problems, metrics


def test_the_alert_rules_follow_prometheus_rule_file_format() -> None:
    rules = _rules()
    alerts = [rule for rule in rules if rule.alert is not None]
    assert len({rule.alert for rule in alerts}) == len(alerts), "alert names repeat"
    for rule in alerts:
        assert {"summary", "description"} <= rule.annotations.keys(), rule.alert


def test_a_rule_file_out_of_format_is_rejected() -> None:
    document = yaml.safe_load(ALERTS.read_text())
    alert = document["groups"][1]["rules"][0]
    for broken in (
        {**alert, "for": "10 minutes"},
        {**alert, "for": "10"},
        {**alert, "expr": "rate(fastramqpi_events_failed_total[5m]"},
        {**alert, "record": "both_kinds"},
        {**alert, "labels": {"severity": 3}},
        {**alert, "annotation": alert["annotations"]},
        {key: value for key, value in alert.items() if key != "expr"},
    ):
        with pytest.raises(ValueError):  # noqa: PT011 - pydantic's ValidationError
            RuleFile.model_validate({"groups": [{"name": "g", "rules": [broken]}]})
    with pytest.raises(ValueError):  # noqa: PT011
        RuleFile.model_validate({"groups": [{"name": "g", "rule": [alert]}]})


def test_the_alert_rules_query_only_served_metrics_and_labels(
    series: dict[str, frozenset[str]],
) -> None:
    problems, _ = _alert_problems(_rules(), series)
    assert problems == []


def test_the_alerts_watch_what_operators_page_on(
    series: dict[str, frozenset[str]],
) -> None:
    _, watched = _alert_problems(_rules(), series)
    assert {
        "fastramqpi_events_failed_total",
        "fastramqpi_events_fetched_total",
        "fastramqpi_events_acknowledged_total",
        "fastramqpi_health_check_up",
        "fastramqpi_events_fetcher_restarts_total",
        "dipex_last_success_timestamp_seconds",
    } <= watched


def test_the_documented_max_age_settings_fit_the_alert(
    series: dict[str, frozenset[str]],
) -> None:
    """The docs' example of setting the last-success age, in place of the shipped group."""
    page = (ROOT / "docs" / "observability.md").read_text()
    [example] = re.findall(r"```yaml\n(.*?)```", page, re.DOTALL)
    [settings] = [Group.model_validate(group) for group in yaml.safe_load(example)]
    document = yaml.safe_load(ALERTS.read_text())
    [shipped] = [g for g in document["groups"] if g["name"] == settings.name]
    document["groups"].remove(shipped)
    rules = RuleFile.model_validate(document).groups[0].rules
    problems, _ = _alert_problems([*settings.rules, *rules], series)
    assert problems == []


def test_an_alert_naming_a_missing_label_is_caught(
    series: dict[str, frozenset[str]],
) -> None:
    [ready] = [rule for rule in _rules() if rule.alert == "FastRAMQPINotReady"]
    aggregated = ready.model_copy(
        update={"expr": "max by (job) (fastramqpi_health_check_up) == 0"}
    )
    problems, _ = _alert_problems([aggregated], series)
    assert problems == [
        "FastRAMQPINotReady: $labels.check is not on ['job']",
        "FastRAMQPINotReady: $labels.instance is not on ['job']",
    ]


# The picture


def _picture(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "scripts/dashboard_picture.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_layout_picture_matches_the_dashboard() -> None:
    result = _picture("--check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_picture_check_notices_a_moved_panel(tmp_path: Path) -> None:
    dashboard = _dashboard()
    dashboard["panels"][-1]["gridPos"]["x"] -= 1
    changed = tmp_path / "dashboard.json"
    changed.write_text(json.dumps(dashboard))
    result = _picture("--check", "--dashboard", str(changed))
    assert result.returncode == 1
    assert "stale" in result.stdout


def test_every_metric_the_docs_name_is_served(families: list[Metric]) -> None:
    samples = [sample for family in families for sample in family.samples]
    assert missing(documented(), samples) == []
