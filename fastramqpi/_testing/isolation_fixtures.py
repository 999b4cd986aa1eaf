# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""What keeps integration tests apart and quick: HTTP mocked but for the backing services, MO
restored after each test, events fetched and retried quickly."""

import importlib
import os
from collections.abc import Iterator
from typing import Any

import pytest

from fastramqpi._testing.support import EMULATOR_URL
from fastramqpi._testing.support import MO_SNAPSHOTS
from fastramqpi._testing.support import installed

QUICK_FETCH_SECONDS = 0.2
"""``NO_EVENT_SLEEP_DURATION`` in integration tests: an idle integration looks for new events
this often instead of the default (about 2 seconds)."""

QUICK_RETRY_SECONDS = 0.9
"""How often integration tests make MO hand out failed events again."""

_ALWAYS_THROUGH = frozenset(
    {"127.0.0.1", "localhost", "mo-service", "keycloak-service"}
)


@pytest.fixture
def passthrough_backing_services(request: pytest.FixtureRequest) -> Iterator[Any]:
    """respx mocks every other HTTP request, but lets MO, the token server and loopback by.

    Tests add their own routes to the same ``respx_mock``. Without respx, nothing to do.
    """
    if not installed("respx"):
        yield None
        return
    import respx

    from fastramqpi._testing.environment import mo_environment

    hosts = _ALWAYS_THROUGH.union(mo_environment(os.environ).hosts)
    if request.config.pluginmanager.has_plugin("respx"):
        router = request.getfixturevalue("respx_mock")
        _pass_through(router, hosts)
        yield router
        return
    with respx.mock as router:
        _pass_through(router, hosts)
        yield router


def _pass_through(router: Any, hosts: frozenset[str]) -> None:
    for host in sorted(hosts):
        router.route(host=host, name=f"fastramqpi-passthrough-{host}").pass_through()


@pytest.fixture
def os2mo_database_snapshot_and_restore(
    request: pytest.FixtureRequest, os2mo_url: str
) -> Iterator[None]:
    """MO is as the session found it, before every test and after it.

    MO is snapshotted once per session, before the first test that uses it, and restored
    after every test: one copy of MO's database per test instead of two. The test's own
    emulator is thrown away afterwards, so it is neither snapshotted nor restored.
    """
    from fastramqpi._testing.mo import TestingAPIError
    from fastramqpi._testing.mo import call_testing_api

    if request.node.stash.get(EMULATOR_URL, None) == os2mo_url:
        yield
        return
    snapshotted = request.config.stash.setdefault(MO_SNAPSHOTS, set())
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
    from fastramqpi._testing.mo import QuickRetry

    with QuickRetry(os2mo_url, QUICK_RETRY_SECONDS):
        yield
