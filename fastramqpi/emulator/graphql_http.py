# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""GraphQL over HTTP as MO answers it: every outcome is HTTP 200 with a GraphQL body."""

import inspect
import json
import threading
from collections.abc import Callable
from collections.abc import Mapping
from typing import Any
from uuid import UUID

from graphql import DocumentNode
from graphql import ExecutionResult
from graphql import GraphQLError
from graphql import GraphQLSchema
from graphql import execute
from graphql import parse
from graphql import validate
from starlette.requests import ClientDisconnect
from starlette.requests import Request
from starlette.responses import Response

from .contention import Contention
from .resolvers import RequestContext
from .store import EventStore

NOT_AUTHENTICATED = "User is not authenticated"

_MAX_CACHED_DOCUMENTS = 1000


class GraphQLEndpoint:
    """Parses and validates each distinct query once; the event loop runs thousands of them."""

    def __init__(
        self,
        schema: GraphQLSchema,
        store: EventStore,
        authenticate: Callable[[str], UUID | None],
        contention: Contention,
        roles: Callable[[UUID], frozenset[str]],
    ) -> None:
        self.schema = schema
        self.store = store
        self.authenticate = authenticate
        self.contention = contention
        self.roles = roles
        self._documents: dict[str, DocumentNode | list[GraphQLError]] = {}
        self._lock = threading.Lock()

    async def __call__(self, request: Request) -> Response:
        owner = self._owner(request.headers.get("authorization", ""))
        if owner is None:
            return _graphql_response(
                {"data": None, "errors": [{"message": NOT_AUTHENTICATED}]}
            )
        try:
            raw = await request.body()
        except ClientDisconnect:
            return Response(
                status_code=499
            )  # Nobody is left to answer; nothing to log.
        try:
            body = json.loads(raw)
        except ValueError:
            return _bad_request("Request body is not valid JSON")
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            return _bad_request("Request body must be an object with a 'query' string")
        variables = body.get("variables")
        operation = body.get("operationName")
        if variables is not None and not isinstance(variables, dict):
            return _bad_request("'variables' must be an object")
        document = self._document(body["query"])
        if isinstance(document, list):
            return _graphql_response(
                {"data": None, "errors": [error.formatted for error in document]}
            )
        result = execute(
            self.schema,
            document,
            context_value=RequestContext(
                self.store, owner, self.contention, self.roles(owner)
            ),
            variable_values=variables,
            operation_name=operation if isinstance(operation, str) else None,
        )
        if inspect.isawaitable(result):
            result = await result
        assert isinstance(result, ExecutionResult)
        return _graphql_response(result.formatted)

    def _owner(self, authorization: str) -> UUID | None:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return self.authenticate(token.strip())

    def _document(self, query: str) -> DocumentNode | list[GraphQLError]:
        with self._lock:
            cached = self._documents.get(query)
        if cached is not None:
            return cached
        document: DocumentNode | list[GraphQLError]
        try:
            parsed = parse(query)
        except GraphQLError as error:
            document = [error]
        else:
            document = validate(self.schema, parsed) or parsed
        with self._lock:
            if len(self._documents) >= _MAX_CACHED_DOCUMENTS:
                self._documents.clear()
            self._documents[query] = document
        return document


def _graphql_response(payload: Mapping[str, Any]) -> Response:
    return Response(
        json.dumps(payload, separators=(",", ":")), media_type="application/json"
    )


def _bad_request(message: str) -> Response:
    return Response(
        json.dumps({"detail": message}), status_code=400, media_type="application/json"
    )
