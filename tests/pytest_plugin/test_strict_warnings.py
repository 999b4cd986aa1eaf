# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""A user's project with ``filterwarnings = ["error"]`` runs docs/testing.md's patterns.

Each run is a fresh interpreter, as the project's CI is, so a warning at import is seen.
"""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import fastramqpi
from tests.pytest_plugin.conftest import plugin_args

pytest_plugins = ("pytester",)

PYPROJECT = """
[tool.pytest.ini_options]
asyncio_mode = "auto"
asyncio_default_fixture_loop_scope = "function"
addopts = "-p no:cacheprovider"
filterwarnings = ["error"]
"""

APP = """
from uuid import UUID

from fastapi import APIRouter
from fastapi import FastAPI
from pydantic_settings import BaseSettings
from pydantic_settings import SettingsConfigDict

from fastramqpi.config import Settings as FastRAMQPISettings
from fastramqpi.events import Event
from fastramqpi.events import GraphQLEvents
from fastramqpi.events import Listener
from fastramqpi.main import FastRAMQPI


class Settings(BaseSettings):
    model_config = SettingsConfigDict(frozen=True, env_nested_delimiter="__")

    fastramqpi: FastRAMQPISettings


router = APIRouter()
PEOPLE: list[str] = []


@router.post("/events/person")
async def person(event: Event[UUID]) -> None:
    PEOPLE.append(str(event.subject))


@router.get("/people")
async def people() -> list[dict[str, str]]:
    return [{"uuid": p} for p in PEOPLE]


def create_app() -> FastAPI:
    fastramqpi = FastRAMQPI(
        application_name="os2mo-example-integration",
        settings=Settings().fastramqpi,
        graphql_version=25,
        graphql_events=GraphQLEvents(
            declare_listeners=[
                Listener(namespace="mo", user_key="person", routing_key="person", path="/events/person")
            ]
        ),
    )
    fastramqpi.get_app().include_router(router)
    return fastramqpi.get_app()
"""

CONFTEST = """
import pytest
from fastapi import FastAPI

from app_module import create_app


@pytest.fixture
def server_port() -> int:
    return 0


@pytest.fixture
async def app(monkeypatch: pytest.MonkeyPatch) -> FastAPI:
    monkeypatch.setenv("SOME_CONFIG", "http://example.org")
    return create_app()
"""

TESTS = """
from uuid import uuid4

import httpx
import pytest
from httpx import AsyncClient

from app_module import create_app
from fastramqpi.pytest_util import retry


@pytest.mark.envvar({"FASTRAMQPI__CLIENT_ID": "my-integration", "FASTRAMQPI__CLIENT_SECRET": "x"})
async def test_the_app_names_itself() -> None:
    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.get("/")
    assert response.json() == {"name": "os2mo-example-integration"}


@pytest.mark.integration_test
async def test_mo_person_events_are_recorded(test_client: AsyncClient, mo_client, mo_emulator) -> None:
    version = await mo_client.post(
        f"{mo_client.base_url}/graphql/v25", json={"query": "{ version { mo_version } }"}
    )
    assert version.json()["data"]["version"]["mo_version"]

    person = str(uuid4())
    assert person not in [p["uuid"] for p in (await test_client.get("/people")).json()]
    mo_emulator.emit("person", person)

    @retry()
    async def verify() -> None:
        people = (await test_client.get("/people")).json()
        assert [p["uuid"] for p in people] == [person]

    await verify()
"""


@pytest.mark.parametrize(
    "hidden", [(), ("httpx2",)], ids=["as-installed", "without-httpx2"]
)
def test_the_documented_patterns_pass_with_warnings_as_errors(
    pytester: pytest.Pytester, hidden: tuple[str, ...]
) -> None:
    pytester.makepyprojecttoml(PYPROJECT)
    pytester.makepyfile(
        app_module=textwrap.dedent(APP),
        conftest=textwrap.dedent(CONFTEST),
        test_patterns=textwrap.dedent(TESTS),
    )
    # A None in sys.modules makes importing the package fail as if it were not installed.
    code = (
        f"import sys; sys.modules.update(dict.fromkeys({list(hidden)!r}))\n"
        "import pytest\n"
        f"sys.exit(pytest.main({[*plugin_args(), '-p', 'no:randomly', '-q']!r}))\n"
    )
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith("FASTRAMQPI__")
    }
    environment["PYTHONPATH"] = str(Path(fastramqpi.__file__).parent.parent)
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=pytester.path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout
    assert "warning" not in result.stdout.lower()
