# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The MO tests talk to, real or emulated, and clients for it."""

import os
from collections.abc import AsyncIterator
from collections.abc import Iterator
from typing import TYPE_CHECKING
from typing import Any

import pytest

from fastramqpi._testing.support import EMULATOR_REASON
from fastramqpi._testing.support import EMULATOR_URL
from fastramqpi._testing.support import async_fixture

if TYPE_CHECKING:
    from httpx import AsyncClient

    from fastramqpi.emulator import Emulator
    from fastramqpi.mo import AuthenticatedMOClient

MO_CLIENT_TIMEOUT = 120.0
"""Seconds a request from ``mo_client`` may take, as the integration's own (``graphql_timeout``)."""

_EMULATOR_CLIENT = {"CLIENT_ID": "fastramqpi-test", "CLIENT_SECRET": "test"}
"""The client the emulator's settings get unless the environment names one."""


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

    with serve_emulator(Emulator()) as emu:
        request.node.stash[EMULATOR_URL] = emu.url
        monkeypatch.setenv("FASTRAMQPI__MO_URL", emu.url)
        monkeypatch.setenv("FASTRAMQPI__AUTH_SERVER", f"{emu.url}/auth")
        monkeypatch.setenv("FASTRAMQPI__AUTH_TOKEN_URL", emu.token_url)
        for name, value in _EMULATOR_CLIENT.items():
            if not os.environ.get(f"FASTRAMQPI__{name}"):
                monkeypatch.setenv(f"FASTRAMQPI__{name}", value)
        yield emu


@pytest.fixture
def os2mo_url(request: pytest.FixtureRequest) -> str:
    """The MO integration tests use: ``FASTRAMQPI__MO_URL``, the default MO if its host
    exists (OS2mo's CI template), else the emulator."""
    from fastramqpi._testing.environment import emulator_reason
    from fastramqpi._testing.environment import mo_environment

    if "mo_emulator" in request.fixturenames:
        request.getfixturevalue("mo_emulator")
    elif (reason := emulator_reason(os.environ)) is not None:
        request.config.stash[EMULATOR_REASON] = reason
        request.getfixturevalue("mo_emulator")
    return mo_environment(os.environ).url


@async_fixture
async def mo_client() -> AsyncIterator["AuthenticatedMOClient"]:
    """An authenticated client for MO, made from the settings in the environment.

    ``f"{mo_client.base_url}/graphql/v25"`` works as it did with FastRAMQPI 12-17, although
    httpx's ``base_url`` ends with a slash.
    """
    from fastramqpi._testing.environment import mo_environment
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


@async_fixture
async def unauthenticated_mo_client() -> AsyncIterator["AsyncClient"]:
    """An httpx client for MO without a token."""
    import httpx

    from fastramqpi._testing.environment import mo_environment

    env = mo_environment(os.environ)
    async with httpx.AsyncClient(
        base_url=env.url,
        timeout=MO_CLIENT_TIMEOUT,
        event_hooks={"request": [_collapse_leading_slashes]},
    ) as client:
        yield client


async def _collapse_leading_slashes(request: Any) -> None:
    path = request.url.path
    if path.startswith("//"):
        request.url = request.url.copy_with(path="/" + path.lstrip("/"))
