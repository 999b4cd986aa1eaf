# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The MO client: an HTTP client that looks after its own OAuth2 token.

Every request to MO carries a client-credentials access token. The client fetches one on
first use, renews it shortly before it expires, and recovers once when MO rejects a token
early (revoked, signing key rotated). Handlers, the GraphQL client and the event fetchers all
share one instance, so there is one token and one connection pool per integration.
"""

import asyncio
import json
import time
from collections.abc import Callable
from collections.abc import Generator
from contextlib import suppress
from typing import Any

import httpx
import structlog
from authlib.oauth2.auth import ClientAuth
from authlib.oauth2.rfc6749.parameters import prepare_token_request

from fastramqpi.config import Settings

logger = structlog.stdlib.get_logger(__name__)

Clock = Callable[[], float]

_NOT_AUTHENTICATED = "User is not authenticated"
_MARKER = _NOT_AUTHENTICATED.encode()
_MAX_REJECTION_SIZE = 8192
"""MO's rejection is a tiny body; larger 200 responses are answers and are not inspected,
so the thousands of event fetches a day are not parsed twice."""


class TokenRefused(Exception):
    """The token endpoint refused our client credentials: a configuration error."""


def _where(url: httpx.URL) -> str:
    """A URL for logs: no credentials, no query."""
    return str(url.copy_with(username=None, password=None, query=None))


def _named(error: httpx.TransportError, service: str, url: str) -> httpx.TransportError:
    """``error`` again, its message saying which service at which URL failed.

    The same exception class, so callers that retry on it keep doing so, and every log line
    of it, wherever it is logged, answers "what is it talking to?".
    """
    named = type(error)(f"{service} at {url}: {error}")
    named.__cause__ = error
    with suppress(RuntimeError):
        named.request = error.request
    return named


def _rejected_token(response: httpx.Response, streamed: bool) -> bool:
    """Whether MO turned the request down for its token (REST: 401, GraphQL: 200 + error)."""
    if response.status_code == 401:
        return True
    if streamed or response.status_code != 200:
        return False
    body = response.content
    if len(body) > _MAX_REJECTION_SIZE or _MARKER not in body:
        return False
    try:
        answer = json.loads(body)
    except ValueError:
        return False
    if not isinstance(answer, dict) or answer.get("data") is not None:
        return False
    errors = answer.get("errors")
    return isinstance(errors, list) and any(
        isinstance(e, dict) and e.get("message") == _NOT_AUTHENTICATED for e in errors
    )


def _bearer(request: httpx.Request) -> str:
    return str(request.headers.get("authorization", "")).partition(" ")[2]


class _Cookies(httpx.Cookies):
    """httpx reads every response's cookies through a ``urllib`` request built for it; MO and
    Keycloak set none for this client, so only a response that sets one pays for that."""

    def extract_cookies(self, response: httpx.Response) -> None:
        if "set-cookie" in response.headers:
            super().extract_cookies(response)


class _BearerHeader(httpx.Auth):
    """The current access token in the request's ``Authorization`` header, the one way MO
    takes it. The client fetches and replaces the token; this only carries it."""

    def __init__(self) -> None:
        self.access_token = ""

    def auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.access_token}"
        yield request


class AuthenticatedMOClient(httpx.AsyncClient):
    """An ``httpx.AsyncClient`` for MO that fetches, renews and replaces its own token.

    It runs OAuth2's client-credentials grant itself, with authlib's protocol helpers, so it
    is an ``httpx.AsyncClient`` whatever HTTP packages are installed beside it, and respx and
    generated GraphQL clients treat it as one (docs/mo.md says why).

    Token fetches are serialised, so any number of concurrent first requests cause one token
    request. A token is renewed ``leeway`` seconds before it expires (at most half its
    lifetime before, so short-lived tokens are not fetched for every request). A request MO
    answers with a token rejection is sent once more with a fresh token; a second rejection
    is returned to the caller as it is. A request sent with ``auth=`` of its own is left alone.
    """

    def __init__(
        self,
        *,
        base_url: str,
        client_id: str,
        client_secret: str,
        token_url: str,
        timeout: float,
        leeway: float = 60,
        clock: Clock = time.time,
    ) -> None:
        self._bearer = _BearerHeader()
        super().__init__(base_url=base_url, timeout=timeout, auth=self._bearer)
        self.cookies = None
        self.client_id = client_id
        self._client_auth = ClientAuth(client_id, client_secret, "client_secret_basic")
        self._token_url = token_url
        self.leeway = leeway
        self._clock = clock
        self._renew_at = float("-inf")
        self._token_lock = asyncio.Lock()

    @property
    def cookies(self) -> httpx.Cookies:
        return self._mo_cookies

    @cookies.setter
    def cookies(self, cookies: Any) -> None:
        self._mo_cookies = _Cookies(cookies)

    async def send(
        self,
        request: httpx.Request,
        *,
        stream: bool = False,
        auth: Any = httpx.USE_CLIENT_DEFAULT,
        **kwargs: Any,
    ) -> httpx.Response:
        if auth is not httpx.USE_CLIENT_DEFAULT:
            return await super().send(request, stream=stream, auth=auth, **kwargs)
        await self._ensure_active_token()
        response = await self._send_to_mo(request, stream=stream, **kwargs)
        if not _rejected_token(response, streamed=stream):
            return response
        await response.aclose()
        logger.warning(
            "MO rejected the access token; fetching a new one",
            method=request.method,
            url=str(request.url.copy_with(query=None)),
            status_code=response.status_code,
        )
        await self._replace_token(rejected=_bearer(response.request))
        return await self._send_to_mo(request, stream=stream, **kwargs)

    async def _send_to_mo(
        self, request: httpx.Request, **kwargs: Any
    ) -> httpx.Response:
        try:
            return await super().send(request, **kwargs)
        except httpx.TransportError as error:
            service = "MO GraphQL" if "/graphql" in request.url.path else "MO"
            raise _named(error, service, _where(request.url)) from error

    async def access_token(self) -> str:
        """The current access token, fetched first if there is none or it is about to expire.

        For tools that read the token's own claims, e.g. the owner of this client's listeners.
        """
        await self._ensure_active_token()
        return self._bearer.access_token

    async def _ensure_active_token(self) -> None:
        # The lock only when renewing: taking it yields to the event loop, on every request.
        if self._clock() < self._renew_at:
            return
        async with self._token_lock:
            if self._clock() >= self._renew_at:
                await self._get_new_token()

    async def _replace_token(self, rejected: str) -> None:
        async with self._token_lock:
            # A concurrent request may have replaced it already.
            if self._bearer.access_token == rejected:
                await self._get_new_token()

    async def _get_new_token(self) -> None:
        """Fetch a token; the caller holds the token lock."""
        self._renew_at = float("-inf")
        self._bearer.access_token = ""
        fetched_at = self._clock()
        url, headers, body = self._client_auth.prepare(  # type: ignore[no-untyped-call]
            "POST",
            self._token_url,
            {
                "Accept": "application/json",
                "Content-Type": "application/x-www-form-urlencoded",
            },
            prepare_token_request("client_credentials"),
        )
        request = self.build_request("POST", url, headers=headers, content=body)
        try:
            response = await super().send(request, auth=None)
        except httpx.TransportError as error:
            url = _where(httpx.URL(self._token_url))
            raise _named(error, "The token endpoint", url) from error
        token = self._token_from(response)
        self._bearer.access_token = token["access_token"]
        lifetime = token.get("expires_in")
        if lifetime is None:
            self._renew_at = float("inf")
        else:
            lifetime = float(lifetime)
            self._renew_at = fetched_at + lifetime - min(self.leeway, lifetime / 2)

    def _token_from(self, response: httpx.Response) -> dict[str, Any]:
        """The token in the endpoint's answer (RFC 6749 5.1), or why there is none (5.2)."""
        if response.status_code >= 500:
            response.raise_for_status()
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            response.raise_for_status()
            answer = {
                "error": "invalid_response",
                "error_description": "not a JSON object",
            }
        if "error" in answer or not isinstance(answer.get("access_token"), str):
            error = answer.get("error", "invalid_response")
            description = answer.get(
                "error_description", "no access_token in the answer"
            )
            raise TokenRefused(
                f"The token endpoint {_where(httpx.URL(self._token_url))} refused client {self.client_id!r}: "
                f"{error} ({description}). Check FASTRAMQPI__CLIENT_ID and FASTRAMQPI__CLIENT_SECRET."
            )
        return answer


def build_mo_client(
    settings: Settings, clock: Clock = time.time
) -> AuthenticatedMOClient:
    """The MO client ``settings`` describe; it is usable at once, no start-up needed."""
    return AuthenticatedMOClient(
        base_url=str(settings.mo_url),
        client_id=settings.client_id,
        client_secret=settings.client_secret.get_secret_value(),
        token_url=settings.token_url,
        timeout=settings.graphql_timeout,
        clock=clock,
    )
