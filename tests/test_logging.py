# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
import json
import logging
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import httpx
import pytest
import structlog
import uvicorn
from starlette.testclient import TestClient

from fastramqpi import log
from fastramqpi.config import Settings
from fastramqpi.main import FastRAMQPI
from tests.servers import serve


def _fastramqpi(**settings: Any) -> FastRAMQPI:
    return FastRAMQPI(
        application_name="logging-test",
        settings=Settings(client_id="id", client_secret="secret", **settings),
        graphql_version=25,
    )


def _json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line]


@pytest.fixture(autouse=True)
def _default_logging() -> Iterator[None]:
    yield
    log.configure()


def test_integration_logs_are_json_by_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _fastramqpi()
    structlog.stdlib.get_logger().info("Synchronised", employees=3)

    [line] = _json_lines(capsys.readouterr().err)
    assert line["event"] == "Synchronised"
    assert line["employees"] == 3
    assert line["level"] == "info"
    assert "timestamp" in line


def test_lines_are_stamped_in_utc_to_the_microsecond(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _fastramqpi()
    before = datetime.now(UTC)
    structlog.stdlib.get_logger().info("Synchronised")
    after = datetime.now(UTC)

    [line] = _json_lines(capsys.readouterr().err)
    stamp = datetime.fromisoformat(line["timestamp"])
    assert line["timestamp"].endswith("Z")
    assert before - timedelta(microseconds=1) <= stamp <= after


def test_stdlib_loggers_share_the_pipeline(capsys: pytest.CaptureFixture[str]) -> None:
    _fastramqpi()
    logging.getLogger("some.library").warning("Retrying %s", "MO")

    [line] = _json_lines(capsys.readouterr().err)
    assert line["event"] == "Retrying MO"
    assert line["logger"] == "some.library"
    assert line["level"] == "warning"


def test_other_handlers_see_the_record_as_logged(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """Rendering a line for stderr leaves the record alone for pytest's and users' handlers."""
    _fastramqpi()
    logging.getLogger("some.library").warning("Retrying %s after %d s", "MO", 5)

    [record] = caplog.records
    assert (record.msg, record.args) == ("Retrying %s after %d s", ("MO", 5))
    [line] = _json_lines(capsys.readouterr().err)
    assert line["event"] == "Retrying MO after 5 s"


def test_records_keep_the_call_site_but_the_access_line_skips_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """pytest's captured logs show file:line for the integration's own lines; uvicorn's
    access line, always from the same line of uvicorn, is not worth a stack walk a request."""
    _fastramqpi()
    logging.getLogger("my_integration").warning("From the library")
    structlog.stdlib.get_logger("my_integration").warning("From structlog")
    logging.getLogger("uvicorn.access").info('%s - "%s %s HTTP/%s" %d', *_ACCESS)

    own, structlogs, access = caplog.records
    here = test_records_keep_the_call_site_but_the_access_line_skips_it.__name__
    assert (own.filename, own.funcName) == ("test_logging.py", here)
    assert (structlogs.filename, structlogs.funcName) == ("test_logging.py", here)
    assert (access.funcName, access.lineno) == ("(unknown function)", 0)


_ACCESS = ("127.0.0.1:5555", "GET", "/ping", "1.1", 200)


def test_log_level_is_honoured(capsys: pytest.CaptureFixture[str]) -> None:
    _fastramqpi(log_level="WARNING")
    structlog.stdlib.get_logger().info("Chatter")
    logging.getLogger("some.library").info("More chatter")
    structlog.stdlib.get_logger().warning("Attention")

    assert [line["event"] for line in _json_lines(capsys.readouterr().err)] == [
        "Attention"
    ]


@pytest.mark.parametrize(("log_level", "shown"), [("INFO", False), ("DEBUG", True)])
def test_httpx_request_lines_only_at_debug(
    capsys: pytest.CaptureFixture[str], log_level: str, shown: bool
) -> None:
    """The event fetchers poll MO all day; httpx's line per request is noise at INFO."""
    _fastramqpi(log_level=log_level)
    transport = httpx.MockTransport(lambda request: httpx.Response(200))
    with httpx.Client(transport=transport) as client:
        client.get("http://mo/graphql/v25")

    events = [line["event"] for line in _json_lines(capsys.readouterr().err)]
    assert any("HTTP Request" in event for event in events) is shown


def test_console_renderer_when_json_logs_is_off(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _fastramqpi(json_logs=False)
    structlog.stdlib.get_logger().info("Synchronised", employees=3)

    err = capsys.readouterr().err
    assert "Synchronised" in err
    assert "employees=3" in err
    with pytest.raises(json.JSONDecodeError):
        json.loads(err)


def test_several_apps_do_not_duplicate_lines(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _fastramqpi()
    _fastramqpi()
    _fastramqpi()
    structlog.stdlib.get_logger().info("Once")
    logging.getLogger("some.library").warning("Once too")

    assert len(_json_lines(capsys.readouterr().err)) == 2


TOKEN = "hunter2-token"


def _fail(token: str) -> None:
    password = token
    raise RuntimeError(f"MO refused ({len(password)} characters)")


@pytest.mark.parametrize("json_logs", [True, False])
def test_tracebacks_leave_out_local_variables(
    capsys: pytest.CaptureFixture[str], json_logs: bool
) -> None:
    _fastramqpi(json_logs=json_logs)
    try:
        _fail(TOKEN)
    except RuntimeError:
        structlog.stdlib.get_logger().exception("Sync failed")

    err = capsys.readouterr().err
    assert "Sync failed" in err
    assert "MO refused (13 characters)" in err
    assert "_fail" in err
    assert TOKEN not in err


def test_stdlib_tracebacks_leave_out_local_variables(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _fastramqpi()
    try:
        _fail(TOKEN)
    except RuntimeError:
        logging.getLogger("some.library").exception("Sync failed")

    [line] = _json_lines(capsys.readouterr().err)
    assert line["exception"][0]["exc_type"] == "RuntimeError"
    assert [frame["name"] for frame in line["exception"][0]["frames"]][-1] == "_fail"
    assert TOKEN not in json.dumps(line)


async def test_uvicorn_lines_are_json_and_carry_the_request_id(
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with (
        serve(_fastramqpi().get_app()) as url,
        httpx.AsyncClient(base_url=url) as client,
    ):
        response = await client.get("/", headers={"x-request-id": "req-42"})
    assert response.status_code == 200

    lines = _json_lines(capsys.readouterr().err)
    [access] = [line for line in lines if line["logger"] == "uvicorn.access"]
    assert access["request_id"] == "req-42"
    assert '"GET / HTTP/1.1" 200' in access["event"]
    assert any(line["event"] == "Application startup complete." for line in lines)


def test_lifespan_takes_logging_back_from_a_server_configured_later(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``uvicorn.run(app)`` installs uvicorn's own handlers after the app was built."""
    app = _fastramqpi().get_app()
    uvicorn.Config(app).configure_logging()
    with TestClient(app):
        logging.getLogger("uvicorn.error").info("Started")

    assert _json_lines(capsys.readouterr().err)[-1]["event"] == "Started"
