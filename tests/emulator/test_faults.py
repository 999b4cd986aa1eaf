# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
import httpx
import pytest

from fastramqpi.emulator import Emulator

from .client import MO

VERSION = {"query": "{ version { mo_version } }"}


def _graphql(emu: Emulator, mo: MO, timeout: float = 5.0) -> httpx.Response:
    return mo.http.post(
        f"{emu.url}/graphql/v30",
        json=VERSION,
        headers={"Authorization": f"Bearer {mo.token}"},
        timeout=timeout,
    )


def test_fail_next_answers_the_next_requests_with_the_status(
    emu: Emulator, mo: MO
) -> None:
    emu.faults.fail_next(2, status=503)
    assert _graphql(emu, mo).status_code == 503
    assert _graphql(emu, mo).status_code == 503
    assert _graphql(emu, mo).status_code == 200


def test_faults_hit_the_token_endpoint_too(emu: Emulator) -> None:
    emu.faults.fail_next(1, status=500)
    form = {"grant_type": "client_credentials", "client_id": "a", "client_secret": "b"}
    assert httpx.post(emu.token_url, data=form).status_code == 500
    assert httpx.post(emu.token_url, data=form).status_code == 200


def test_faults_spare_the_schema_and_the_testing_endpoints(emu: Emulator) -> None:
    emu.faults.fail_next(1)
    assert httpx.get(f"{emu.url}/graphql/v30/schema.graphql").status_code == 200
    assert httpx.post(f"{emu.url}/testing/events/reset-last-tried").status_code == 204
    form = {"grant_type": "client_credentials", "client_id": "a", "client_secret": "b"}
    assert httpx.post(emu.token_url, data=form).status_code == 503


def test_drop_next_closes_the_connection_without_a_response(
    emu: Emulator, mo: MO
) -> None:
    emu.faults.drop_next(1)
    with pytest.raises(httpx.RemoteProtocolError):
        _graphql(emu, mo)
    assert _graphql(emu, mo).status_code == 200


def test_delay_next_holds_the_response_past_a_client_timeout(
    emu: Emulator, mo: MO
) -> None:
    emu.faults.delay_next(1, seconds=0.3)
    with pytest.raises(httpx.ReadTimeout):
        _graphql(emu, mo, timeout=0.05)
    assert _graphql(emu, mo, timeout=5.0).status_code == 200


def test_a_dropped_event_fetch_leaves_the_event_stored(emu: Emulator, mo: MO) -> None:
    listener = mo.declare_listener("person")
    emu.emit("person", "p")
    emu.faults.drop_next(1)
    with pytest.raises(httpx.RemoteProtocolError):
        mo.fetch(listener)
    assert mo.fetch(listener) is not None


def test_refuse_next_answers_graphql_with_an_error_and_spares_tokens(
    emu: Emulator, mo: MO
) -> None:
    emu.faults.refuse_next(1, "Missing permission")
    form = {"grant_type": "client_credentials", "client_id": "a", "client_secret": "b"}
    assert httpx.post(emu.token_url, data=form).status_code == 200

    refused = _graphql(emu, mo)

    assert refused.status_code == 200
    assert refused.json() == {
        "data": None,
        "errors": [{"message": "Missing permission"}],
    }
    assert _graphql(emu, mo).json()["data"]["version"]["mo_version"]
