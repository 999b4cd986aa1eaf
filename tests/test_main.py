# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
import asyncio
from typing import Annotated
from typing import Any
from typing import is_typeddict

import httpx
from fastapi import APIRouter
from fastapi import Depends
from fastapi import FastAPI

from fastramqpi import depends
from fastramqpi.config import Settings
from fastramqpi.context import Context
from fastramqpi.main import FastRAMQPI
from fastramqpi.ramqp.depends import from_context
from fastramqpi.ramqp.depends import get_context
from fastramqpi.ramqp.depends import handle_exclusively_decorator
from tests.servers import serve


def _fastramqpi(**settings: Any) -> FastRAMQPI:
    return FastRAMQPI(
        application_name="os2mo-example-integration",
        settings=Settings(client_id="id", client_secret="secret", **settings),
        graphql_version=25,
    )


async def test_app_metadata() -> None:
    app = _fastramqpi(commit_tag="1.2.3").get_app()
    assert app.contact is not None
    app.contact["email"] = "info@example.org"  # as integrations do after construction

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        info = (await client.get("/openapi.json")).json()["info"]
    assert info["title"] == "os2mo-example-integration"
    assert info["version"] == "1.2.3"
    assert info["contact"] == {"email": "info@example.org"}


def test_context_keys() -> None:
    fastramqpi = _fastramqpi()
    context = fastramqpi.get_context()
    assert context["name"] == "os2mo-example-integration"
    assert context["settings"] is fastramqpi.settings
    assert context["app"] is fastramqpi.get_app()
    assert context["user_context"] == {}
    assert fastramqpi.get_app().state.context is context


def test_resources_are_what_the_context_shows() -> None:
    fastramqpi = _fastramqpi()
    resources = fastramqpi.resources
    context = fastramqpi.get_context()

    assert context["mo_client"] is resources.mo_client
    assert context["settings"] is resources.settings
    assert resources.app is fastramqpi.get_app()
    # Parts not asked for are None, and absent from the context.
    assert (resources.graphql_client, resources.database, resources.events) == (
        None,
        None,
        None,
    )
    assert not {"graphql_client", "graphql_events", "engine"} & set(context)


async def test_a_hand_built_context_serves_handlers_in_unit_tests() -> None:
    """Integrations' unit tests build ``Context({...})`` and give it to their handlers."""
    assert is_typeddict(Context)
    context = Context({"name": "unit-test", "user_context": {"greeting": "hi"}})
    app = FastAPI()

    @app.get("/greet")
    async def greet(
        greeting: Annotated[str, Depends(depends.from_user_context("greeting"))],
        name: Annotated[str, Depends(from_context("name"))],
    ) -> list[str]:
        return [greeting, name]

    app.dependency_overrides[get_context] = lambda: context
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        assert (await client.get("/greet")).json() == ["hi", "unit-test"]


async def test_add_context_reaches_handlers_without_lifespan() -> None:
    """Unit tests call the app in-process without running its lifespan."""
    fastramqpi = _fastramqpi()
    fastramqpi.add_context(greeting="hello")
    app = fastramqpi.get_app()

    @app.get("/greet")
    async def greet(
        greeting: Annotated[str, Depends(depends.from_user_context("greeting"))],
        name: Annotated[str, Depends(from_context("name"))],
        user_context: depends.UserContext,
    ) -> dict[str, Any]:
        return {"greeting": greeting, "name": name, "keys": sorted(user_context)}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/greet")
    assert response.json() == {
        "greeting": "hello",
        "name": "os2mo-example-integration",
        "keys": ["greeting"],
    }


def test_dependencies_are_cached() -> None:
    assert from_context("name") is from_context("name")
    assert depends.from_user_context("x") is depends.from_user_context("x")


async def test_handle_exclusively_serialises_per_key() -> None:
    running: dict[str, int] = {}
    most: dict[str, int] = {}

    @handle_exclusively_decorator(key=lambda uuid, n: uuid)
    async def handle(uuid: str, n: int) -> int:
        running[uuid] = running.get(uuid, 0) + 1
        most[uuid] = max(most.get(uuid, 0), running[uuid])
        await asyncio.sleep(0.01)
        running[uuid] -= 1
        return n

    results = await asyncio.gather(*(handle(k, n) for n in range(5) for k in "ab"))
    assert sorted(results) == sorted(list(range(5)) * 2)
    assert most == {"a": 1, "b": 1}


async def test_the_integrations_routes_beside_the_frameworks() -> None:
    """The framework's routes turn a path away by its ending: an integration's route that
    ends like one of theirs, or any route behind a root path, is still found."""
    app = _fastramqpi().get_app()

    @app.get("/v1/metrics")
    async def versioned() -> dict[str, bool]:
        return {"mine": True}

    @app.get("/items/")
    async def items() -> list[str]:
        return ["a"]

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        assert (await client.get("/v1/metrics")).json() == {"mine": True}
        assert (await client.get("/items/")).json() == ["a"]
        assert (await client.get("/")).json() == {"name": "os2mo-example-integration"}
        assert "build_information_info" in (await client.get("/metrics")).text
        assert (await client.post("/metrics")).status_code == 405
    behind = httpx.ASGITransport(app=app, root_path="/api")
    async with httpx.AsyncClient(transport=behind, base_url="http://test") as client:
        assert (await client.get("/api/health/live")).status_code == 200
        assert (await client.get("/api/v1/metrics")).json() == {"mine": True}


async def test_a_started_app_answers_every_path_as_before() -> None:
    """At start-up the framework's routes move after the integration's: every path is still
    answered by the same route."""
    router = APIRouter()

    @router.get("/hello")
    async def hello() -> str:
        return "hello"

    app = _fastramqpi().get_app()
    app.include_router(router)  # as the README does

    async with serve(app) as url, httpx.AsyncClient(base_url=url) as client:
        assert (await client.get("/hello")).json() == "hello"
        assert (await client.get("/")).json() == {"name": "os2mo-example-integration"}
        assert (await client.get("/health/live")).status_code == 200
        assert (await client.post("/metrics")).status_code == 405
        paths = [getattr(route, "path", None) for route in app.router.routes]
    assert paths[-4:] == ["/", "/health/live", "/health/ready", "/metrics"]


async def test_an_integration_route_taking_a_framework_path_does_not_take_it_over() -> (
    None
):
    app = _fastramqpi().get_app()

    @app.get("/{page:path}")
    async def anything(page: str) -> dict[str, str]:
        return {"page": page}

    async with serve(app) as url, httpx.AsyncClient(base_url=url) as client:
        live = await client.get("/health/live")
        assert live.status_code == 200
        assert "page" not in live.json()
        assert "build_information_info" in (await client.get("/metrics")).text
        root = await client.get("/")
        assert root.json() == {"name": "os2mo-example-integration"}
        assert (await client.get("/about")).json() == {"page": "about"}
