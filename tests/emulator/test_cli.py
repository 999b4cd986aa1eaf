# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

import fastramqpi.emulator.__main__ as cli
from fastramqpi.emulator import Emulator

ROOT = Path(__file__).parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def _emulator_process(*args: str) -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "fastramqpi.emulator", "--port", str(port), *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(f"{url}/graphql/v30/schema.graphql")
                break
            except httpx.TransportError:
                assert process.poll() is None, "the emulator exited"
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def _token(url: str, client_id: str, secret: str) -> httpx.Response:
    return httpx.post(
        f"{url}/auth/realms/mo/protocol/openid-connect/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": secret,
        },
    )


def test_help_states_the_defaults() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "fastramqpi.emulator", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    for fact in [
        "--port",
        "--client ID:SECRET",
        "--token-lifetime",
        "any client id",
        "non-empty secret",
        "300",
        "every client has every role",
        "--roles ID=ROLE,ROLE",
        "--no-contention",
        "/testing/events/emit",
        'namespace "mo" exists',
        "in memory",
    ]:
        assert fact in result.stdout


def test_the_command_serves_graphql_and_tokens() -> None:
    with _emulator_process() as url:
        token = _token(url, "demo", "secret").json()["access_token"]
        emitted = httpx.post(
            f"{url}/testing/events/emit", json={"routing_key": "person", "subject": "p"}
        )
        assert emitted.status_code == 204
        response = httpx.post(
            f"{url}/graphql/v25",
            json={"query": "{ version { mo_version mo_hash } }"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 200
        assert response.json()["data"]["version"]["mo_version"]


def test_client_option_switches_to_a_fixed_registry() -> None:
    with _emulator_process("--client", "sync:pw", "--token-lifetime", "120") as url:
        accepted = _token(url, "sync", "pw")
        assert accepted.status_code == 200
        assert accepted.json()["expires_in"] == 120
        assert _token(url, "sync", "wrong").status_code == 401
        assert _token(url, "other", "pw").status_code == 401


def test_roles_option_takes_roles_from_a_client() -> None:
    with _emulator_process("--roles", "sync=fetch_event,acknowledge_event") as url:
        token = _token(url, "sync", "pw").json()["access_token"]
        response = httpx.post(
            f"{url}/graphql/v30",
            json={"query": "{ events { objects { subject } } }"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 200
        assert response.json()["data"] is None
        assert response.json()["errors"]


def test_an_unknown_role_fails_at_start_naming_it() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "fastramqpi.emulator", "--roles", "sync=read_evnt"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "read_evnt" in result.stderr


def test_no_contention_turns_the_claim_race_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made: list[Emulator] = []

    def record(**options: Any) -> Emulator:
        made.append(Emulator(**options))
        return made[-1]

    monkeypatch.setattr(cli, "Emulator", record)
    monkeypatch.setattr(cli.uvicorn, "run", lambda *args, **kwargs: None)
    cli.main(["--no-contention"])
    assert made[0].contention.enabled is False
    cli.main([])
    assert made[1].contention.enabled is True
