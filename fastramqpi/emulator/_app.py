# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The emulator's routes: GraphQL, the SDL, Keycloak's token endpoint, MO's testing API."""

from collections.abc import Awaitable
from collections.abc import Callable
from functools import partial

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp
from starlette.types import Scope

from ._faults import FaultMiddleware
from ._faults import Faults
from ._graphql_http import GraphQLEndpoint
from ._schema import SDL
from ._store import EventStore
from ._testing_api import testing_routes
from ._token_endpoint import TokenEndpoint

OLDEST_VERSION = 20
NEWEST_VERSION = 30

_Handle = Callable[[Request], Awaitable[Response]]


def build_app(
    graphql: GraphQLEndpoint, token: TokenEndpoint, store: EventStore, faults: Faults
) -> ASGIApp:
    routes = [
        Route(
            "/graphql/v{version:int}", partial(_versioned, graphql), methods=["POST"]
        ),
        Route("/graphql/v{version:int}/schema.graphql", partial(_versioned, _schema)),
        Route(
            "/auth/realms/{realm}/protocol/openid-connect/token",
            token.handle,
            methods=["POST"],
        ),
        *testing_routes(store),
    ]
    return FaultMiddleware(Starlette(routes=routes), faults, _faultable)


async def _versioned(handle: _Handle, request: Request) -> Response:
    """`handle`, for the GraphQL versions MO serves; any other is MO's plain 404."""
    version: int = request.path_params["version"]
    if not OLDEST_VERSION <= version <= NEWEST_VERSION:
        return PlainTextResponse("Not Found", status_code=404)
    return await handle(request)


async def _schema(request: Request) -> Response:
    return PlainTextResponse(SDL)


def _faultable(scope: Scope) -> bool:
    """Faults hit what a client retries (GraphQL and tokens), never the test controls."""
    path: str = scope["path"]
    if path.startswith("/auth/"):
        return True
    return path.startswith("/graphql/") and not path.endswith("/schema.graphql")
