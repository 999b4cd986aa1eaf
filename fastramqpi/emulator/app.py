# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The emulator's HTTP surface: GraphQL, the SDL, Keycloak's token endpoint, MO's testing API."""

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl
from urllib.parse import unquote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.responses import PlainTextResponse
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp
from starlette.types import Scope

from .auth import ClientRegistry
from .auth import ClientRoles
from .auth import TokenIssuer
from .auth import Verdict
from .contention import Contention
from .faults import FaultMiddleware
from .faults import Faults
from .graphql_http import GraphQLEndpoint
from .resolvers import SDL
from .resolvers import build_executable_schema
from .store import DEFAULT_PRIORITY
from .store import MO_NAMESPACE
from .store import EventStore
from .store import EventSystemError

OLDEST_VERSION = 20
NEWEST_VERSION = 30

_BAD_CLIENT = "Invalid client or Invalid client credentials"


@dataclass
class Backend:
    """Everything the HTTP handlers act on."""

    store: EventStore
    issuer: TokenIssuer
    clients: ClientRegistry
    faults: Faults
    realm: str
    contention: Contention
    roles: ClientRoles
    token_requests: int = 0


def build_app(backend: Backend) -> ASGIApp:
    graphql = GraphQLEndpoint(
        build_executable_schema(),
        backend.store,
        backend.issuer.owner,
        backend.contention,
        backend.roles.of_owner,
    )

    async def graphql_endpoint(request: Request) -> Response:
        if not _known_version(request):
            return PlainTextResponse("Not Found", status_code=404)
        return await graphql(request)

    async def schema_endpoint(request: Request) -> Response:
        if not _known_version(request):
            return PlainTextResponse("Not Found", status_code=404)
        return PlainTextResponse(SDL)

    async def token_endpoint(request: Request) -> Response:
        backend.token_requests += 1
        if request.path_params["realm"] != backend.realm:
            return JSONResponse(
                {
                    "error": "Realm does not exist",
                    "error_description": "Realm does not exist",
                },
                status_code=404,
            )
        form = dict(parse_qsl((await request.body()).decode("latin-1")))
        client_id, secret = _client_credentials(request, form)
        verdict = backend.clients.check(client_id, secret)
        if verdict is not Verdict.ACCEPTED:
            error = (
                "invalid_client"
                if verdict is Verdict.UNKNOWN_CLIENT
                else "unauthorized_client"
            )
            return JSONResponse(
                {"error": error, "error_description": _BAD_CLIENT}, status_code=401
            )
        grant_type = form.get("grant_type")
        if grant_type is None:
            return JSONResponse(
                {
                    "error": "invalid_request",
                    "error_description": "Missing form parameter: grant_type",
                },
                status_code=400,
            )
        if grant_type != "client_credentials":
            return JSONResponse(
                {
                    "error": "unsupported_grant_type",
                    "error_description": "Unsupported grant_type",
                },
                status_code=400,
            )
        issuer = f"{str(request.base_url).rstrip('/')}/auth/realms/{backend.realm}"
        issued = backend.issuer.issue(client_id, issuer)
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

    async def reset_last_tried(request: Request) -> Response:
        backend.store.reset_last_tried()
        return Response(status_code=204)

    async def snapshot(request: Request) -> Response:
        backend.store.snapshot()
        return Response(status_code=204)

    async def restore(request: Request) -> Response:
        try:
            backend.store.restore()
        except EventSystemError as error:
            return JSONResponse({"detail": str(error)}, status_code=400)
        return Response(status_code=204)

    async def reset(request: Request) -> Response:
        backend.store.reset()
        return Response(status_code=204)

    async def no_op(request: Request) -> Response:
        return Response(status_code=204)

    async def emit(request: Request) -> Response:
        try:
            body: Any = json.loads(await request.body())
            routing_key = body["routing_key"]
            subject = body["subject"]
            namespace = body.get("namespace", MO_NAMESPACE)
            priority = body.get("priority", DEFAULT_PRIORITY)
            if not (
                isinstance(routing_key, str)
                and isinstance(subject, str)
                and isinstance(namespace, str)
                and isinstance(priority, int)
            ):
                raise TypeError
        except (ValueError, KeyError, TypeError, AttributeError):
            return JSONResponse(
                {
                    "detail": "Expected JSON {routing_key: str, subject: str, "
                    "namespace?: str, priority?: int}"
                },
                status_code=400,
            )
        try:
            backend.store.emit(routing_key, subject, namespace, priority)
        except EventSystemError as error:
            return JSONResponse({"detail": str(error)}, status_code=400)
        return Response(status_code=204)

    routes = [
        Route("/graphql/v{version:int}", graphql_endpoint, methods=["POST"]),
        Route("/graphql/v{version:int}/schema.graphql", schema_endpoint),
        Route(
            "/auth/realms/{realm}/protocol/openid-connect/token",
            token_endpoint,
            methods=["POST"],
        ),
        Route("/testing/events/reset-last-tried", reset_last_tried, methods=["POST"]),
        Route("/testing/events/emit", emit, methods=["POST"]),
        Route("/testing/database/snapshot", snapshot, methods=["POST"]),
        Route("/testing/database/restore", restore, methods=["POST"]),
        Route("/testing/database/setup", no_op, methods=["POST"]),
        Route("/testing/database/reset", reset, methods=["POST"]),
        Route("/testing/amqp/emit", no_op, methods=["POST"]),
    ]
    return FaultMiddleware(Starlette(routes=routes), backend.faults, _faultable)


def _known_version(request: Request) -> bool:
    version: int = request.path_params["version"]
    return OLDEST_VERSION <= version <= NEWEST_VERSION


def _faultable(scope: Scope) -> bool:
    """Faults hit what a client retries (GraphQL and tokens), never the test controls."""
    path: str = scope["path"]
    if path.startswith("/auth/"):
        return True
    return path.startswith("/graphql/") and not path.endswith("/schema.graphql")


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
