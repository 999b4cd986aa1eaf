# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""compose.yaml configures the example the way FastRAMQPI reads its settings."""

import shlex
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).parents[1]
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
SERVICES: dict[str, Any] = COMPOSE["services"]
INTEGRATION = SERVICES["my_integration"]["environment"]

sys.path.insert(0, str(ROOT / "examples"))
from my_integration.config import Settings  # noqa: E402


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The example's settings, read from exactly the environment compose gives it."""
    for name, value in INTEGRATION.items():
        monkeypatch.setenv(name, value)
    return Settings()


def _command(service: str) -> list[str]:
    command = SERVICES[service].get("command", [])
    return shlex.split(command) if isinstance(command, str) else list(command)


def _option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def test_every_fastramqpi_variable_is_a_setting(settings: Settings) -> None:
    # FastRAMQPI's settings forbid unknown fields: a misspelt variable would fail above.
    names = [n for n in INTEGRATION if n.startswith("FASTRAMQPI__")]
    assert names
    assert settings.fastramqpi.client_id == INTEGRATION["FASTRAMQPI__CLIENT_ID"]
    assert settings.fastramqpi.database is not None
    assert (
        settings.fastramqpi.database.host == INTEGRATION["FASTRAMQPI__DATABASE__HOST"]
    )


def test_mo_and_the_token_server_are_the_emulator_service(settings: Settings) -> None:
    mo = urlsplit(str(settings.fastramqpi.mo_url))
    token = urlsplit(settings.fastramqpi.token_url)
    emulator = _command("mo")
    assert emulator[:3] == ["python", "-m", "fastramqpi.emulator"]
    assert mo.hostname == token.hostname == "mo"
    assert mo.port == token.port == int(_option(emulator, "--port"))
    assert _option(emulator, "--host") == "0.0.0.0"
    realm = _option(emulator, "--realm") if "--realm" in emulator else "mo"
    assert token.path == f"/auth/realms/{realm}/protocol/openid-connect/token"
    assert "mo" in SERVICES["my_integration"]["depends_on"]


def test_the_database_is_the_postgres_service(settings: Settings) -> None:
    database = settings.fastramqpi.database
    assert database is not None
    assert database.password is not None
    db = SERVICES[database.host or ""]
    assert db["image"].startswith("postgres:")
    assert db["environment"]["POSTGRES_USER"] == database.user
    assert (
        db["environment"]["POSTGRES_PASSWORD"] == database.password.get_secret_value()
    )
    assert db["environment"]["POSTGRES_DB"] == database.name
    assert database.host in SERVICES["my_integration"]["depends_on"]


def test_ports_are_published_on_loopback_only() -> None:
    for name, service in SERVICES.items():
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), (
                f"{name} publishes {port} to the network"
            )
