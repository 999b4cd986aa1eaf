# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The MO client and GraphQL client inside a FastRAMQPI app, against the MO emulator."""

import asyncio
from collections.abc import AsyncIterator
from collections.abc import Iterator
from contextlib import aclosing
from contextlib import asynccontextmanager
from types import ModuleType
from typing import Annotated
from typing import Any

import httpx
import pytest
from fastapi import Depends
from pydantic import SecretStr
from structlog.testing import capture_logs

from fastramqpi import depends
from fastramqpi.config import Settings
from fastramqpi.emulator import Emulator
from fastramqpi.emulator import FakeClock
from fastramqpi.emulator import serve_emulator
from fastramqpi.main import FastRAMQPI
from fastramqpi.mo import MOReadiness
from fastramqpi.ramqp.depends import from_context
from tests.ariadne.codegen import PLUGINS
from tests.ariadne.codegen import generate
from tests.servers import serve

VERSION = {"query": "query { version { mo_version } }"}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    return generate(tmp_path_factory.mktemp("codegen"), "client_for_app_tests", PLUGINS)


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with serve_emulator(Emulator(clients={"integration": "the-secret"})) as emu:
        yield emu


def fastramqpi(
    emulator: Emulator, secret: str = "the-secret", **kwargs: Any
) -> FastRAMQPI:
    settings = Settings(
        client_id="integration",
        client_secret=SecretStr(secret),
        mo_url=emulator.url,  # type: ignore[arg-type]
        auth_token_url=emulator.token_url,  # type: ignore[arg-type]
    )
    return FastRAMQPI("mo-app-test", settings, graphql_version=30, **kwargs)


@asynccontextmanager
async def running(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(app) as url, httpx.AsyncClient(base_url=url) as client:
        yield client


async def test_ready_when_mo_answers_with_our_token(emulator: Emulator) -> None:
    async with running(fastramqpi(emulator).get_app()) as client:
        response = await client.get("/health/ready")

    assert (response.status_code, response.json()) == (200, {"MO": True})


async def test_a_refused_secret_leaves_the_app_serving_but_not_ready(
    emulator: Emulator,
) -> None:
    async with running(
        fastramqpi(emulator, secret="not-the-secret").get_app()
    ) as client:
        root = await client.get("/")
        ready = await client.get("/health/ready")

    assert root.status_code == 200
    assert (ready.status_code, ready.json()) == (503, {"MO": False})
    assert "not-the-secret" not in ready.text


async def test_handlers_reach_mo_through_depends_mo_client(emulator: Emulator) -> None:
    app = fastramqpi(emulator).get_app()

    @app.get("/mo-version")
    async def mo_version(mo: depends.MOClient) -> Any:
        return (await mo.post("/graphql/v30", json=VERSION)).json()["data"]

    async with running(app) as client:
        response = await client.get("/mo-version")

    assert response.json() == {
        "version": {"mo_version": response.json()["version"]["mo_version"]}
    }
    assert response.status_code == 200


async def test_the_graphql_client_cannot_close_the_mo_client_under_its_other_users(
    emulator: Emulator, generated: ModuleType
) -> None:
    """Its exit (priority 200) comes before that of users at lower priorities, such as the
    database (150): the MO client stays open for them and closes last (100)."""
    integration = fastramqpi(emulator, graphql_client_cls=generated.GraphQLClient)
    context = integration.get_context()
    on_exit: list[int] = []

    @asynccontextmanager
    async def uses_mo_while_leaving() -> AsyncIterator[None]:
        yield
        on_exit.append(
            (await context["mo_client"].post("/graphql/v30", json=VERSION)).status_code
        )

    integration.add_lifespan_manager(uses_mo_while_leaving(), priority=150)
    app = integration.get_app()
    GraphQLClient = Annotated[Any, Depends(from_context("graphql_client"))]

    @app.post("/namespaces/{name}")
    async def declare(name: str, graphql_client: GraphQLClient) -> str:
        declared = await graphql_client.declare_namespace(
            generated.NamespaceCreateInput(name=name)
        )
        return str(declared.event_namespace_declare.name)

    async with running(app) as client:
        response = await client.post("/namespaces/lifecycle")

    assert (response.status_code, response.json()) == (200, "lifecycle")
    assert on_exit == [200]
    assert context["mo_client"].is_closed


def test_the_graphql_client_talks_to_the_configured_graphql_version(
    emulator: Emulator, generated: ModuleType
) -> None:
    integration = fastramqpi(emulator, graphql_client_cls=generated.GraphQLClient)

    assert (
        integration.get_context()["graphql_client"].url == f"{emulator.url}/graphql/v30"
    )


@pytest.fixture
async def mo_client(emulator: Emulator) -> AsyncIterator[Any]:
    async with fastramqpi(emulator).get_context()["mo_client"] as client:
        yield client


async def test_readiness_answers_at_once_after_an_outage_and_a_recovery(
    emulator: Emulator, mo_client: Any
) -> None:
    """No time passes on the clock: an answer kept for any time would show here."""
    clock = FakeClock(start=0)
    ready = MOReadiness(mo_client, f"{emulator.url}/graphql/v30", clock=clock.now)

    assert await ready(None)
    emulator.faults.fail_next(1, status=503)
    assert not await ready(None)  # the first probe of the outage
    assert await ready(None)  # the first probe after MO is back
    emulator.faults.fail_next(2, status=503)
    assert not await ready(None)
    assert not await ready(None)
    assert await ready(None)


async def test_readiness_logs_an_outage_once_and_its_length(
    emulator: Emulator, mo_client: Any
) -> None:
    clock = FakeClock(start=0)
    url = f"{emulator.url}/graphql/v30"
    ready = MOReadiness(mo_client, url, clock=clock.now)

    with capture_logs() as logs:
        emulator.faults.fail_next(3, status=503)
        for _ in range(3):
            assert not await ready(None)
            clock.advance(10)
        assert await ready(None)
        assert await ready(None)

    assert [(log["log_level"], log["event"]) for log in logs] == [
        ("warning", "MO is not ready"),
        ("info", "MO is ready again"),
    ]
    assert logs[0]["url"] == url
    assert "503" in logs[0]["reason"]
    assert logs[1]["down_for"] == 30


async def test_each_probe_asks_mo_once(emulator: Emulator, mo_client: Any) -> None:
    ready = MOReadiness(mo_client, f"{emulator.url}/graphql/v30")
    await mo_client.post("/graphql/v30", json=VERSION)  # the token is fetched
    asked: list[httpx.Request] = []
    mo_client.event_hooks["request"].append(_record(asked))

    for _ in range(3):
        assert await ready(None)

    assert len(asked) == 3


async def test_concurrent_probes_share_one_query(
    emulator: Emulator, mo_client: Any
) -> None:
    ready = MOReadiness(mo_client, f"{emulator.url}/graphql/v30")
    await mo_client.post("/graphql/v30", json=VERSION)  # the token is fetched
    asked: list[httpx.Request] = []
    mo_client.event_hooks["request"].append(_record(asked))
    emulator.faults.delay_next(1, 0.2)
    emulator.faults.fail_next(1, status=503)

    answers = await asyncio.gather(*(ready(None) for _ in range(20)))

    assert answers == [False] * 20
    assert len(asked) == 1


async def test_a_probe_that_gives_up_leaves_the_shared_query_running(
    emulator: Emulator, mo_client: Any
) -> None:
    ready = MOReadiness(mo_client, f"{emulator.url}/graphql/v30")
    await mo_client.post("/graphql/v30", json=VERSION)
    emulator.faults.delay_next(1, 0.3)
    patient = asyncio.ensure_future(ready(None))
    await asyncio.sleep(0)

    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.01):
            await ready(None)

    assert await patient


async def test_a_hanging_mo_is_not_ready_after_the_timeout(
    emulator: Emulator, mo_client: Any
) -> None:
    ready = MOReadiness(mo_client, f"{emulator.url}/graphql/v30", timeout=0.05)
    await mo_client.post("/graphql/v30", json=VERSION)
    emulator.faults.delay_next(1, 1)

    with capture_logs() as logs:
        assert not await ready(None)

    assert "within 0.05 s" in logs[0]["reason"]


def _record(asked: list[httpx.Request]) -> Any:
    async def hook(request: httpx.Request) -> None:
        if request.url.path.endswith("/graphql/v30"):
            asked.append(request)

    return hook


def test_the_mo_client_needs_no_start_up(emulator: Emulator) -> None:
    """Test suites build the app without running its lifespan; MO access still works."""
    mo_client = fastramqpi(emulator).get_context()["mo_client"]

    async def query() -> int:
        async with aclosing(mo_client):
            return (await mo_client.post("/graphql/v30", json=VERSION)).status_code

    assert asyncio.run(query()) == 200
