# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The executable GraphQL schema: our SDL with resolvers and scalars bound to the store."""

import asyncio
import base64
import binascii
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any
from uuid import UUID

from graphql import GraphQLError
from graphql import GraphQLObjectType
from graphql import GraphQLResolveInfo
from graphql import GraphQLScalarType
from graphql import GraphQLSchema
from graphql import IntValueNode
from graphql import StringValueNode
from graphql import ValueNode
from graphql import build_schema

from .auth import ALL_ROLES
from .contention import Contention
from .permissions import ROLE_OF_FIELD
from .permissions import requiring
from .store import EventFilter
from .store import EventStore
from .store import EventView
from .store import Listener
from .store import ListenerFilter
from .store import Namespace
from .store import NamespaceFilter
from .store import decode_token

SDL = resources.files(__package__).joinpath("schema.graphql").read_text()

MO_VERSION = "30.0.0"
MO_HASH = "emulator"


@dataclass(frozen=True)
class RequestContext:
    store: EventStore
    owner: UUID
    contention: Contention
    roles: frozenset[str] = ALL_ROLES


Args = dict[str, Any]


def _context(info: GraphQLResolveInfo) -> RequestContext:
    context: RequestContext = info.context
    return context


# Scalars


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


def _bind_scalar(
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


# Filters from GraphQL input dictionaries


def _namespace_filter(raw: Args | None) -> NamespaceFilter | None:
    if raw is None:
        return None
    return NamespaceFilter(raw.get("names"), raw.get("owners"), raw.get("public"))


def _listener_filter(raw: Args | None) -> ListenerFilter | None:
    if raw is None:
        return None
    return ListenerFilter(
        raw.get("uuids"),
        raw.get("user_keys"),
        raw.get("owners"),
        raw.get("routing_keys"),
        _namespace_filter(raw.get("namespaces")),
    )


def _event_filter(
    raw: Args | None, listeners: ListenerFilter | None = None
) -> EventFilter:
    if raw is None:
        return EventFilter(listeners=listeners)
    return EventFilter(
        listeners=listeners or _listener_filter(raw.get("listeners")),
        subjects=raw.get("subjects"),
        priorities=raw.get("priorities"),
        silenced=raw.get("silenced"),
    )


def _paged(objects: list[Any], offset: int, limit: int | None) -> Args:
    more = bool(limit) and len(objects) == limit
    return {
        "objects": objects,
        "page_info": {"next_cursor": offset + len(objects) if more else None},
    }


# Query


def _version(_root: Any, _info: GraphQLResolveInfo) -> Args:
    return {"mo_version": MO_VERSION, "mo_hash": MO_HASH}


def _events(
    _root: Any,
    info: GraphQLResolveInfo,
    filter: Args | None = None,
    limit: int | None = None,
    cursor: int | None = None,
) -> Args:
    offset = cursor or 0
    found = _context(info).store.events(_event_filter(filter), offset, limit)
    return _paged(found, offset, limit)


def _event_listeners(
    _root: Any,
    info: GraphQLResolveInfo,
    filter: Args | None = None,
    limit: int | None = None,
    cursor: int | None = None,
) -> Args:
    offset = cursor or 0
    where = _listener_filter(filter) or ListenerFilter()
    return _paged(_context(info).store.listeners(where, offset, limit), offset, limit)


def _event_namespaces(
    _root: Any,
    info: GraphQLResolveInfo,
    filter: Args | None = None,
    limit: int | None = None,
    cursor: int | None = None,
) -> Args:
    offset = cursor or 0
    where = _namespace_filter(filter) or NamespaceFilter()
    return _paged(_context(info).store.namespaces(where, offset, limit), offset, limit)


async def _event_fetch(_root: Any, info: GraphQLResolveInfo, filter: Args) -> Any:
    context = _context(info)
    claim = context.contention.begin(filter["listener"])
    await asyncio.sleep(0)  # The claim's transaction: rival claims may run meanwhile.
    if context.contention.finish(claim):
        return None
    return context.store.fetch(context.owner, filter["listener"])


# Nested fields


def _full_event_listener(event: EventView, info: GraphQLResolveInfo) -> Listener | None:
    return _context(info).store.listener(event.listener)


def _listener_namespace(
    listener: Listener, info: GraphQLResolveInfo
) -> Namespace | None:
    return _context(info).store.namespace(listener.namespace)


def _listener_events(
    listener: Listener,
    info: GraphQLResolveInfo,
    filter: Args | None = None,
    limit: int | None = None,
    cursor: int | None = None,
) -> list[EventView]:
    where = _event_filter(filter, ListenerFilter(uuids=[listener.uuid]))
    return _context(info).store.events(where, cursor or 0, limit)


def _namespace_listeners(
    namespace: Namespace,
    info: GraphQLResolveInfo,
    filter: Args | None = None,
    limit: int | None = None,
    cursor: int | None = None,
) -> list[Listener]:
    raw = filter or {}
    where = ListenerFilter(
        raw.get("uuids"),
        raw.get("user_keys"),
        raw.get("owners"),
        raw.get("routing_keys"),
        NamespaceFilter(names=[namespace.name]),
    )
    return _context(info).store.listeners(where, cursor or 0, limit)


# Mutation


def _namespace_declare(_root: Any, info: GraphQLResolveInfo, input: Args) -> Namespace:
    context = _context(info)
    return context.store.declare_namespace(
        context.owner, input["name"], input["public"]
    )


def _namespace_delete(_root: Any, info: GraphQLResolveInfo, input: Args) -> bool:
    context = _context(info)
    return context.store.delete_namespace(context.owner, input["name"])


def _listener_declare(_root: Any, info: GraphQLResolveInfo, input: Args) -> Listener:
    context = _context(info)
    return context.store.declare_listener(
        context.owner, input["namespace"], input["user_key"], input["routing_key"]
    )


def _listener_delete(_root: Any, info: GraphQLResolveInfo, input: Args) -> bool:
    context = _context(info)
    return context.store.delete_listener(
        context.owner, input["uuid"], input["delete_pending_events"]
    )


def _acknowledge(_root: Any, info: GraphQLResolveInfo, input: Args) -> bool:
    context = _context(info)
    return context.store.acknowledge(context.owner, input["token"])


def _send(_root: Any, info: GraphQLResolveInfo, input: Args) -> bool:
    context = _context(info)
    return context.store.send(
        context.owner,
        input["namespace"],
        input["routing_key"],
        input["subject"],
        input["priority"],
    )


def _silence(_root: Any, info: GraphQLResolveInfo, input: Args) -> bool:
    listeners = _listener_filter(input["listeners"]) or ListenerFilter()
    return _context(info).store.silence(listeners, input["subjects"])


def _unsilence(_root: Any, info: GraphQLResolveInfo, input: Args) -> bool:
    return _context(info).store.unsilence(_event_filter(input))


def _rerun(_root: Any, info: GraphQLResolveInfo, input: Args) -> list[EventView]:
    return _context(info).store.rerun(_event_filter(input))


_RESOLVERS: dict[str, dict[str, Any]] = {
    "Query": {
        "version": _version,
        "events": _events,
        "event_listeners": _event_listeners,
        "event_namespaces": _event_namespaces,
        "event_fetch": _event_fetch,
    },
    "Mutation": {
        "event_namespace_declare": _namespace_declare,
        "event_namespace_delete": _namespace_delete,
        "event_listener_declare": _listener_declare,
        "event_listener_delete": _listener_delete,
        "event_acknowledge": _acknowledge,
        "event_send": _send,
        "event_silence": _silence,
        "event_unsilence": _unsilence,
        "event_rerun": _rerun,
    },
    "FullEvent": {"listener": _full_event_listener},
    "Listener": {"namespace": _listener_namespace, "events": _listener_events},
    "Namespace": {"listeners": _namespace_listeners},
}


def build_executable_schema() -> GraphQLSchema:
    schema = build_schema(SDL)
    for type_name, fields in _RESOLVERS.items():
        object_type = schema.type_map[type_name]
        assert isinstance(object_type, GraphQLObjectType)
        for field_name, resolve in fields.items():
            role = ROLE_OF_FIELD.get(field_name)
            object_type.fields[field_name].resolve = (
                resolve if role is None else requiring(role, resolve)
            )
    _bind_scalar(schema, "UUID", str, _parse_uuid)
    _bind_scalar(schema, "Cursor", _serialize_cursor, _parse_cursor)
    _bind_scalar(schema, "EventToken", str, _parse_token)
    _bind_scalar(schema, "int", int, _parse_limit, IntValueNode)
    return schema
