# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""MO's event system as one object: one method per GraphQL operation, each atomic.

One lock guards the tables, so every operation is atomic like MO's SQL transactions (two
fetchers never claim the same event); what leaves the store is a copy. Time comes from an
injected clock.
"""

import copy
import threading
from collections.abc import Callable
from collections.abc import Sequence
from typing import TypeVar
from uuid import UUID

from ._clock import Clock
from ._event_token import decode_token
from ._event_token import encode_token
from ._filters import EventFilter
from ._filters import ListenerFilter
from ._filters import NamespaceFilter
from ._inbox import EPOCH
from ._inbox import StoredEvent
from ._model import DEFAULT_PRIORITY
from ._model import MO_NAMESPACE
from ._model import EventSystemError
from ._model import EventView
from ._model import FetchedEvent
from ._model import Listener
from ._model import Namespace
from ._tables import Tables

_T = TypeVar("_T")


class EventStore:
    def __init__(self, clock: Clock, mo_owner: UUID) -> None:
        self.clock = clock
        self.mo_owner = mo_owner
        self._lock = threading.Lock()
        self._tables = Tables.initial(mo_owner)
        self._snapshot: Tables | None = None

    def declare_namespace(self, owner: UUID, name: str, public: bool) -> Namespace:
        with self._lock:
            return copy.copy(self._tables.declare_namespace(owner, name, public))

    def delete_namespace(self, owner: UUID, name: str) -> bool:
        with self._lock:
            self._tables.delete_namespace(owner, name)
        return True

    def declare_listener(
        self, owner: UUID, namespace: str, user_key: str, routing_key: str
    ) -> Listener:
        with self._lock:
            declared = self._tables.declare_listener(
                owner, namespace, user_key, routing_key
            )
            return copy.copy(declared)

    def delete_listener(
        self, owner: UUID, uuid: UUID, delete_pending_events: bool
    ) -> bool:
        with self._lock:
            self._tables.delete_listener(owner, uuid, delete_pending_events)
        return True

    def send(
        self,
        owner: UUID,
        namespace: str,
        routing_key: str,
        subject: str,
        priority: int = DEFAULT_PRIORITY,
    ) -> bool:
        with self._lock:
            self._tables.send(namespace, routing_key, subject, priority, owner=owner)
        return True

    def emit(
        self,
        routing_key: str,
        subject: str,
        namespace: str = MO_NAMESPACE,
        priority: int = DEFAULT_PRIORITY,
    ) -> None:
        """Send as the namespace's owner: how MO publishes its own changes."""
        with self._lock:
            self._tables.send(namespace, routing_key, subject, priority)

    def fetch(self, owner: UUID, listener: UUID) -> FetchedEvent | None:
        with self._lock:
            event = self._tables.claim(owner, listener, self.clock.now())
            if event is None:
                return None
            token = encode_token(event.uuid, event.generation)
            return FetchedEvent(event.subject, event.priority, token)

    def acknowledge(self, owner: UUID, token: str) -> bool:
        event, generation = decode_token(token)
        with self._lock:
            self._tables.acknowledge(owner, event, generation)
        return True

    def silence(self, listeners: ListenerFilter, subjects: Sequence[str]) -> bool:
        def change(event: StoredEvent) -> None:
            event.silenced = True

        self._update(EventFilter(listeners=listeners, subjects=subjects), change)
        return True

    def unsilence(self, where: EventFilter) -> bool:
        def change(event: StoredEvent) -> None:
            event.silenced = False
            event.last_tried = EPOCH

        self._update(where, change)
        return True

    def rerun(self, where: EventFilter) -> list[EventView]:
        def change(event: StoredEvent) -> None:
            event.last_tried = EPOCH

        return self._update(where, change)

    def reset_last_tried(self) -> None:
        self.rerun(EventFilter())

    def _update(
        self, where: EventFilter, change: Callable[[StoredEvent], None]
    ) -> list[EventView]:
        with self._lock:
            changed = []
            for inbox, listener, event in self._tables.matching(where):
                change(event)
                inbox.reschedule(event)
                changed.append(_view(event, listener))
            return changed

    def events(
        self, where: EventFilter, offset: int = 0, limit: int | None = None
    ) -> list[EventView]:
        with self._lock:
            matching = [
                _view(event, listener)
                for _, listener, event in self._tables.matching(where)
            ]
        return _page(matching, offset, limit)

    def listeners(
        self, where: ListenerFilter, offset: int = 0, limit: int | None = None
    ) -> list[Listener]:
        with self._lock:
            tables = self._tables
            matching = [
                copy.copy(listener)
                for listener in tables.listeners.values()
                if where.matches(listener, tables.namespaces[listener.namespace])
            ]
        return _page(matching, offset, limit)

    def namespaces(
        self, where: NamespaceFilter, offset: int = 0, limit: int | None = None
    ) -> list[Namespace]:
        with self._lock:
            matching = [
                copy.copy(namespace)
                for namespace in self._tables.namespaces.values()
                if where.matches(namespace)
            ]
        return _page(matching, offset, limit)

    def namespace(self, name: str) -> Namespace | None:
        with self._lock:
            return copy.copy(self._tables.namespaces.get(name))

    def listener(self, uuid: UUID) -> Listener | None:
        with self._lock:
            return copy.copy(self._tables.listeners.get(uuid))

    # The whole-database operations of MO's testing API.

    def snapshot(self) -> None:
        with self._lock:
            self._snapshot = copy.deepcopy(self._tables)

    def restore(self) -> None:
        with self._lock:
            if self._snapshot is None:
                raise EventSystemError("No snapshot has been taken")
            self._tables = copy.deepcopy(self._snapshot)

    def reset(self) -> None:
        with self._lock:
            self._tables = Tables.initial(self.mo_owner)


def _page(items: list[_T], offset: int, limit: int | None) -> list[_T]:
    if limit is None:
        return items[offset:]
    return items[offset : offset + limit]


def _view(event: StoredEvent, listener: Listener) -> EventView:
    return EventView(
        event.subject,
        event.priority,
        event.silenced,
        event.listener,
        listener.namespace,
        listener.routing_key,
        event.fetched_count,
        event.last_tried,
    )
