# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""FastRAMQPI's pytest plugin, loaded in every project that installs FastRAMQPI.

Integration tests (``@pytest.mark.integration_test``) run the integration for real against
MO (or the MO emulator) and PostgreSQL, and get, first and in this order: respx letting the
backing services through, a fresh copy of a migrated template database, MO restored after
each test to how the session found it, quick event fetching and quick retries of failed
events. Unit tests get an empty environment, so a developer's shell or a CI job's variables
cannot leak into them.

Loading the plugin imports nothing beyond pytest (and pytest-asyncio, itself a loaded plugin
where installed): respx, httpx, uvicorn and SQLAlchemy are imported by the fixtures that use
them, and a fixture whose library is missing says so when it is used.
"""

import importlib
import os
from collections.abc import AsyncIterator
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING
from typing import Any

import pytest

if TYPE_CHECKING:
    from httpx import AsyncClient
    from sqlalchemy.ext.asyncio import AsyncEngine

    from fastramqpi._pytest.database import TestDatabases
    from fastramqpi.emulator import Emulator
    from fastramqpi.mo import AuthenticatedMOClient

__all__ = ["run_server", "run_test_client"]

INTEGRATION_FIXTURES = (
    "passthrough_backing_services",
    "fastramqpi_database_setup",
    "fastramqpi_database_isolation",
    "os2mo_database_snapshot_and_restore",
    "graphql_events_quick_fetch",
    "graphql_events_quick_retry",
)
"""What every integration test gets first, in this order."""

QUICK_FETCH_SECONDS = 0.2
"""``NO_EVENT_SLEEP_DURATION`` in integration tests: an idle integration looks for new events
this often instead of the default (about 2 seconds)."""

QUICK_RETRY_SECONDS = 0.9
"""How often integration tests make MO hand out failed events again."""

MO_CLIENT_TIMEOUT = 120.0
"""Seconds a request from ``mo_client`` may take, as the integration's own (``graphql_timeout``)."""

README = "the 'Integration Testing' section of FastRAMQPI's README (docs/testing.md)"

_DATABASES = pytest.StashKey["TestDatabases"]()
_EMULATOR_URL = pytest.StashKey[str]()
"""The URL of the test's own emulator, on the test's node."""
_MO_SNAPSHOTS = pytest.StashKey[set[str]]()
"""The MOs (by URL) snapshotted this session, on the config."""


def _installed(module: str) -> bool:
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


def _needs(module: str, fixture: str, package: str) -> None:
    if not _installed(module):
        pytest.fail(
            f"The `{fixture}` fixture needs {package}: pip install {package}",
            pytrace=False,
        )


# pytest-asyncio is optional: without it the async fixtures exist but fail with a message.
if _installed("pytest_asyncio"):
    import pytest_asyncio

    _async_fixture: Callable[..., Any] = pytest_asyncio.fixture
else:  # pragma: no cover - exercised only where pytest-asyncio is not installed

    def _async_fixture(fn: Callable[..., Any]) -> Any:
        name = fn.__name__

        @pytest.fixture(name=name)
        def missing() -> None:
            _needs("pytest_asyncio", name, "pytest-asyncio")

        return missing


def run_server(
    app: Any, host: str = "127.0.0.1", port: int = 0
) -> AbstractAsyncContextManager[str]:
    """``async with run_server(app) as url:`` serves ``app`` (lifespan included) on uvicorn,
    on a free port unless ``port`` names one."""
    from fastramqpi._pytest.server import run_server as run

    return run(app, host, port)


def run_test_client(
    app: Any, host: str = "127.0.0.1", port: int = 0
) -> AbstractAsyncContextManager["AsyncClient"]:
    """``async with run_test_client(app) as client:`` serves ``app``, yields an httpx client."""
    from fastramqpi._pytest.server import run_test_client as run

    return run(app, host, port)


# --- hooks ---------------------------------------------------------------------------------


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "integration_test: runs the integration against MO (or the MO emulator) and "
        "PostgreSQL, with test isolation in both",
    )
    config.addinivalue_line(
        "markers",
        'envvar(mapping): set environment variables for the test, e.g. envvar({"X": "1"}); '
        "stackable, the marker nearest the test wins",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the plugin's fixtures first, before a project's own hooks rearrange anything."""
    for item in items:
        names = getattr(item, "fixturenames", None)
        if names is None:
            continue
        if item.get_closest_marker("integration_test") is not None:
            first = [*INTEGRATION_FIXTURES, "load_marked_envvars"]
        else:
            first = ["empty_environment", "load_marked_envvars"]
        item.fixturenames = first + [n for n in names if n not in first]  # type: ignore[attr-defined]


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Report a misused marker as the test's error, before anything is set up."""
    from fastramqpi._pytest.markers import MarkerError
    from fastramqpi._pytest.markers import check_integration_test
    from fastramqpi._pytest.markers import envvars_of

    try:
        for mark in item.iter_markers("integration_test"):
            check_integration_test(mark.args, mark.kwargs)
        for mark in item.iter_markers("envvar"):
            envvars_of(mark.args, mark.kwargs)
    except MarkerError as error:
        pytest.fail(str(error), pytrace=False)


# --- environment ---------------------------------------------------------------------------


@pytest.fixture
def empty_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Clear the environment (but PATH, HOME, locale and temp dirs) for the test."""
    from fastramqpi._pytest.environment import essentials

    keep = essentials(os.environ)
    for name in list(os.environ):
        if name not in keep:
            monkeypatch.delenv(name)


@pytest.fixture
def load_marked_envvars(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """Set what the test's ``envvar`` markers ask for; returns those variables."""
    from fastramqpi._pytest.markers import merged_envvars

    marks = request.node.iter_markers("envvar")
    variables = merged_envvars((m.args, m.kwargs) for m in marks)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return variables


# --- the integration under test ------------------------------------------------------------


@pytest.fixture
def app() -> Any:
    """The integration's app; every project overrides this fixture."""
    pytest.fail(
        "Override the `app` fixture in your conftest.py to return your integration's "
        f"FastAPI app, e.g. `return create_app()`; see {README}.",
        pytrace=False,
    )


@pytest.fixture
def server_port() -> int:
    """The port the ``server`` fixture serves on: 0, any free one, so suites run side by
    side; override it to pin one."""
    return 0


@_async_fixture
async def server(
    app: Any, server_port: int, request: pytest.FixtureRequest
) -> AsyncIterator[str]:
    """The app served by uvicorn on 127.0.0.1, start-up and shutdown included; yields its URL."""
    from fastramqpi._pytest.server import run_server as run

    databases = request.node.stash.get(_DATABASES, None)
    if databases is not None:
        _prime_template(app, databases)
    async with run(app, "127.0.0.1", server_port) as url:
        yield url


@_async_fixture
async def test_client(server: str) -> AsyncIterator["AsyncClient"]:
    """An httpx client for the running ``server``."""
    import httpx

    from fastramqpi._pytest.server import TEST_CLIENT_TIMEOUT
    from fastramqpi._pytest.server import on_this_loop

    async with httpx.AsyncClient(
        base_url=server,
        timeout=TEST_CLIENT_TIMEOUT,
        event_hooks={"request": [on_this_loop()]},
    ) as client:
        yield client


def _prime_template(app: Any, databases: "TestDatabases") -> None:
    """Migrate the template with the app's schema (once), so each test only copies it."""
    from fastramqpi._pytest.server import app_databases

    for db in app_databases(app):
        if db.url.database == databases.test:
            databases.prime(db.metadata, db.migrations)


# --- MO ------------------------------------------------------------------------------------


@pytest.fixture
def mo_emulator(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator["Emulator"]:
    """FastRAMQPI's MO emulator on a free port, with the settings pointed at it.

    Sets ``FASTRAMQPI__MO_URL``, ``FASTRAMQPI__AUTH_SERVER`` and ``FASTRAMQPI__AUTH_TOKEN_URL``,
    and a client id and secret unless already set.
    """
    from fastramqpi.emulator import Emulator
    from fastramqpi.emulator import serve_emulator

    emulator = Emulator()
    with serve_emulator(emulator) as emu:
        request.node.stash[_EMULATOR_URL] = emu.url
        monkeypatch.setenv("FASTRAMQPI__MO_URL", emu.url)
        monkeypatch.setenv("FASTRAMQPI__AUTH_SERVER", f"{emu.url}/auth")
        monkeypatch.setenv("FASTRAMQPI__AUTH_TOKEN_URL", emu.token_url)
        for name, value in (
            ("CLIENT_ID", "fastramqpi-test"),
            ("CLIENT_SECRET", "test"),
        ):
            if not os.environ.get(f"FASTRAMQPI__{name}"):
                monkeypatch.setenv(f"FASTRAMQPI__{name}", value)
        yield emu


@pytest.fixture
def os2mo_url(request: pytest.FixtureRequest) -> str:
    """The MO integration tests use: ``FASTRAMQPI__MO_URL``, the default MO if its host
    exists (OS2mo's CI template), else the emulator."""
    from fastramqpi._pytest.environment import mo_environment
    from fastramqpi._pytest.environment import real_mo_configured

    if "mo_emulator" in request.fixturenames or not real_mo_configured(os.environ):
        request.getfixturevalue("mo_emulator")
    return mo_environment(os.environ).url


@_async_fixture
async def mo_client() -> AsyncIterator["AuthenticatedMOClient"]:
    """An authenticated client for MO, made from the settings in the environment.

    ``f"{mo_client.base_url}/graphql/v25"`` works as it did with FastRAMQPI 12-17, although
    httpx's ``base_url`` ends with a slash.
    """
    from fastramqpi._pytest.environment import mo_environment
    from fastramqpi.mo import AuthenticatedMOClient

    env = mo_environment(os.environ)
    if env.client_id is None or env.client_secret is None:
        pytest.fail(
            "The `mo_client` fixture needs FASTRAMQPI__CLIENT_ID and FASTRAMQPI__CLIENT_SECRET "
            "(or use it in an integration test, which points them at the MO emulator)",
            pytrace=False,
        )
    client = AuthenticatedMOClient(
        base_url=env.url,
        client_id=env.client_id,
        client_secret=env.client_secret,
        token_url=env.token_url,
        timeout=MO_CLIENT_TIMEOUT,
    )
    client.event_hooks["request"].append(_collapse_leading_slashes)
    async with client:
        yield client


async def _collapse_leading_slashes(request: Any) -> None:
    path = request.url.path
    if path.startswith("//"):
        request.url = request.url.copy_with(path="/" + path.lstrip("/"))


@_async_fixture
async def unauthenticated_mo_client() -> AsyncIterator["AsyncClient"]:
    """An httpx client for MO without a token."""
    import httpx

    from fastramqpi._pytest.environment import mo_environment

    env = mo_environment(os.environ)
    async with httpx.AsyncClient(
        base_url=env.url,
        timeout=MO_CLIENT_TIMEOUT,
        event_hooks={"request": [_collapse_leading_slashes]},
    ) as client:
        yield client


# --- integration-test isolation ------------------------------------------------------------


@pytest.fixture
def passthrough_backing_services(request: pytest.FixtureRequest) -> Iterator[Any]:
    """respx mocks every other HTTP request, but lets MO, the token server and loopback by.

    Tests add their own routes to the same ``respx_mock``. Without respx, nothing to do.
    """
    if not _installed("respx"):
        yield None
        return
    import respx

    from fastramqpi._pytest.environment import mo_environment

    hosts = {"127.0.0.1", "localhost", "mo-service", "keycloak-service"}
    hosts.update(mo_environment(os.environ).hosts)
    if request.config.pluginmanager.has_plugin("respx"):
        router = request.getfixturevalue("respx_mock")
        _pass_through(router, hosts)
        yield router
        return
    with respx.mock as router:
        _pass_through(router, hosts)
        yield router


def _pass_through(router: Any, hosts: set[str]) -> None:
    for host in sorted(hosts):
        router.route(host=host, name=f"fastramqpi-passthrough-{host}").pass_through()


@pytest.fixture(scope="session")
def superuser() -> Iterator["AsyncEngine"]:
    """An engine on the database server (maintenance database, autocommit, no pooling).

    ``async with superuser.connect() as c: await c.execute(text(...))`` works from any event
    loop, so the fixture can be session-scoped whatever loop scope the tests use.
    """
    _needs("sqlalchemy", "superuser", "sqlalchemy")
    from fastramqpi._pytest.database import configured_url
    from fastramqpi._pytest.database import superuser_engine
    from fastramqpi._pytest.environment import database_configured

    if not database_configured(os.environ):
        pytest.fail(
            "The `superuser` fixture needs FASTRAMQPI__DATABASE__HOST (and USER, PASSWORD) or "
            "FASTRAMQPI__DATABASE__URL in the environment",
            pytrace=False,
        )
    engine = superuser_engine(configured_url(os.environ))
    yield engine
    from fastramqpi._pytest.database import run

    run(engine.dispose)


@pytest.fixture(scope="session")
def fastramqpi_database_setup() -> Iterator["TestDatabases | None"]:
    """The session's template database, or None when the tests use no PostgreSQL."""
    from fastramqpi._pytest.environment import database_configured

    if not database_configured(os.environ):
        yield None
        return
    from fastramqpi._pytest.database import TestDatabases
    from fastramqpi._pytest.database import configured_url

    url = configured_url(os.environ)
    if url.get_backend_name() != "postgresql":
        yield None
        return
    databases = TestDatabases(url)
    try:
        databases.create_template()
    except Exception as error:
        pytest.fail(
            f"Cannot create the test template database on {databases.describe()}: "
            f"{type(error).__name__}: {error}",
            pytrace=False,
        )
    yield databases
    databases.drop_all()


@pytest.fixture
def fastramqpi_database_isolation(
    fastramqpi_database_setup: "TestDatabases | None",
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[str | None]:
    """A fresh copy of the template for this test; the settings point at it. Yields its name."""
    databases = fastramqpi_database_setup
    if databases is None:
        yield None
        return
    databases.copy_template()
    if os.environ.get("FASTRAMQPI__DATABASE__URL"):
        url = databases.test_url.render_as_string(hide_password=False)
        monkeypatch.setenv("FASTRAMQPI__DATABASE__URL", url)
    else:
        monkeypatch.setenv("FASTRAMQPI__DATABASE__NAME", databases.test)
    request.node.stash[_DATABASES] = databases
    yield databases.test
    del request.node.stash[_DATABASES]
    databases.drop_copy()


@pytest.fixture
def os2mo_database_snapshot_and_restore(
    request: pytest.FixtureRequest, os2mo_url: str
) -> Iterator[None]:
    """MO is as the session found it, before every test and after it.

    MO is snapshotted once per session, before the first test that uses it, and restored
    after every test: one copy of MO's database per test instead of two. The test's own
    emulator is thrown away afterwards, so it is neither snapshotted nor restored.
    """
    from fastramqpi._pytest.mo import TestingAPIError
    from fastramqpi._pytest.mo import call_testing_api

    if request.node.stash.get(_EMULATOR_URL, None) == os2mo_url:
        yield
        return
    snapshotted = request.config.stash.setdefault(_MO_SNAPSHOTS, set())
    try:
        if os2mo_url not in snapshotted:
            call_testing_api(os2mo_url, "database/snapshot")
            snapshotted.add(os2mo_url)
        yield
        call_testing_api(os2mo_url, "database/restore")
    except TestingAPIError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture
def graphql_events_quick_fetch(monkeypatch: pytest.MonkeyPatch) -> None:
    """Idle listeners look for events every 0.2 s instead of about every 2 s."""
    events = importlib.import_module("fastramqpi.events")
    monkeypatch.setattr(events, "NO_EVENT_SLEEP_DURATION", QUICK_FETCH_SECONDS)


@pytest.fixture
def graphql_events_quick_retry(os2mo_url: str) -> Iterator[None]:
    """Events a handler failed come back within a second instead of after MO's 3 minutes."""
    from fastramqpi._pytest.mo import QuickRetry

    with QuickRetry(os2mo_url, QUICK_RETRY_SECONDS):
        yield
