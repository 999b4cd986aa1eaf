# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""A project's respx routes answer the MO client, as they answer any httpx client, whether or
not httpx2 is installed beside it."""

import base64
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType

import httpx
import pytest
import respx

from fastramqpi.mo import AuthenticatedMOClient
from fastramqpi.mo import TokenRefused
from tests.ariadne.codegen import PLUGINS
from tests.ariadne.codegen import generate

MO = "http://mo.example"
TOKEN_URL = "http://keycloak.example/auth/realms/mo/protocol/openid-connect/token"
TOKEN = {"access_token": "token-1", "token_type": "Bearer", "expires_in": 300}


@pytest.fixture
async def mo_client() -> AsyncIterator[AuthenticatedMOClient]:
    async with AuthenticatedMOClient(
        base_url=MO,
        client_id="my-integration",
        client_secret="s3cret",
        token_url=TOKEN_URL,
        timeout=10,
    ) as client:
        yield client


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    directory: Path = tmp_path_factory.mktemp("codegen")
    return generate(directory, "client_for_respx", PLUGINS)


async def test_respx_routes_answer_the_token_and_mo_requests(
    mo_client: AuthenticatedMOClient, respx_mock: respx.MockRouter
) -> None:
    token = respx_mock.post(TOKEN_URL).respond(json=TOKEN)
    thing = respx_mock.get(f"{MO}/service/thing").respond(json={"thing": 1})

    response = await mo_client.get("/service/thing")

    assert isinstance(mo_client, httpx.AsyncClient)
    assert response.json() == {"thing": 1}
    assert thing.calls.last.request.headers["authorization"] == "Bearer token-1"
    # The client-credentials grant, client authenticated by HTTP Basic.
    token_request = token.calls.last.request
    assert token_request.content == b"grant_type=client_credentials"
    credentials = base64.b64encode(b"my-integration:s3cret").decode()
    assert token_request.headers["authorization"] == f"Basic {credentials}"


async def test_a_generated_client_on_the_mo_client_is_answered_by_respx(
    mo_client: AuthenticatedMOClient,
    respx_mock: respx.MockRouter,
    generated: ModuleType,
) -> None:
    respx_mock.post(TOKEN_URL).respond(json=TOKEN)
    graphql = respx_mock.post(f"{MO}/graphql/v25").respond(
        json={
            "data": {"event_namespaces": {"objects": [{"name": "mo", "public": True}]}}
        }
    )

    async with generated.GraphQLClient(
        url=f"{MO}/graphql/v25", http_client=mo_client
    ) as client:
        answer = await client.namespaces()

    assert [(n.name, n.public) for n in answer.event_namespaces.objects] == [
        ("mo", True)
    ]
    assert graphql.calls.last.request.headers["authorization"] == "Bearer token-1"


async def test_a_token_answer_without_a_token_is_a_clear_error(
    mo_client: AuthenticatedMOClient, respx_mock: respx.MockRouter
) -> None:
    respx_mock.post(TOKEN_URL).respond(json={"token_type": "Bearer"})
    thing = respx_mock.get(f"{MO}/service/thing").respond(json={"thing": 1})

    with pytest.raises(TokenRefused, match="no access_token") as refused:
        await mo_client.get("/service/thing")

    assert "s3cret" not in str(refused.value)
    assert not thing.called


async def test_a_token_endpoint_that_is_down_is_an_http_error(
    mo_client: AuthenticatedMOClient, respx_mock: respx.MockRouter
) -> None:
    respx_mock.post(TOKEN_URL).respond(503, text="Service Unavailable")

    with pytest.raises(httpx.HTTPStatusError):
        await mo_client.get("/service/thing")


async def test_a_request_with_credentials_of_its_own_is_sent_as_it_is(
    mo_client: AuthenticatedMOClient, respx_mock: respx.MockRouter
) -> None:
    token = respx_mock.post(TOKEN_URL).respond(json=TOKEN)
    thing = respx_mock.get(f"{MO}/service/thing").respond(json={"thing": 1})

    await mo_client.get("/service/thing", auth=("someone", "else"))

    assert not token.called
    expected = base64.b64encode(b"someone:else").decode()
    assert thing.calls.last.request.headers["authorization"] == f"Basic {expected}"
