# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Keycloak's token endpoint: the client-credentials grant, refused as Keycloak refuses it."""

import base64
import binascii
from urllib.parse import parse_qsl
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.responses import Response

from ._auth import ClientRegistry
from ._auth import TokenIssuer
from ._auth import Verdict

_BAD_CLIENT = "Invalid client or Invalid client credentials"


class TokenEndpoint:
    """Counts the requests it answers, so a test can see a client reuse its token."""

    def __init__(
        self, realm: str, clients: ClientRegistry, issuer: TokenIssuer
    ) -> None:
        self.realm = realm
        self.clients = clients
        self.issuer = issuer
        self.requests = 0

    async def handle(self, request: Request) -> Response:
        self.requests += 1
        if request.path_params["realm"] != self.realm:
            return _error(404, "Realm does not exist", "Realm does not exist")
        form = dict(parse_qsl((await request.body()).decode("latin-1")))
        client_id, secret = _client_credentials(request, form)
        verdict = self.clients.check(client_id, secret)
        refusal = _refusal(verdict, form.get("grant_type"))
        if refusal is not None:
            return refusal
        issuer = f"{str(request.base_url).rstrip('/')}/auth/realms/{self.realm}"
        issued = self.issuer.issue(client_id, issuer)
        return JSONResponse(
            {
                "access_token": issued.access_token,
                "expires_in": issued.expires_in,
                "refresh_expires_in": 0,
                "token_type": "Bearer",
                "not-before-policy": 0,
                "scope": "profile email",
            },
            headers={"cache-control": "no-store", "pragma": "no-cache"},
        )


def _refusal(verdict: Verdict, grant_type: str | None) -> Response | None:
    """Keycloak's answer to a request it refuses, in the order Keycloak checks."""
    if verdict is Verdict.UNKNOWN_CLIENT:
        return _error(401, "invalid_client", _BAD_CLIENT)
    if verdict is not Verdict.ACCEPTED:
        return _error(401, "unauthorized_client", _BAD_CLIENT)
    if grant_type is None:
        return _error(400, "invalid_request", "Missing form parameter: grant_type")
    if grant_type != "client_credentials":
        return _error(400, "unsupported_grant_type", "Unsupported grant_type")
    return None


def _error(status: int, error: str, description: str) -> Response:
    return JSONResponse(
        {"error": error, "error_description": description}, status_code=status
    )


def _client_credentials(request: Request, form: dict[str, str]) -> tuple[str, str]:
    """From HTTP Basic (form-encoded parts, RFC 6749 2.3.1) or else from the form."""
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode()
        except (binascii.Error, UnicodeError):
            return "", ""
        client_id, _, secret = decoded.partition(":")
        return unquote(client_id.replace("+", " ")), unquote(secret.replace("+", " "))
    return form.get("client_id", ""), form.get("client_secret", "")
