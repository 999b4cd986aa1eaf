# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The SDL's custom scalars, bound to a schema: what MO accepts and how it answers."""

import base64
import binascii
import json
from typing import Any
from uuid import UUID

from graphql import GraphQLError
from graphql import GraphQLScalarType
from graphql import GraphQLSchema
from graphql import IntValueNode
from graphql import StringValueNode
from graphql import ValueNode

from ._event_token import decode_token


def bind_scalars(schema: GraphQLSchema) -> None:
    _bind(schema, "UUID", str, _parse_uuid)
    _bind(schema, "Cursor", _serialize_cursor, _parse_cursor)
    _bind(schema, "EventToken", str, _parse_token)
    _bind(schema, "int", int, _parse_limit, IntValueNode)


def _parse_uuid(value: Any) -> UUID:
    if isinstance(value, UUID):
        return value
    if not isinstance(value, str):
        raise GraphQLError(f"UUID must be a string, not {value!r}")
    try:
        return UUID(value)
    except ValueError:
        raise GraphQLError(f"Invalid UUID: {value!r}") from None


def _serialize_cursor(offset: Any) -> str:
    return base64.b64encode(json.dumps({"offset": offset}).encode()).decode()


def _parse_cursor(value: Any) -> int:
    try:
        offset = json.loads(base64.b64decode(str(value).encode(), validate=True))[
            "offset"
        ]
    except (binascii.Error, UnicodeError, ValueError, TypeError, KeyError):
        raise GraphQLError(f"Invalid cursor: {value!r}") from None
    if not isinstance(offset, int) or offset < 0:
        raise GraphQLError(f"Invalid cursor: {value!r}")
    return offset


def _parse_token(value: Any) -> str:
    if not isinstance(value, str):
        raise GraphQLError("Invalid event token")
    try:
        decode_token(value)
    except ValueError:
        raise GraphQLError("Invalid event token") from None
    return value


def _parse_limit(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise GraphQLError(f"Invalid limit: {value!r}")
    return value


def _literal(parse: Any, node_type: type[ValueNode]) -> Any:
    def parse_literal(node: ValueNode, _variables: Any = None) -> Any:
        if not isinstance(node, node_type):
            raise GraphQLError("Unexpected literal for this scalar")
        raw = node.value  # type: ignore[attr-defined]
        return parse(int(raw) if node_type is IntValueNode else raw)

    return parse_literal


def _bind(
    schema: GraphQLSchema,
    name: str,
    serialize: Any,
    parse: Any,
    node_type: type[ValueNode] = StringValueNode,
) -> None:
    scalar = schema.type_map[name]
    assert isinstance(scalar, GraphQLScalarType)
    scalar.serialize = serialize  # type: ignore[method-assign]
    scalar.parse_value = parse  # type: ignore[method-assign]
    scalar.parse_literal = _literal(parse, node_type)  # type: ignore[method-assign]
    # graphql-core 3.3 executes with these new names; the old ones above are what 3.2 uses.
    for renamed, function in (
        ("coerce_output_value", serialize),
        ("coerce_input_value", parse),
    ):
        if hasattr(scalar, renamed):
            setattr(scalar, renamed, function)
