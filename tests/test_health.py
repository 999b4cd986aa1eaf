# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
import asyncio
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from fastramqpi import health
from fastramqpi.config import Settings
from fastramqpi.emulator import Emulator
from fastramqpi.emulator import serve_emulator
from fastramqpi.main import FastRAMQPI
from tests.servers import serve


@pytest.fixture(scope="module")
def mo() -> Iterator[Emulator]:
    with serve_emulator(Emulator()) as emulator:
        yield emulator


@pytest.fixture
def fastramqpi(mo: Emulator) -> FastRAMQPI:
    settings = Settings(
        client_id="id",
        client_secret="secret",
        mo_url=mo.url,
        auth_token_url=mo.token_url,
    )
    return FastRAMQPI(
        application_name="health-test", settings=settings, graphql_version=25
    )


async def _up(context: Any) -> bool:
    return True


async def _down(context: Any) -> bool:
    return False


async def _raises(context: Any) -> bool:
    raise ConnectionError("MO is gone")


async def _hangs(context: Any) -> bool:
    await asyncio.Event().wait()
    return True  # pragma: no cover


async def test_root_names_the_application(fastramqpi: FastRAMQPI) -> None:
    async with (
        serve(fastramqpi.get_app()) as url,
        httpx.AsyncClient(base_url=url) as client,
    ):
        response = await client.get("/")
    assert response.json() == {"name": "health-test"}


async def test_ready_runs_every_check_and_names_the_failing_ones(
    fastramqpi: FastRAMQPI,
) -> None:
    fastramqpi.add_healthcheck("Cache", _up)
    fastramqpi.add_healthcheck("Database", _down)
    fastramqpi.add_healthcheck("Flaky", _raises)
    async with (
        serve(fastramqpi.get_app()) as url,
        httpx.AsyncClient(base_url=url) as client,
    ):
        response = await client.get("/health/ready")
    assert response.status_code == 503
    assert response.json() == {
        "MO": True,
        "Cache": True,
        "Database": False,
        "Flaky": False,
    }


async def test_ready_is_200_when_all_pass(fastramqpi: FastRAMQPI) -> None:
    fastramqpi.add_healthcheck("Cache", _up)
    async with (
        serve(fastramqpi.get_app()) as url,
        httpx.AsyncClient(base_url=url) as client,
    ):
        response = await client.get("/health/ready")
    assert response.status_code == 200
    assert response.json() == {"MO": True, "Cache": True}


async def test_live_ignores_readiness_checks(fastramqpi: FastRAMQPI) -> None:
    """An MO outage must not make Kubernetes restart the pod."""
    fastramqpi.add_healthcheck("Cache", _down)
    fastramqpi.add_healthcheck("Event loop", _up, live=True)
    async with (
        serve(fastramqpi.get_app()) as url,
        httpx.AsyncClient(base_url=url) as client,
    ):
        live = await client.get("/health/live")
        ready = await client.get("/health/ready")
    assert (live.status_code, live.json()) == (200, {"Event loop": True})
    assert ready.status_code == 503


async def test_live_fails_on_a_failing_live_check(fastramqpi: FastRAMQPI) -> None:
    fastramqpi.add_healthcheck("Deadlock detector", _down, live=True)
    async with (
        serve(fastramqpi.get_app()) as url,
        httpx.AsyncClient(base_url=url) as client,
    ):
        response = await client.get("/health/live")
    assert (response.status_code, response.json()) == (
        503,
        {"Deadlock detector": False},
    )


async def test_a_hanging_check_cannot_hang_the_probe(
    fastramqpi: FastRAMQPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(health, "TIMEOUT", 0.2)
    fastramqpi.add_healthcheck("Hangs", _hangs)
    async with (
        serve(fastramqpi.get_app()) as url,
        httpx.AsyncClient(base_url=url) as client,
    ):
        response = await client.get("/health/ready")
    assert (response.status_code, response.json()) == (
        503,
        {"Hangs": False, "MO": True},
    )


def test_duplicate_healthcheck_name_is_an_error(fastramqpi: FastRAMQPI) -> None:
    with pytest.raises(ValueError, match="MO"):
        fastramqpi.add_healthcheck("MO", _down)


def _check_up(metrics: str) -> dict[str, float]:
    return {
        sample.labels["check"]: sample.value
        for family in text_string_to_metric_families(metrics)
        if family.name == "fastramqpi_health_check_up"
        for sample in family.samples
    }


async def test_every_run_of_a_check_sets_its_readiness_gauge(
    fastramqpi: FastRAMQPI,
) -> None:
    """Prometheus sees which check failed, and sees it pass again."""
    ldap_up = True

    async def ldap(context: Any) -> bool:
        return ldap_up

    name = f"LDAP {uuid4().hex[:8]}"  # gauges are per process: a name of its own
    fastramqpi.add_healthcheck(name, ldap)
    fastramqpi.add_healthcheck(f"Crashes {name}", _raises)
    async with (
        serve(fastramqpi.get_app()) as url,
        httpx.AsyncClient(base_url=url) as client,
    ):
        assert name not in _check_up((await client.get("/metrics")).text)
        await client.get("/health/ready")
        passing = _check_up((await client.get("/metrics")).text)
        ldap_up = False
        await client.get("/health/ready")
        failing = _check_up((await client.get("/metrics")).text)
        ldap_up = True
        await client.get("/health/ready")
        recovered = _check_up((await client.get("/metrics")).text)

    assert (passing[name], failing[name], recovered[name]) == (1, 0, 1)
    assert passing[f"Crashes {name}"] == 0
    assert passing["MO"] == 1


async def test_a_check_run_outside_a_probe_sets_its_gauge_too(
    fastramqpi: FastRAMQPI,
) -> None:
    """As a background check of a dependency would run it, between probes."""
    name = f"Queue {uuid4().hex[:8]}"
    fastramqpi.add_healthcheck(name, _down)
    context = fastramqpi.get_context()
    async with (
        serve(fastramqpi.get_app()) as url,
        httpx.AsyncClient(base_url=url) as client,
    ):
        assert await context["healthchecks"].run_one(name, context) is False
        gauges = _check_up((await client.get("/metrics")).text)

    assert gauges[name] == 0


async def test_a_liveness_probe_updates_only_the_live_checks_gauges(
    fastramqpi: FastRAMQPI,
) -> None:
    name = uuid4().hex[:8]
    fastramqpi.add_healthcheck(f"Live {name}", _down, live=True)
    fastramqpi.add_healthcheck(f"Ready {name}", _down)
    async with (
        serve(fastramqpi.get_app()) as url,
        httpx.AsyncClient(base_url=url) as client,
    ):
        await client.get("/health/live")
        gauges = _check_up((await client.get("/metrics")).text)

    assert gauges[f"Live {name}"] == 0
    assert f"Ready {name}" not in gauges


class _LDAP:
    def __init__(self, up: bool) -> None:
        self.up = up

    async def exists(self, base: str) -> bool:
        assert base == "ou=kommune"
        return self.up


class _IntegrationSettings:
    ldap_search_base = "ou=kommune"


@pytest.mark.parametrize(("up", "status"), [(True, 200), (False, 503)])
async def test_a_check_reads_what_add_context_added_as_documented(
    fastramqpi: FastRAMQPI, up: bool, status: int
) -> None:
    seen: list[Any] = []

    async def ldap_reachable(context: Any) -> bool:
        seen.append(context)
        settings = context["user_context"]["settings"]
        ldap = context["user_context"]["ldap"]
        return bool(await ldap.exists(settings.ldap_search_base))

    fastramqpi.add_context(settings=_IntegrationSettings(), ldap=_LDAP(up))
    fastramqpi.add_healthcheck("LDAP", ldap_reachable)
    async with (
        serve(fastramqpi.get_app()) as url,
        httpx.AsyncClient(base_url=url) as client,
    ):
        response = await client.get("/health/ready")

    assert (response.status_code, response.json()["LDAP"]) == (status, up)
    [context] = seen
    assert context is fastramqpi.get_context()
    assert context["settings"] is fastramqpi.settings
    assert context["mo_client"] is fastramqpi.get_context()["mo_client"]


async def test_the_event_gate_is_closed_until_gating_checks_pass_and_follows_them() -> (
    None
):
    from prometheus_client import REGISTRY

    from fastramqpi.health import EventGate
    from fastramqpi.health import HealthChecks

    up = {"db": False}
    checks = HealthChecks()

    async def database(context: object) -> bool:
        return up["db"]

    async def unrelated(context: object) -> bool:
        return False

    checks.add("Gate test database", database, gates_events=True)
    checks.add("Gate test other", unrelated)
    gate = EventGate(checks, {}, lambda: 1.0)
    told: list[bool] = []

    async def subscriber(closed: bool) -> None:
        told.append(closed)

    gate.subscribe(subscriber)
    assert gate.closed
    await gate.check()
    assert gate.closed
    assert told == []
    assert (
        REGISTRY.get_sample_value(
            "fastramqpi_health_check_up", {"check": "Gate test database"}
        )
        == 0
    )
    up["db"] = True
    await gate.check()
    assert not gate.closed
    assert told == [False]
    up["db"] = False
    await gate.check()
    assert told == [False, True]


async def test_the_closed_gate_checks_four_times_as_often() -> None:
    """Once the dependency is back the listeners resume within a quarter of the interval."""
    from fastramqpi.health import EventGate
    from fastramqpi.health import HealthChecks

    up = {"db": False}
    checks = HealthChecks()

    async def database(context: object) -> bool:
        return up["db"]

    checks.add("Gate cadence database", database, gates_events=True)
    gate = EventGate(checks, {}, lambda: 2.0)
    await gate.check()
    assert (gate.closed, gate.next_round_in()) == (True, 0.5)
    up["db"] = True
    await gate.check()
    assert (gate.closed, gate.next_round_in()) == (False, 2.0)


async def test_without_gating_checks_the_gate_is_open() -> None:
    from fastramqpi.health import EventGate
    from fastramqpi.health import HealthChecks

    async with EventGate(HealthChecks(), {}, lambda: 1.0) as gate:
        assert not gate.closed
