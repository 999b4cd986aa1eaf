# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The resolvers of our SDL's fields: each turns GraphQL arguments into one store call."""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import replace
from typing import Any
from uuid import UUID

from graphql import GraphQLResolveInfo

from ._auth import ALL_ROLES
from ._contention import Contention
from ._filters import EventFilter
from ._filters import ListenerFilter
from ._filters import NamespaceFilter
from ._model import EventView
from ._model import Listener
from ._model import Namespace
from ._store import EventStore

MO_VERSION = "30.0.0"
MO_HASH = "emulator"

Args = dict[str, Any]
Resolver = Callable[..., Any]


@dataclass(frozen=True)
class RequestContext:
    store: EventStore
    owner: UUID
    contention: Contention
    roles: frozenset[str] = ALL_ROLES


def _context(info: GraphQLResolveInfo) -> RequestContext:
    context: RequestContext = info.context
    return context


# Filters from GraphQL input objects: an absent filter or field matches everything.


def _namespace_filter(raw: Args | None) -> NamespaceFilter:
    raw = raw or {}
    return NamespaceFilter(raw.get("names"), raw.get("owners"), raw.get("public"))


def _listener_filter(raw: Args | None) -> ListenerFilter:
    raw = raw or {}
    return ListenerFilter(
        raw.get("uuids"),
        raw.get("user_keys"),
        raw.get("owners"),
        raw.get("routing_keys"),
        _namespace_filter(raw.get("namespaces")),
    )


def _event_filter(raw: Args | None) -> EventFilter:
    raw = raw or {}
    return EventFilter(
        _listener_filter(raw.get("listeners")),
        raw.get("subjects"),
        raw.get("priorities"),
        raw.get("silenced"),
    )


def _events_of(listener: Listener, raw: Args | None) -> EventFilter:
    return replace(_event_filter(raw), listeners=ListenerFilter(uuids=[listener.uuid]))


def _listeners_of(namespace: Namespace, raw: Args | None) -> ListenerFilter:
    names = NamespaceFilter(names=[namespace.name])
    return replace(_listener_filter(raw), namespaces=names)


# Lists and mutations: one shape each, differing only in the store call.


def _list_of(read: str, where: Callable[[Any, Args | None], object]) -> Resolver:
    """A list field: the store's method `read`, `where(parent, filter)` selecting and
    `cursor` and `limit` paging."""

    def resolve(
        parent: Any,
        info: GraphQLResolveInfo,
        filter: Args | None = None,
        limit: int | None = None,
        cursor: int | None = None,
    ) -> Any:
        store = _context(info).store
        return getattr(store, read)(where(parent, filter), cursor or 0, limit)

    return resolve


def _paged(resolve_list: Resolver) -> Resolver:
    """A top-level list query: the list with the cursor of its next page (null on the last)."""

    def resolve(
        root: Any,
        info: GraphQLResolveInfo,
        filter: Args | None = None,
        limit: int | None = None,
        cursor: int | None = None,
    ) -> Args:
        found = resolve_list(root, info, filter, limit, cursor)
        more = bool(limit) and len(found) == limit
        next_cursor = (cursor or 0) + len(found) if more else None
        return {"objects": found, "page_info": {"next_cursor": next_cursor}}

    return resolve


def _as_caller(operation: str, *fields: str) -> Resolver:
    """A mutation: the store's method `operation` for the caller, with these input fields.

    Looked up on the store itself, so a test or benchmark may wrap one store's methods.
    """

    def resolve(_root: Any, info: GraphQLResolveInfo, input: Args) -> Any:
        context = _context(info)
        call = getattr(context.store, operation)
        return call(context.owner, *(input[name] for name in fields))

    return resolve


# The rest, one of a kind.


def _version(_root: Any, _info: GraphQLResolveInfo) -> Args:
    return {"mo_version": MO_VERSION, "mo_hash": MO_HASH}


async def _event_fetch(_root: Any, info: GraphQLResolveInfo, filter: Args) -> Any:
    context = _context(info)
    claim = context.contention.begin(filter["listener"])
    # The claim's transaction: rival claims may run meanwhile.
    await asyncio.sleep(context.contention.seconds(claim))
    if context.contention.finish(claim):
        return None
    return context.store.fetch(context.owner, filter["listener"])


def _full_event_listener(event: EventView, info: GraphQLResolveInfo) -> Listener | None:
    return _context(info).store.listener(event.listener)


def _listener_namespace(
    listener: Listener, info: GraphQLResolveInfo
) -> Namespace | None:
    return _context(info).store.namespace(listener.namespace)


def _silence(_root: Any, info: GraphQLResolveInfo, input: Args) -> bool:
    listeners = _listener_filter(input["listeners"])
    return _context(info).store.silence(listeners, input["subjects"])


def _unsilence(_root: Any, info: GraphQLResolveInfo, input: Args) -> bool:
    return _context(info).store.unsilence(_event_filter(input))


def _rerun(_root: Any, info: GraphQLResolveInfo, input: Args) -> list[EventView]:
    return _context(info).store.rerun(_event_filter(input))


RESOLVERS: dict[str, dict[str, Resolver]] = {
    "Query": {
        "version": _version,
        "events": _paged(_list_of("events", lambda _, raw: _event_filter(raw))),
        "event_listeners": _paged(
            _list_of("listeners", lambda _, raw: _listener_filter(raw))
        ),
        "event_namespaces": _paged(
            _list_of("namespaces", lambda _, raw: _namespace_filter(raw))
        ),
        "event_fetch": _event_fetch,
    },
    "Mutation": {
        "event_namespace_declare": _as_caller("declare_namespace", "name", "public"),
        "event_namespace_delete": _as_caller("delete_namespace", "name"),
        "event_listener_declare": _as_caller(
            "declare_listener", "namespace", "user_key", "routing_key"
        ),
        "event_listener_delete": _as_caller(
            "delete_listener", "uuid", "delete_pending_events"
        ),
        "event_acknowledge": _as_caller("acknowledge", "token"),
        "event_send": _as_caller(
            "send", "namespace", "routing_key", "subject", "priority"
        ),
        "event_silence": _silence,
        "event_unsilence": _unsilence,
        "event_rerun": _rerun,
    },
    "FullEvent": {"listener": _full_event_listener},
    "Listener": {
        "namespace": _listener_namespace,
        "events": _list_of("events", _events_of),
    },
    "Namespace": {"listeners": _list_of("listeners", _listeners_of)},
}
"""By type and field of the SDL; `_schema` adds the role each field needs."""
