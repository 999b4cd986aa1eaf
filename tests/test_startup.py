# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""What an integration imports at start-up: only what it uses.

Each check runs in a fresh interpreter, as an integration starts, and reads ``sys.modules``.
"""

import json
import subprocess
import sys
import textwrap

DATABASE_LIBRARIES = ("sqlalchemy", "alembic", "asyncpg")


def _modules_after(code: str) -> set[str]:
    """The modules imported once ``code`` has run in a fresh interpreter."""
    program = textwrap.dedent(code) + textwrap.dedent(
        """
        import json, sys
        print(json.dumps(sorted(sys.modules)))
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        env={},
    )
    assert run.returncode == 0, run.stderr
    return set(json.loads(run.stdout.splitlines()[-1]))


def _imported_after(code: str) -> set[str]:
    """The top-level packages imported once ``code`` has run in a fresh interpreter."""
    return {name.partition(".")[0] for name in _modules_after(code)}


INTEGRATION = """
from fastapi import APIRouter
from fastapi.testclient import TestClient

from fastramqpi import depends
from fastramqpi.config import Settings
from fastramqpi.main import FastRAMQPI

router = APIRouter()


@router.get("/hello")
async def hello(mo: depends.MOClient) -> str:
    return "hello"


settings = Settings(client_id="integration", client_secret="secret", mo_url="http://mo.example")
fastramqpi = FastRAMQPI("integration", settings, graphql_version=25)
fastramqpi.get_app().include_router(router)
with TestClient(fastramqpi.get_app()) as client:
    assert client.get("/hello").status_code == 200
"""


def test_an_integration_without_a_database_never_imports_sqlalchemy_or_alembic() -> (
    None
):
    imported = _imported_after(INTEGRATION)

    assert "fastramqpi" in imported
    assert not imported & set(DATABASE_LIBRARIES)


def test_an_integration_without_listeners_never_loads_the_events_system() -> None:
    modules = _modules_after(INTEGRATION)

    assert "fastramqpi.main" in modules
    assert not {
        m
        for m in modules
        if m.startswith(("fastramqpi.events", "fastramqpi._events_client"))
    }


def test_importing_the_framework_loads_no_client_library() -> None:
    """The MO client's libraries load when an app is built: ``import fastramqpi.main`` (as
    a test suite collecting an integration does) costs little more than FastAPI."""
    imported = _imported_after("import fastramqpi.main")

    assert "fastapi" in imported
    assert not imported & {"httpx", "authlib", *DATABASE_LIBRARIES}


def test_an_integration_with_a_database_gets_it() -> None:
    imported = _imported_after(
        """
        from sqlalchemy import MetaData

        from fastramqpi.config import Settings
        from fastramqpi.main import FastRAMQPI

        settings = Settings(
            client_id="integration",
            client_secret="secret",
            database={"url": "postgresql+asyncpg://db.example/integration"},
        )
        fastramqpi = FastRAMQPI(
            "integration", settings, graphql_version=25, database_metadata=MetaData()
        )
        assert fastramqpi.get_context()["sessionmaker"] is not None
        """
    )

    assert {"sqlalchemy", "alembic", "asyncpg"} <= imported


def test_importing_the_database_dependencies_module_leaves_sqlalchemy_alone() -> None:
    imported = _imported_after("from fastramqpi import depends")

    assert not imported & set(DATABASE_LIBRARIES)


def test_the_session_dependency_is_there_when_asked_for() -> None:
    imported = _imported_after(
        """
        from typing import get_args

        from sqlalchemy.ext.asyncio import AsyncSession

        from fastramqpi import depends

        assert get_args(depends.Session)[0] is AsyncSession
        from fastramqpi.depends import Engine, Sessionmaker
        """
    )

    assert "sqlalchemy" in imported


def test_loading_the_pytest_plugin_imports_nothing_heavy() -> None:
    """Every pytest run of every project that installs FastRAMQPI loads the plugin."""
    imported = _imported_after("import fastramqpi.pytest_plugin")

    heavy = {
        *DATABASE_LIBRARIES,
        "fastapi",
        "starlette",
        "httpx",
        "respx",
        "uvicorn",
        "authlib",
        "prometheus_client",
        "structlog",
        "pydantic",
        "debugpy",
        "graphql",
    }
    assert "pytest" in imported
    assert not imported & heavy
