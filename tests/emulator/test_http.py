# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
import logging
import socket
import threading

import httpx
import pytest
from graphql import build_schema
from starlette.types import Receive
from starlette.types import Scope
from starlette.types import Send

from fastramqpi.emulator import Emulator
from tests.waiting import BOUND

from .client import MO
from .conftest import _Current


@pytest.mark.parametrize("version", range(20, 31))
def test_graphql_is_served_for_versions_20_to_30(
    emu: Emulator, mo: MO, version: int
) -> None:
    response = mo.http.post(
        f"{emu.url}/graphql/v{version}",
        json={"query": "{ version { mo_version mo_hash } }"},
        headers={"Authorization": f"Bearer {mo.token}"},
    )
    assert response.status_code == 200
    assert set(response.json()["data"]["version"]) == {"mo_version", "mo_hash"}


@pytest.mark.parametrize("version", [19, 31])
def test_other_versions_are_not_found(emu: Emulator, mo: MO, version: int) -> None:
    response = mo.http.post(
        f"{emu.url}/graphql/v{version}",
        json={"query": "{ version { mo_version } }"},
        headers={"Authorization": f"Bearer {mo.token}"},
    )
    assert response.status_code == 404


def test_the_sdl_is_served_without_auth(emu: Emulator) -> None:
    response = httpx.get(f"{emu.url}/graphql/v25/schema.graphql")
    assert response.status_code == 200
    schema = build_schema(response.text)
    assert schema.query_type is not None
    assert "event_fetch" in schema.query_type.fields
    assert schema.mutation_type is not None
    assert "event_acknowledge" in schema.mutation_type.fields


def test_an_invalid_query_is_a_graphql_error_with_http_200(mo: MO) -> None:
    (message,) = mo.errors("{ no_such_field }")
    assert "no_such_field" in message
    (message,) = mo.errors("{ unbalanced")
    assert "Syntax Error" in message


def test_a_refused_mutation_is_a_graphql_error_with_http_200(mo: MO) -> None:
    body = mo.execute(
        'mutation { event_listener_declare(input: {namespace: "nope", user_key: "a",'
        ' routing_key: "b"}) { uuid } }'
    )
    assert body["data"] is None
    assert body["errors"][0]["path"] == ["event_listener_declare"]


def test_variables_of_the_wrong_type_are_an_error(mo: MO) -> None:
    (message,) = mo.errors(
        "query F($l: UUID!) { event_fetch(filter: {listener: $l}) { subject } }",
        l="not-a-uuid",
    )
    assert "not-a-uuid" in message


def test_a_body_that_is_not_graphql_is_a_bad_request(emu: Emulator, mo: MO) -> None:
    response = mo.http.post(
        f"{emu.url}/graphql/v30",
        content=b"not json",
        headers={"Authorization": f"Bearer {mo.token}"},
    )
    assert response.status_code == 400


def test_a_client_gone_mid_request_is_not_an_error(
    emu: Emulator,
    mo: MO,
    server: tuple[Emulator, _Current],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Benchmarks and tests stop clients with requests in flight; MO must not log a crash."""
    _, current = server
    app = current.app
    assert app is not None
    outcomes: list[BaseException | None] = []
    both_done = threading.Event()

    async def watched(scope: Scope, receive: Receive, send: Send) -> None:
        """Note how each request ended, once the emulator has done with it."""
        try:
            await app(scope, receive, send)
        except BaseException as error:
            outcomes.append(error)
            raise
        else:
            outcomes.append(None)
        finally:
            if len(outcomes) == 2:
                both_done.set()

    current.app = watched
    host, port = emu.url.removeprefix("http://").split(":")
    head = (
        "POST /graphql/v30 HTTP/1.1\r\n"
        f"Host: {host}\r\nAuthorization: Bearer {mo.token}\r\n"
        "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
    )
    with caplog.at_level(logging.ERROR):
        with socket.create_connection((host, int(port))) as sock:
            sock.sendall(head.encode())
        response = mo.http.post(
            f"{emu.url}/graphql/v30",
            json={"query": "{ version { mo_version } }"},
            headers={"Authorization": f"Bearer {mo.token}"},
        )
        assert both_done.wait(timeout=BOUND), "the broken request was never dealt with"
    assert response.status_code == 200
    assert outcomes == [None, None]
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
