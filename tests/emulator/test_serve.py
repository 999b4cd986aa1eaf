# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
import socket

import httpx
import pytest

from fastramqpi.emulator import Emulator
from fastramqpi.emulator import FakeClock
from fastramqpi.emulator import serve_emulator


async def test_serve_emulator_works_from_async_tests() -> None:
    emulator = Emulator(clock=FakeClock())
    with serve_emulator(emulator) as emu:
        assert emu is emulator
        assert emu.url.startswith("http://127.0.0.1:")
        assert (
            emu.token_url == f"{emu.url}/auth/realms/mo/protocol/openid-connect/token"
        )
        async with httpx.AsyncClient() as client:
            token = (
                await client.post(
                    emu.token_url,
                    data={"grant_type": "client_credentials"},
                    auth=("a", "b"),
                )
            ).json()["access_token"]
            response = await client.post(
                f"{emu.url}/graphql/v30",
                json={"query": "{ version { mo_version } }"},
                headers={"Authorization": f"Bearer {token}"},
            )
        assert response.json() == {"data": {"version": {"mo_version": "30.0.0"}}}


def test_the_port_is_released_after_the_block() -> None:
    with serve_emulator(Emulator()) as emu:
        url = emu.url
    port = int(url.rsplit(":", 1)[1])
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))  # free again: nothing of the emulator holds it
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{url}/graphql/v30/schema.graphql")
    with pytest.raises(RuntimeError):
        _ = emu.url


def test_the_realm_is_configurable() -> None:
    with serve_emulator(Emulator(realm="os2mo")) as emu:
        assert "/realms/os2mo/" in emu.token_url
        response = httpx.post(
            emu.token_url,
            data={
                "grant_type": "client_credentials",
                "client_id": "a",
                "client_secret": "b",
            },
        )
        assert response.status_code == 200
