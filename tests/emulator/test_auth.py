# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
from collections.abc import Callable
from collections.abc import Iterator
from uuid import uuid5

import httpx
import pytest

from fastramqpi.emulator import Emulator
from fastramqpi.emulator import FakeClock
from fastramqpi.emulator import serve_emulator

from .client import MO

VERSION = "query { version { mo_version } }"
NOT_AUTHENTICATED = {"data": None, "errors": [{"message": "User is not authenticated"}]}


def _token_request(emu: Emulator, **form: str) -> httpx.Response:
    return httpx.post(emu.token_url, data={"grant_type": "client_credentials", **form})


def _graphql(emu: Emulator, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(
        f"{emu.url}/graphql/v30", json={"query": VERSION}, headers=headers
    )


def test_token_by_form_credentials(emu: Emulator) -> None:
    response = _token_request(emu, client_id="orgviewer", client_secret="s3cret")
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 300
    bearer = {"Authorization": f"Bearer {body['access_token']}"}
    assert _graphql(emu, bearer).json() == {
        "data": {"version": {"mo_version": "30.0.0"}}
    }


def test_token_by_http_basic(emu: Emulator) -> None:
    response = httpx.post(
        emu.token_url,
        data={"grant_type": "client_credentials"},
        auth=("orgviewer", "s3cret"),
    )
    assert response.status_code == 200
    assert response.json()["access_token"]


def test_token_owner_is_derived_from_the_client_id(
    emu: Emulator, connect: Callable[..., MO]
) -> None:
    alice = connect("alice")
    listener = alice.data(
        'mutation { event_listener_declare(input: {user_key: "a", routing_key: "b"})'
        " { owner } }"
    )
    assert listener == {"event_listener_declare": {"owner": str(emu.owner_of("alice"))}}
    assert emu.owner_of("alice") == Emulator().owner_of("alice")
    assert emu.owner_of("alice") != emu.owner_of("bob")
    assert emu.owner_of("alice").version == uuid5(emu.owner_of("x"), "y").version


def test_by_default_any_client_with_a_non_empty_secret_is_accepted(
    emu: Emulator,
) -> None:
    assert _token_request(emu, client_id="anyone", client_secret="x").status_code == 200
    response = _token_request(emu, client_id="anyone", client_secret="")
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized_client"


@pytest.fixture
def registry() -> Iterator[Emulator]:
    with serve_emulator(Emulator(clients={"known": "right"})) as emulator:
        yield emulator


def test_a_client_registry_rejects_others_like_keycloak(registry: Emulator) -> None:
    assert (
        _token_request(registry, client_id="known", client_secret="right").status_code
        == 200
    )
    wrong_secret = _token_request(registry, client_id="known", client_secret="wrong")
    assert wrong_secret.status_code == 401
    assert wrong_secret.json()["error"] == "unauthorized_client"
    unknown = _token_request(registry, client_id="stranger", client_secret="right")
    assert unknown.status_code == 401
    assert unknown.json()["error"] == "invalid_client"


def test_only_client_credentials_grant_is_supported(emu: Emulator) -> None:
    response = httpx.post(
        emu.token_url,
        data={"grant_type": "password", "client_id": "a", "client_secret": "b"},
    )
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


def test_unknown_realm_is_404(emu: Emulator) -> None:
    response = httpx.post(
        emu.token_url.replace("/realms/mo/", "/realms/other/"),
        data={
            "grant_type": "client_credentials",
            "client_id": "a",
            "client_secret": "b",
        },
    )
    assert response.status_code == 404


def test_token_requests_are_counted(emu: Emulator) -> None:
    before = emu.token_requests
    _token_request(emu, client_id="a", client_secret="b")
    _token_request(emu, client_id="a", client_secret="")
    assert emu.token_requests == before + 2


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer not-a-jwt"},
        {"Authorization": "Basic YTpi"},
        {"Authorization": "Bearer"},
    ],
)
def test_missing_or_invalid_token_is_200_not_authenticated(
    emu: Emulator, headers: dict[str, str]
) -> None:
    response = _graphql(emu, headers)
    assert response.status_code == 200
    assert response.json() == NOT_AUTHENTICATED


def test_revoked_token_is_not_authenticated_and_a_new_one_works(
    emu: Emulator, connect: Callable[..., MO]
) -> None:
    mo = connect()
    assert mo.data(VERSION)
    emu.revoke_tokens()
    assert mo.execute(VERSION) == NOT_AUTHENTICATED
    assert connect(mo.client_id).data(VERSION)


def test_expired_token_is_not_authenticated() -> None:
    token_clock = FakeClock()
    emulator = Emulator(token_lifetime=120, token_clock=token_clock)
    with serve_emulator(emulator) as emu, MO(emu) as mo:
        token_clock.advance(119)
        assert mo.data(VERSION)
        token_clock.advance(1)
        assert mo.execute(VERSION) == NOT_AUTHENTICATED


def test_token_from_another_emulator_is_rejected(emu: Emulator) -> None:
    with serve_emulator(Emulator()) as other, MO(other) as client:
        foreign = client.token
    assert (
        _graphql(emu, {"Authorization": f"Bearer {foreign}"}).json()
        == NOT_AUTHENTICATED
    )
