# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The README's integration test, under pytest-asyncio's auto and strict modes, on the emulator."""

import pytest

from tests.pytest_plugin.conftest import APP
from tests.pytest_plugin.conftest import Project
from tests.pytest_plugin.conftest import use_postgresql

pytest_plugins = ("pytester",)

AUTO = """
import pytest
from httpx import AsyncClient

from fastramqpi.pytest_util import retry
from app_module import Base
from app_module import create_app


@pytest.fixture
def server_port() -> int:
    return 0


@pytest.fixture
async def app(monkeypatch):
    monkeypatch.setenv("SOME_CONFIG", "http://example.org")
    return create_app(database_metadata=Base.metadata)


@pytest.mark.integration_test
async def test_event_reaches_the_handler(test_client: AsyncClient, mo_client, mo_emulator) -> None:
    assert (await test_client.get("/")).json() == {"name": "plugin-test-integration"}
    version = await mo_client.post(
        f"{mo_client.base_url}/graphql/v25", json={"query": "{ version { mo_version } }"}
    )
    assert version.json()["data"]["version"]["mo_version"]

    subject = "2b8f1e56-3c3a-4a44-8f3c-6e1f7d7d0a11"
    mo_emulator.emit("person", subject)

    @retry()
    async def verify() -> None:
        assert set((await test_client.get("/seen")).json()) == {subject}

    await verify()
"""

STRICT = """
import pytest
import pytest_asyncio
from httpx import AsyncClient

from fastramqpi.pytest_util import retrying
from app_module import Base
from app_module import create_app


@pytest.fixture
def server_port() -> int:
    return 0


@pytest_asyncio.fixture
async def app():
    return create_app(database_metadata=Base.metadata)


@pytest.mark.integration_test
@pytest.mark.asyncio
async def test_event_reaches_the_handler(test_client: AsyncClient, mo_client, mo_emulator) -> None:
    assert (await test_client.get("/")).json() == {"name": "plugin-test-integration"}
    subject = "2b8f1e56-3c3a-4a44-8f3c-6e1f7d7d0a11"
    mo_emulator.emit("person", subject)
    async for attempt in retrying():
        with attempt:
            assert set((await test_client.get("/seen")).json()) == {subject}


def test_a_sync_unit_test_next_to_it() -> None:
    assert True
"""


@pytest.mark.parametrize(("mode", "tests"), [("auto", AUTO), ("strict", STRICT)])
def test_readme_integration_test_passes(
    project: Project, monkeypatch: pytest.MonkeyPatch, mode: str, tests: str
) -> None:
    use_postgresql(monkeypatch)
    project.write(app_module=APP, test_integration=tests)
    result = project.run(mode=mode)
    result.assert_outcomes(
        passed=tests.count("\ndef test_") + tests.count("\nasync def test_")
    )


@pytest.mark.parametrize("mode", ["auto", "strict"])
def test_without_an_app_fixture_the_test_says_where_to_read(
    project: Project, mode: str
) -> None:
    project.write(
        test_no_app="""
        import pytest


        @pytest.mark.integration_test
        @pytest.mark.asyncio
        async def test_it(test_client):
            pass
        """
    )
    result = project.run(mode=mode)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*Override the `app` fixture in your conftest.py*'Integration Testing'*README*"
        ]
    )
