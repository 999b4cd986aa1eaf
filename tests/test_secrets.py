# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Secrets reach no log line, repr or response, not even a crashing handler's traceback."""

from collections.abc import Iterator

import httpx
import pytest
import structlog
from pydantic import ValidationError
from sqlalchemy import MetaData

from fastramqpi.config import Settings
from fastramqpi.main import FastRAMQPI
from tests.servers import closed_port
from tests.servers import serve
from tests.waiting import until

CLIENT_SECRET = "cl13nt-s3cr3t-7d1e"
DB_PASSWORD = "db-pa55w0rd-a9c4"
SECRETS = (CLIENT_SECRET, DB_PASSWORD)


@pytest.fixture
def down() -> Iterator[int]:
    """A port where nothing answers, for every dependency, held for the test."""
    with closed_port() as port:
        yield port


def _settings(port: int) -> Settings:
    """Every dependency unreachable, so clients log their failures at DEBUG."""
    down = f"http://127.0.0.1:{port}"
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
            "port": port,
            "name": "secret_test",
        },
    )


def _assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


def test_settings_repr_and_dump_hide_secrets(down: int) -> None:
    settings = _settings(down)
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
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture, down: int
) -> None:
    fastramqpi = FastRAMQPI(
        "secret-test", _settings(down), graphql_version=25, database_metadata=MetaData()
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
        # The database's background retries log their failure too.
        output: list[str] = []

        def retry_logged() -> bool:
            captured = capsys.readouterr()
            output.extend((captured.err, captured.out))
            return "Cannot bring the database schema up to date" in "".join(output)

        await until(retry_logged)

    assert [r.status_code for r in responses[:4]] == [200, 503, 200, 500]
    for response in responses:
        _assert_no_secret(response.text)
        _assert_no_secret(repr(response.headers))
    _assert_no_secret(repr(fastramqpi.get_context()))

    captured = capsys.readouterr()
    logs = "".join(output) + captured.err + captured.out + caplog.text
    assert "refused after 34 characters" in logs
    assert "Running with" in logs
    _assert_no_secret(logs)
