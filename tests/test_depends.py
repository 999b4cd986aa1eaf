# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Where handlers' dependencies find the context, as integrations' own test suites use them."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated
from typing import Any

from fastapi import APIRouter
from fastapi import Depends
from fastapi import FastAPI
from starlette.testclient import TestClient

from fastramqpi import depends
from fastramqpi.config import Settings
from fastramqpi.main import FastRAMQPI
from fastramqpi.ramqp.depends import Context
from fastramqpi.ramqp.depends import from_context
from fastramqpi.ramqp.depends import get_context

# An integration's router, with the three ways its handlers reach the context.
router = APIRouter()


@router.get("/whoami")
async def whoami(
    context: Context,
    name: Annotated[str, Depends(from_context("name"))],
    settings: Annotated[dict[str, str], Depends(depends.from_user_context("settings"))],
) -> dict[str, Any]:
    return {"keys": sorted(context), "name": name, "settings": settings}


def _context(name: str) -> dict[str, Any]:
    return {"name": name, "user_context": {"settings": {"ldap": f"{name}-ldap"}}}


def _whoami(app: FastAPI) -> dict[str, Any]:
    with TestClient(app) as client:
        response = client.get("/whoami")
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_overriding_get_context_gives_every_handler_the_tests_context() -> None:
    app = FastAPI()
    app.include_router(router)
    app.dependency_overrides[get_context] = lambda: _context("overridden")

    assert _whoami(app) == {
        "keys": ["name", "user_context"],
        "name": "overridden",
        "settings": {"ldap": "overridden-ldap"},
    }


def test_overriding_get_context_on_a_fastramqpi_app() -> None:
    fastramqpi = FastRAMQPI(
        application_name="real",
        settings=Settings(client_id="id", client_secret="secret"),
        graphql_version=25,
    )
    app = fastramqpi.get_app()
    app.include_router(router)
    app.dependency_overrides[get_context] = lambda: _context("overridden")

    assert _whoami(app)["settings"] == {"ldap": "overridden-ldap"}


def test_a_plain_app_whose_lifespan_yields_the_context() -> None:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
        yield {"context": _context("from-lifespan")}

    app = FastAPI(lifespan=lifespan)
    app.include_router(router)

    assert _whoami(app)["settings"] == {"ldap": "from-lifespan-ldap"}


def test_the_lifespan_state_comes_before_the_apps_state() -> None:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
        yield {"context": _context("from-lifespan")}

    app = FastAPI(lifespan=lifespan)
    app.state.context = _context("from-app-state")
    app.include_router(router)

    assert _whoami(app)["name"] == "from-lifespan"


def test_without_a_lifespan_the_apps_state_is_read() -> None:
    app = FastAPI()
    app.state.context = _context("from-app-state")
    app.include_router(router)

    client = TestClient(app)  # no ``with``: no lifespan runs
    assert client.get("/whoami").json()["name"] == "from-app-state"


def test_the_context_dependencies_run_on_the_event_loop() -> None:
    """FastAPI runs a plain ``def`` dependency in a worker thread, one hop per dependency and
    request; every event delivered to a handler that takes a client and a session paid three."""
    import inspect

    from fastramqpi.ramqp.depends import State

    dependencies = [
        get_context,
        from_context("name"),
        depends.from_user_context("settings"),
        *(a.dependency for a in State.__metadata__),
        *(a.dependency for a in depends.UserContext.__metadata__),
    ]
    assert all(inspect.iscoroutinefunction(d) for d in dependencies)
