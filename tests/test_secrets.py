# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Secrets reach no log line, repr or response, not even a crashing handler's traceback."""

import asyncio
import socket

import httpx
import pytest
import structlog
from pydantic import ValidationError
from sqlalchemy import MetaData

from fastramqpi.config import Settings
from fastramqpi.main import FastRAMQPI
from tests.servers import serve

CLIENT_SECRET = "cl13nt-s3cr3t-7d1e"
DB_PASSWORD = "db-pa55w0rd-a9c4"
SECRETS = (CLIENT_SECRET, DB_PASSWORD)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _settings() -> Settings:
    """Every dependency unreachable, so clients log their failures at DEBUG."""
    down = f"http://127.0.0.1:{_closed_port()}"
    return Settings(
        client_id="secret-test",
        client_secret=CLIENT_SECRET,
        mo_url=down,
        auth_token_url=f"{down}/token",
        log_level="DEBUG",
        database={
            "user": "postgres",
            "password": DB_PASSWORD,
            "host": "127.0.0.1",
            "port": _closed_port(),
            "name": "secret_test",
        },
    )


def _assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


def test_settings_repr_and_dump_hide_secrets() -> None:
    settings = _settings()
    _assert_no_secret(repr(settings))
    _assert_no_secret(str(settings))
    _assert_no_secret(settings.model_dump_json())
    _assert_no_secret(repr(settings.model_dump()))


def test_validation_errors_hide_secrets() -> None:
    with pytest.raises(ValidationError) as error:
        Settings(client_id="x", client_secret=CLIENT_SECRET, mo_url="not a url")
    _assert_no_secret(str(error.value))
    _assert_no_secret(repr(error.value.errors()))


async def test_no_secret_in_logs_or_responses(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    fastramqpi = FastRAMQPI(
        "secret-test", _settings(), graphql_version=25, database_metadata=MetaData()
    )
    settings = fastramqpi.settings
    app = fastramqpi.get_app()
    logger = structlog.stdlib.get_logger()

    @app.get("/crash")
    async def crash() -> None:
        client_secret = settings.client_secret.get_secret_value()
        password = settings.database.password.get_secret_value()  # type: ignore[union-attr]
        raise RuntimeError(
            f"refused after {len(client_secret) + len(password)} characters"
        )

    @app.get("/log-settings")
    async def log_settings() -> dict[str, str]:
        logger.info("Running with", settings=settings, context=fastramqpi.get_context())
        return {"settings": repr(settings)}

    responses = []
    async with serve(app) as url, httpx.AsyncClient(base_url=url) as client:
        for path in ("/", "/health/ready", "/health/live", "/crash", "/log-settings"):
            responses.append(await client.get(path))
        responses.append(await client.get("/openapi.json"))
        responses.append(await client.get("/docs"))
        responses.append(await client.get("/metrics"))
        await asyncio.sleep(0.2)  # let background retries log a failure or two

    assert [r.status_code for r in responses[:4]] == [200, 503, 200, 500]
    for response in responses:
        _assert_no_secret(response.text)
        _assert_no_secret(repr(response.headers))
    _assert_no_secret(repr(fastramqpi.get_context()))

    captured = capsys.readouterr()
    logs = captured.err + captured.out + caplog.text
    assert "refused after 34 characters" in logs
    assert "Running with" in logs
    _assert_no_secret(logs)
