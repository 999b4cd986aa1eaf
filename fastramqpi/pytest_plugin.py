# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""FastRAMQPI's pytest plugin, loaded in every project that installs FastRAMQPI.

Integration tests (``@pytest.mark.integration_test``) run the integration for real against
MO (or the MO emulator) and PostgreSQL, and get, first and in this order: respx letting the
backing services through, a fresh copy of a migrated template database, MO restored after
each test to how the session found it, quick event fetching and quick retries of failed
events. Unit tests get an empty environment, so a developer's shell or a CI job's variables
cannot leak into them.

This module holds the hooks and gathers the fixtures (pytest registers every fixture a plugin
module has, imported ones included) from ``fastramqpi._testing``. Loading it imports nothing
beyond pytest (and pytest-asyncio, itself a loaded plugin where installed): respx, httpx,
uvicorn and SQLAlchemy are imported by the fixtures that use them, and a fixture whose
library is missing says so when it is used.
"""

from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING
from typing import Any

import pytest

from fastramqpi._testing.app_fixtures import app
from fastramqpi._testing.app_fixtures import server
from fastramqpi._testing.app_fixtures import server_port
from fastramqpi._testing.app_fixtures import test_client
from fastramqpi._testing.database_fixtures import fastramqpi_database_isolation
from fastramqpi._testing.database_fixtures import fastramqpi_database_setup
from fastramqpi._testing.database_fixtures import superuser
from fastramqpi._testing.environment_fixtures import empty_environment
from fastramqpi._testing.environment_fixtures import load_marked_envvars
from fastramqpi._testing.isolation_fixtures import graphql_events_quick_fetch
from fastramqpi._testing.isolation_fixtures import graphql_events_quick_retry
from fastramqpi._testing.isolation_fixtures import os2mo_database_snapshot_and_restore
from fastramqpi._testing.isolation_fixtures import passthrough_backing_services
from fastramqpi._testing.markers import DECLARATIONS
from fastramqpi._testing.markers import ENVVAR
from fastramqpi._testing.markers import INTEGRATION_TEST
from fastramqpi._testing.markers import MarkerError
from fastramqpi._testing.markers import check_integration_test
from fastramqpi._testing.markers import envvars_of
from fastramqpi._testing.mo_fixtures import mo_client
from fastramqpi._testing.mo_fixtures import mo_emulator
from fastramqpi._testing.mo_fixtures import os2mo_url
from fastramqpi._testing.mo_fixtures import unauthenticated_mo_client
from fastramqpi._testing.support import EMULATOR_REASON

if TYPE_CHECKING:
    from httpx import AsyncClient

__all__ = ["run_server", "run_test_client"]

FIXTURES = (
    app,
    empty_environment,
    fastramqpi_database_isolation,
    fastramqpi_database_setup,
    graphql_events_quick_fetch,
    graphql_events_quick_retry,
    load_marked_envvars,
    mo_client,
    mo_emulator,
    os2mo_database_snapshot_and_restore,
    os2mo_url,
    passthrough_backing_services,
    server,
    server_port,
    superuser,
    test_client,
    unauthenticated_mo_client,
)
"""Every fixture the plugin gives, registered because this module has them."""

INTEGRATION_FIXTURES = (
    "passthrough_backing_services",
    "fastramqpi_database_setup",
    "fastramqpi_database_isolation",
    "os2mo_database_snapshot_and_restore",
    "graphql_events_quick_fetch",
    "graphql_events_quick_retry",
)
"""What every integration test gets first, in this order."""


def run_server(
    app: Any, host: str = "127.0.0.1", port: int = 0
) -> AbstractAsyncContextManager[str]:
    """``async with run_server(app) as url:`` serves ``app`` (lifespan included) on uvicorn,
    on a free port unless ``port`` names one."""
    from fastramqpi._testing.server import run_server as run

    return run(app, host, port)


def run_test_client(
    app: Any, host: str = "127.0.0.1", port: int = 0
) -> AbstractAsyncContextManager["AsyncClient"]:
    """``async with run_test_client(app) as client:`` serves ``app``, yields an httpx client."""
    from fastramqpi._testing.server import run_test_client as run

    return run(app, host, port)


def pytest_configure(config: pytest.Config) -> None:
    for declaration in DECLARATIONS:
        config.addinivalue_line("markers", declaration)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the plugin's fixtures first, before a project's own hooks rearrange anything."""
    for item in items:
        names = getattr(item, "fixturenames", None)
        if names is None:
            continue
        if item.get_closest_marker(INTEGRATION_TEST) is not None:
            first = [*INTEGRATION_FIXTURES, "load_marked_envvars"]
        else:
            first = ["empty_environment", "load_marked_envvars"]
        item.fixturenames = first + [n for n in names if n not in first]  # type: ignore[attr-defined]


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Report a misused marker as the test's error, before anything is set up."""
    try:
        for mark in item.iter_markers(INTEGRATION_TEST):
            check_integration_test(mark.args, mark.kwargs)
        for mark in item.iter_markers(ENVVAR):
            envvars_of(mark.args, mark.kwargs)
    except MarkerError as error:
        pytest.fail(str(error), pytrace=False)


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    """Say why integration tests ran on the emulator when no real MO was found, once."""
    reason = config.stash.get(EMULATOR_REASON, None)
    if reason is not None:
        terminalreporter.write_line(
            f"fastramqpi: integration tests used the MO emulator: {reason}"
        )
