# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic_settings import BaseSettings
from pydantic_settings import SettingsConfigDict

from fastramqpi import dap
from fastramqpi.config import Settings
from fastramqpi.main import FastRAMQPI


def _fastramqpi(**settings: Any) -> FastRAMQPI:
    return FastRAMQPI(
        application_name="dap-test",
        settings=Settings(client_id="id", client_secret="secret", **settings),
        graphql_version=25,
    )


class IntegrationSettings(BaseSettings):
    model_config = SettingsConfigDict(env_nested_delimiter="__")

    fastramqpi: Settings


def _integration(monkeypatch: pytest.MonkeyPatch) -> FastRAMQPI:
    """Built as an integration does: nested settings, where only ``dap`` reads ``DAP``."""
    monkeypatch.setenv("FASTRAMQPI__CLIENT_ID", "id")
    monkeypatch.setenv("FASTRAMQPI__CLIENT_SECRET", "secret")
    return FastRAMQPI("dap-test", IntegrationSettings().fastramqpi, graphql_version=25)


@pytest.fixture
def listen_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Record ``debugpy.listen`` calls instead of starting a debug server."""
    import debugpy

    calls: list[tuple[str, int]] = []
    monkeypatch.setattr(debugpy, "listen", calls.append)
    monkeypatch.setattr(dap, "_listening", False)
    monkeypatch.delenv("DAP", raising=False)
    return calls


def _python(code: str, **env: str) -> str:
    environ = {k: v for k, v in os.environ.items() if k != "DAP"}
    environ.update(PYDEVD_DISABLE_FILE_VALIDATION="1", **env)
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=environ,
        cwd=Path(__file__).parent.parent,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_debugpy_is_not_imported_unless_enabled() -> None:
    out = _python(
        "import sys\n"
        "from fastramqpi.config import Settings\n"
        "from fastramqpi.main import FastRAMQPI\n"
        "FastRAMQPI('x', Settings(client_id='id', client_secret='s'), graphql_version=25)\n"
        "print('debugpy' in sys.modules)\n"
    )
    assert out.strip() == "False"


@pytest.mark.parametrize("value", ["true", "True", "1", "yes", "on"])
def test_plain_dap_variable_enables_debugging(
    listen_calls: list[tuple[str, int]], monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("DAP", value)
    _integration(monkeypatch)
    assert listen_calls == [("0.0.0.0", 5678)]


def test_dap_setting_enables_debugging(listen_calls: list[tuple[str, int]]) -> None:
    _fastramqpi(dap=True)
    assert listen_calls == [("0.0.0.0", 5678)]


@pytest.mark.parametrize("value", ["false", "0", "no", "off"])
def test_false_dap_variable_does_not(
    listen_calls: list[tuple[str, int]], monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("DAP", value)
    _integration(monkeypatch)
    assert listen_calls == []


def test_a_bad_dap_variable_fails_start_up_naming_it(
    listen_calls: list[tuple[str, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DAP", "sometimes")
    with pytest.raises(ValueError, match="DAP"):
        _integration(monkeypatch)
    assert listen_calls == []


def test_several_apps_share_one_debug_server(
    listen_calls: list[tuple[str, int]],
) -> None:
    _fastramqpi(dap=True)
    _fastramqpi(dap=True)
    assert len(listen_calls) == 1


def test_a_debugger_can_connect() -> None:
    """A real debug server, in a child process that takes it down when it exits."""
    out = _python(
        "import socket\n"
        "import debugpy\n"
        "from fastramqpi import dap\n"
        "from fastramqpi.config import Settings\n"
        "listening = []\n"
        "listen = debugpy.listen\n"  # port 0: the debug server takes a free port, and says which
        "debugpy.listen = lambda address: listening.append(listen(address))\n"
        "settings = Settings(client_id='id', client_secret='s', dap=True)\n"
        "assert dap.start(settings, ('127.0.0.1', 0))\n"
        "socket.create_connection(listening[0], timeout=10).close()\n"
        "print('connected')\n"
    )
    assert out.strip().splitlines()[-1] == "connected"
