# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The authenticated MO client against the MO emulator's real token endpoint and GraphQL."""

import asyncio
from collections.abc import AsyncIterator
from collections.abc import Iterator
from contextlib import asynccontextmanager

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.responses import Response
from starlette.routing import Route

from fastramqpi.emulator import Emulator
from fastramqpi.emulator import FakeClock
from fastramqpi.emulator import serve_emulator
from fastramqpi.mo import AuthenticatedMOClient
from fastramqpi.mo import TokenRefused
from tests.servers import serve

GRAPHQL = "/graphql/v30"
VERSION = {"query": "query { version { mo_version } }"}
NOT_AUTHENTICATED = {"data": None, "errors": [{"message": "User is not authenticated"}]}


@pytest.fixture
def token_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def emulator(token_clock: FakeClock) -> Iterator[Emulator]:
    with serve_emulator(Emulator(token_clock=token_clock, token_lifetime=300)) as emu:
        yield emu


def mo_client(
    emulator: Emulator,
    base_url: str | None = None,
    secret: str = "secret",
    clock: FakeClock | None = None,
) -> AuthenticatedMOClient:
    return AuthenticatedMOClient(
        base_url=base_url or emulator.url,
        client_id="integration",
        client_secret=secret,
        token_url=emulator.token_url,
        timeout=10,
        clock=clock.now if clock is not None else FakeClock().now,
    )


@pytest.fixture
async def client(
    emulator: Emulator, token_clock: FakeClock
) -> AsyncIterator[AuthenticatedMOClient]:
    async with mo_client(emulator, clock=token_clock) as client:
        yield client


def answered(response: httpx.Response) -> bool:
    body = response.json()
    return (
        response.status_code == 200
        and not body.get("errors")
        and body["data"] is not None
    )


async def test_the_first_request_fetches_a_token_by_itself(
    client: AuthenticatedMOClient, emulator: Emulator
) -> None:
    response = await client.post(GRAPHQL, json=VERSION)

    assert answered(response)
    assert emulator.token_requests == 1


async def test_fifty_concurrent_first_requests_fetch_one_token(
    client: AuthenticatedMOClient, emulator: Emulator
) -> None:
    responses = await asyncio.gather(
        *(client.post(GRAPHQL, json=VERSION) for _ in range(50))
    )

    assert all(answered(r) for r in responses)
    assert emulator.token_requests == 1


async def test_the_token_is_reused_until_shortly_before_it_expires(
    client: AuthenticatedMOClient, emulator: Emulator, token_clock: FakeClock
) -> None:
    await client.post(GRAPHQL, json=VERSION)
    token_clock.advance(200)
    await client.post(GRAPHQL, json=VERSION)
    assert emulator.token_requests == 1

    # 60 s before the 300 s token expires, so MO never sees an expired token.
    token_clock.advance(41)
    response = await client.post(GRAPHQL, json=VERSION)

    assert answered(response)
    assert emulator.token_requests == 2


async def test_a_token_shorter_lived_than_the_leeway_is_not_fetched_for_every_request(
    token_clock: FakeClock,
) -> None:
    """authlib alone fetches such a token before every request; we renew at half-life."""
    with serve_emulator(
        Emulator(token_clock=token_clock, token_lifetime=30)
    ) as emulator:
        async with mo_client(emulator, clock=token_clock) as client:
            for _ in range(5):
                assert answered(await client.post(GRAPHQL, json=VERSION))
            assert emulator.token_requests == 1

            token_clock.advance(16)
            assert answered(await client.post(GRAPHQL, json=VERSION))
            assert emulator.token_requests == 2


async def test_a_token_mo_rejects_is_replaced_and_the_request_retried(
    client: AuthenticatedMOClient, emulator: Emulator
) -> None:
    await client.post(GRAPHQL, json=VERSION)
    emulator.revoke_tokens()  # MO's GraphQL now answers 200 "User is not authenticated"

    response = await client.post(GRAPHQL, json=VERSION)

    assert answered(response)
    assert emulator.token_requests == 2


async def test_concurrent_requests_with_a_rejected_token_fetch_one_new_token(
    client: AuthenticatedMOClient, emulator: Emulator
) -> None:
    await client.post(GRAPHQL, json=VERSION)
    emulator.revoke_tokens()

    responses = await asyncio.gather(
        *(client.post(GRAPHQL, json=VERSION) for _ in range(50))
    )

    assert all(answered(r) for r in responses)
    assert emulator.token_requests == 2


async def test_other_graphql_errors_are_returned_without_a_new_token(
    client: AuthenticatedMOClient, emulator: Emulator
) -> None:
    response = await client.post(GRAPHQL, json={"query": "query { no_such_field }"})

    assert response.status_code == 200
    assert response.json()["errors"]
    assert emulator.token_requests == 1


async def test_a_refused_client_secret_is_a_clear_error_at_first_use() -> None:
    with serve_emulator(Emulator(clients={"integration": "the-right-one"})) as emulator:
        token_url = emulator.token_url
        async with mo_client(emulator, secret="a-wrong-one") as client:
            with pytest.raises(TokenRefused) as refused:
                await client.post(GRAPHQL, json=VERSION)
            # Still refused, not stuck with a half-made token, on the next use.
            with pytest.raises(TokenRefused):
                await client.post(GRAPHQL, json=VERSION)

    message = str(refused.value)
    assert "'integration'" in message
    assert token_url in message
    assert "a-wrong-one" not in message


class _Service:
    """A real HTTP service that turns down the first ``rejections`` requests for their token,
    as MO's REST (401) or GraphQL (200 "User is not authenticated") does for a revoked one."""

    def __init__(self, rejections: int) -> None:
        self.rejections = rejections
        self.tokens: list[str] = []
        self.app = Starlette(
            routes=[
                Route("/service/thing", self._rest),
                Route(GRAPHQL, self._graphql, methods=["POST"]),
            ]
        )

    def _reject(self, request: Request) -> bool:
        self.tokens.append(request.headers["authorization"])
        return len(self.tokens) <= self.rejections

    async def _rest(self, request: Request) -> Response:
        if self._reject(request):
            return JSONResponse({"detail": "Not authenticated"}, status_code=401)
        return JSONResponse({"thing": 1})

    async def _graphql(self, request: Request) -> Response:
        if self._reject(request):
            return JSONResponse(NOT_AUTHENTICATED)
        return JSONResponse({"data": {"version": {"mo_version": "30"}}})


@asynccontextmanager
async def service(
    emulator: Emulator, rejections: int
) -> AsyncIterator[tuple[_Service, AuthenticatedMOClient]]:
    svc = _Service(rejections)
    async with serve(svc.app) as url, mo_client(emulator, base_url=url) as client:
        yield svc, client


async def test_a_rest_401_gets_a_new_token_and_one_retry(emulator: Emulator) -> None:
    async with service(emulator, rejections=1) as (svc, client):
        response = await client.get("/service/thing")

    assert (response.status_code, response.json()) == (200, {"thing": 1})
    assert emulator.token_requests == 2
    assert len(svc.tokens) == 2
    assert svc.tokens[0] != svc.tokens[1]


async def test_a_second_rest_401_is_returned_unchanged(emulator: Emulator) -> None:
    async with service(emulator, rejections=100) as (svc, client):
        response = await client.get("/service/thing")

    assert (response.status_code, response.json()) == (
        401,
        {"detail": "Not authenticated"},
    )
    assert len(svc.tokens) == 2
    assert emulator.token_requests == 2


async def test_a_second_graphql_rejection_is_returned_unchanged(
    emulator: Emulator,
) -> None:
    async with service(emulator, rejections=100) as (svc, client):
        response = await client.post(GRAPHQL, json=VERSION)

    assert (response.status_code, response.json()) == (200, NOT_AUTHENTICATED)
    assert len(svc.tokens) == 2
    assert emulator.token_requests == 2


async def test_a_rest_401_in_a_stream_is_retried_too(
    emulator: Emulator,
) -> None:
    """A streamed response is checked for 401 only: its body is the caller's to read."""
    async with (
        service(emulator, rejections=1) as (svc, client),
        client.stream("GET", "/service/thing") as response,
    ):
        body = await response.aread()

    assert (response.status_code, body) == (200, b'{"thing":1}')
    assert len(svc.tokens) == 2


async def test_a_cookie_a_server_sets_is_sent_back(emulator: Emulator) -> None:
    """A proxy in front of MO may pin a session with a cookie: the client keeps it as httpx
    does, though it skips reading cookies from responses that set none."""

    async def set_cookie(request: Request) -> Response:
        response = JSONResponse({})
        response.set_cookie("route", "replica-2")
        return response

    async def echo(request: Request) -> Response:
        return JSONResponse({"route": request.cookies.get("route")})

    app = Starlette(routes=[Route("/set", set_cookie), Route("/echo", echo)])
    async with serve(app) as url, mo_client(emulator, base_url=url) as client:
        before = (await client.get("/echo")).json()
        await client.get("/set")
        after = (await client.get("/echo")).json()

    assert (before, after) == ({"route": None}, {"route": "replica-2"})
