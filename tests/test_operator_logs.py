# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The log lines an operator reads: what the integration talks to, and nothing secret."""

import json
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import MetaData
from starlette.testclient import TestClient
from structlog.testing import capture_logs

from fastramqpi import log
from fastramqpi.config import Settings
from fastramqpi.emulator import Emulator
from fastramqpi.emulator import serve_emulator
from fastramqpi.events import GraphQLEvents
from fastramqpi.events import Listener
from fastramqpi.main import FastRAMQPI
from tests.servers import serve

CLIENT_SECRET = "cl13nt-s3cr3t-5e2b"
DB_PASSWORD = "db-pa55w0rd-77f1"
URL_PASSWORD = "url-pa55-0c3d"
SECRETS = (CLIENT_SECRET, DB_PASSWORD, URL_PASSWORD)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _json_lines(text: str) -> list[dict[str, Any]]:
    lines = []
    for line in text.splitlines():
        try:
            lines.append(json.loads(line))
        except ValueError:
            continue
    return lines


def _assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


@pytest.fixture(autouse=True)
def _default_logging() -> Iterator[None]:
    yield
    log.configure()


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with serve_emulator(Emulator(clients={"ops": CLIENT_SECRET})) as emu:
        yield emu


def _app(**overrides: Any) -> FastRAMQPI:
    values: dict[str, Any] = {
        "client_id": "ops",
        "client_secret": CLIENT_SECRET,
        **overrides,
    }
    return FastRAMQPI("ops-test", Settings(**values), graphql_version=25)


def test_start_up_logs_the_effective_configuration_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    listener = Listener(
        namespace="mo",
        user_key="ops-person",
        routing_key="person",
        path="/events/person",
        parallelism=3,
    )
    fastramqpi = FastRAMQPI(
        "ops-test",
        Settings(
            client_id="ops",
            client_secret=CLIENT_SECRET,
            mo_url=f"http://admin:{URL_PASSWORD}@127.0.0.1:{_closed_port()}",  # type: ignore[arg-type]
            auth_token_url=f"http://127.0.0.1:{_closed_port()}/token",  # type: ignore[arg-type]
            enable_metrics=False,
            database={  # type: ignore[arg-type]
                "user": "ops",
                "password": DB_PASSWORD,
                "host": "127.0.0.1",
                "port": _closed_port(),
                "name": "ops_db",
            },
        ),
        graphql_version=25,
        graphql_events=GraphQLEvents(declare_listeners=[listener]),
        database_metadata=MetaData(),
    )
    settings = fastramqpi.settings
    with TestClient(fastramqpi.get_app()):
        pass

    err = capsys.readouterr().err
    [line] = [
        line for line in _json_lines(err) if line["event"] == "Starting FastRAMQPI"
    ]
    assert line["level"] == "info"
    assert line["application_name"] == "ops-test"
    assert line["mo_url"] == f"http://127.0.0.1:{settings.mo_url.port}/"
    assert line["graphql_version"] == 25
    assert line["token_url"] == settings.token_url
    assert line["client_id"] == "ops"
    assert line["listeners"] == [
        {
            "namespace": "mo",
            "user_key": "ops-person",
            "routing_key": "person",
            "path": "/events/person",
            "parallelism": 3,
        }
    ]
    assert settings.database is not None
    assert line["database"] == {
        "host": "127.0.0.1",
        "port": settings.database.port,
        "name": "ops_db",
    }
    assert line["metrics"] is False
    _assert_no_secret(err)


def test_the_start_up_line_shows_a_database_url_without_its_password(
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = f"postgresql+asyncpg://ops:{DB_PASSWORD}@db.example:6543/ops_db"
    fastramqpi = FastRAMQPI(
        "ops-test",
        Settings(client_id="ops", client_secret=CLIENT_SECRET, database={"url": url}),  # type: ignore[arg-type]
        graphql_version=25,
        database_metadata=MetaData(),
    )
    with capture_logs() as logs, TestClient(fastramqpi.get_app()):
        pass

    err = capsys.readouterr().err
    [line] = [
        line for line in _json_lines(err) if line["event"] == "Starting FastRAMQPI"
    ]
    assert line["database"]["host"] == "db.example"
    assert line["database"]["port"] == 6543
    assert line["database"]["name"] == "ops_db"
    assert line["metrics"] is True
    _assert_no_secret(err + repr(logs))


def _readiness_failure(fastramqpi: FastRAMQPI) -> dict[str, Any]:
    with TestClient(fastramqpi.get_app()) as client, capture_logs() as logs:
        assert client.get("/health/ready").status_code == 503
    [line] = [line for line in logs if line["event"] == "MO is not ready"]
    _assert_no_secret(repr(logs))
    return line


def test_unreachable_mo_graphql_is_named_with_its_url(emulator: Emulator) -> None:
    port = _closed_port()
    fastramqpi = _app(
        mo_url=f"http://admin:{URL_PASSWORD}@127.0.0.1:{port}",
        auth_token_url=emulator.token_url,
    )
    line = _readiness_failure(fastramqpi)

    assert f"MO GraphQL at http://127.0.0.1:{port}/graphql/v25: " in line["reason"]
    assert line["reason"].startswith("ConnectError: ")


def test_unreachable_token_endpoint_is_named_with_its_url(emulator: Emulator) -> None:
    port = _closed_port()
    fastramqpi = _app(
        mo_url=emulator.url, auth_token_url=f"http://127.0.0.1:{port}/token"
    )
    line = _readiness_failure(fastramqpi)

    assert f"The token endpoint at http://127.0.0.1:{port}/token: " in line["reason"]


async def test_a_handlers_request_to_an_unreachable_mo_names_it(
    emulator: Emulator,
) -> None:
    """The MO client names the service in the error itself, so every log line of it does."""
    port = _closed_port()
    client = _app(
        mo_url=f"http://127.0.0.1:{port}", auth_token_url=emulator.token_url
    ).get_context()["mo_client"]
    async with client:
        with pytest.raises(httpx.ConnectError) as error:
            await client.post(
                "/graphql/v25", json={"query": "{ version { mo_version } }"}
            )
    assert str(error.value).startswith(
        f"MO GraphQL at http://127.0.0.1:{port}/graphql/v25: "
    )


async def test_unreachable_database_is_named_with_its_host_and_port() -> None:
    port = _closed_port()
    fastramqpi = FastRAMQPI(
        "ops-test",
        Settings(
            client_id="ops",
            client_secret=CLIENT_SECRET,
            database={  # type: ignore[arg-type]
                "user": "ops",
                "password": DB_PASSWORD,
                "host": "127.0.0.1",
                "port": port,
                "name": "ops_db",
            },
        ),
        graphql_version=25,
        database_metadata=MetaData(),
    )
    database = fastramqpi.get_context()["lifespan_managers"][150][0]
    database.schema_ready = True  # as if the database had gone away after start-up
    with capture_logs() as logs:
        assert not await database.healthcheck(None)
    [line] = [line for line in logs if line["event"] == "Database unavailable"]
    assert (line["host"], line["port"], line["name"]) == ("127.0.0.1", port, "ops_db")
    assert line["error"]
    _assert_no_secret(repr(logs))
    await database.engine.dispose()


@pytest.mark.parametrize(("log_level", "shown"), [("INFO", False), ("DEBUG", True)])
async def test_probes_and_scrapes_are_logged_at_debug(
    capsys: pytest.CaptureFixture[str], log_level: str, shown: bool
) -> None:
    app = _app(log_level=log_level, mo_url=f"http://127.0.0.1:{_closed_port()}")
    async with serve(app.get_app()) as url, httpx.AsyncClient(base_url=url) as client:
        for path in ("/health/live", "/health/ready", "/metrics", "/"):
            await client.get(path)

    access = [
        line
        for line in _json_lines(capsys.readouterr().err)
        if line["logger"] == "uvicorn.access"
    ]
    paths = {line["event"].split('"')[1].split()[1]: line["level"] for line in access}
    assert paths.pop("/") == "info"
    if shown:
        assert paths == {
            "/health/live": "debug",
            "/health/ready": "debug",
            "/metrics": "debug",
        }
    else:
        assert paths == {}
