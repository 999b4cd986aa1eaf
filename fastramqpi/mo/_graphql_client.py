# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Lending the shared MO client to an integration's generated GraphQL client."""

from contextlib import AbstractAsyncContextManager
from typing import Any
from typing import Protocol

import httpx
from typing_extensions import TypeVar


class SharedMOClient:
    """Lends the MO client to a GraphQL client without letting it close it.

    ariadne-codegen's client closes the ``http_client`` it was given when it exits. The MO
    client is shared with handlers and event fetchers that may still be running then, so it
    is closed only by its own lifespan manager, after everything else has stopped.
    """

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def post(self, url: Any, **kwargs: Any) -> httpx.Response:
        return await self._client.post(url, **kwargs)

    async def aclose(self) -> None:
        """Leave the MO client open for its other users."""

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


GraphQLClientT_co = TypeVar(
    "GraphQLClientT_co",
    bound=AbstractAsyncContextManager[Any],
    covariant=True,
    default=Any,
)


class GraphQLClientClass(Protocol[GraphQLClientT_co]):
    """Any class ariadne-codegen generates: ``cls(url=..., http_client=...)``, used with ``async with``."""

    def __call__(self, *, url: str, http_client: Any) -> GraphQLClientT_co: ...
