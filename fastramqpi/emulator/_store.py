# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""MO's event system: namespaces, listeners and events, with MO's rules and errors.

Pure in-memory state guarded by one lock, so every operation is atomic like MO's SQL
transactions (two fetchers never claim the same event). Time comes from an injected clock.
"""

import base64
import binascii
import copy
import threading
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import TypeVar
from uuid import UUID
from uuid import uuid4

from ._clock import Clock
from ._inbox import EPOCH
from ._inbox import Inbox
from ._inbox import StoredEvent

MAX_SUBJECT_LENGTH = 220
DEFAULT_PRIORITY = 10000
MO_NAMESPACE = "mo"
MO_ROUTING_KEYS = (
    "address",
    "association",
    "class",
    "engagement",
    "facet",
    "itsystem",
    "ituser",
    "kle",
    "leave",
    "manager",
    "org_unit",
    "owner",
    "person",
    "related_unit",
    "rolebinding",
)

_T = TypeVar("_T")


class EventSystemError(Exception):
    """A refusal that MO answers as a GraphQL error; the message is shown to the caller."""


@dataclass
class Namespace:
    name: str
    owner: UUID
    public: bool
    seq: int


@dataclass
class Listener:
    uuid: UUID
    owner: UUID
    user_key: str
    routing_key: str
    namespace: str
    seq: int


@dataclass(frozen=True)
class FetchedEvent:
    subject: str
    priority: int
    token: str


@dataclass(frozen=True)
class EventView:
    """A stored event as the list queries show it."""

    subject: str
    priority: int
    silenced: bool
    listener: UUID
    namespace: str
    routing_key: str
    fetched_count: int
    last_tried: float


@dataclass(frozen=True)
class NamespaceFilter:
    names: Sequence[str] | None = None
    owners: Sequence[UUID] | None = None
    public: bool | None = None

    def matches(self, namespace: Namespace) -> bool:
        return (
            (self.names is None or namespace.name in self.names)
            and (self.owners is None or namespace.owner in self.owners)
            and (self.public is None or namespace.public == self.public)
        )


@dataclass(frozen=True)
class ListenerFilter:
    uuids: Sequence[UUID] | None = None
    user_keys: Sequence[str] | None = None
    owners: Sequence[UUID] | None = None
    routing_keys: Sequence[str] | None = None
    namespaces: NamespaceFilter | None = None

    def matches(self, listener: Listener, namespace: Namespace) -> bool:
        return (
            (self.uuids is None or listener.uuid in self.uuids)
            and (self.user_keys is None or listener.user_key in self.user_keys)
            and (self.owners is None or listener.owner in self.owners)
            and (self.routing_keys is None or listener.routing_key in self.routing_keys)
            and (self.namespaces is None or self.namespaces.matches(namespace))
        )


@dataclass(frozen=True)
class EventFilter:
    listeners: ListenerFilter | None = None
    subjects: Sequence[str] | None = None
    priorities: Sequence[int] | None = None
    silenced: bool | None = None

    def matches(self, event: StoredEvent) -> bool:
        return (
            (self.subjects is None or event.subject in self.subjects)
            and (self.priorities is None or event.priority in self.priorities)
            and (self.silenced is None or event.silenced == self.silenced)
        )


def encode_token(event: UUID, generation: UUID) -> str:
    return base64.b64encode(f"{event}.{generation}".encode()).decode()


def decode_token(token: str) -> tuple[UUID, UUID]:
    """Raises ValueError for anything that is not a token this emulator could have made."""
    try:
        text = base64.b64decode(token.encode(), validate=True).decode()
        event, generation = text.split(".")
        return UUID(event), UUID(generation)
    except (binascii.Error, UnicodeError, ValueError) as error:
        raise ValueError("Invalid event token") from error


@dataclass
class _State:
    namespaces: dict[str, Namespace] = field(default_factory=dict)
    listeners: dict[UUID, Listener] = field(default_factory=dict)
    inboxes: dict[UUID, Inbox] = field(default_factory=dict)
    event_index: dict[UUID, tuple[UUID, str]] = field(default_factory=dict)
    seq: int = 0

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq


def _page(items: list[_T], offset: int, limit: int | None) -> list[_T]:
    if limit is None:
        return items[offset:]
    return items[offset : offset + limit]


class EventStore:
    """The state of MO's event system, with one method per GraphQL operation."""

    def __init__(self, clock: Clock, mo_owner: UUID) -> None:
        self.clock = clock
        self.mo_owner = mo_owner
        self._lock = threading.Lock()
        self._state = self._initial_state()
        self._snapshot: _State | None = None

    def _initial_state(self) -> _State:
        state = _State()
        state.namespaces[MO_NAMESPACE] = Namespace(
            MO_NAMESPACE, self.mo_owner, True, state.next_seq()
        )
        return state

    # Namespaces

    def declare_namespace(self, owner: UUID, name: str, public: bool) -> Namespace:
        with self._lock:
            state = self._state
            existing = state.namespaces.get(name)
            if existing is None:
                created = Namespace(name, owner, public, state.next_seq())
                state.namespaces[name] = created
                return copy.copy(created)
            if existing.owner != owner:
                raise EventSystemError(
                    f"Namespace {name!r} is already claimed by another owner"
                )
            if existing.public != public:
                raise EventSystemError(
                    f"Namespace {name!r} already exists with public={existing.public}"
                )
            return copy.copy(existing)

    def delete_namespace(self, owner: UUID, name: str) -> bool:
        with self._lock:
            state = self._state
            existing = state.namespaces.get(name)
            if existing is None:
                raise EventSystemError(f"Namespace {name!r} does not exist")
            if existing.owner != owner:
                raise EventSystemError(f"Namespace {name!r} is owned by someone else")
            if any(lst.namespace == name for lst in state.listeners.values()):
                raise EventSystemError(
                    f"Namespace {name!r} still has listeners; delete them first"
                )
            del state.namespaces[name]
            return True

    # Listeners

    def declare_listener(
        self, owner: UUID, namespace: str, user_key: str, routing_key: str
    ) -> Listener:
        with self._lock:
            state = self._state
            target = state.namespaces.get(namespace)
            if target is None:
                raise EventSystemError(f"Namespace {namespace!r} does not exist")
            if not target.public and target.owner != owner:
                raise EventSystemError(
                    f"Namespace {namespace!r} is private to another owner"
                )
            for existing in state.listeners.values():
                if (
                    existing.owner == owner
                    and existing.namespace == namespace
                    and existing.user_key == user_key
                ):
                    if existing.routing_key != routing_key:
                        raise EventSystemError(
                            f"Listener {user_key!r} already exists with routing key "
                            f"{existing.routing_key!r}"
                        )
                    return copy.copy(existing)
            created = Listener(
                uuid4(), owner, user_key, routing_key, namespace, state.next_seq()
            )
            state.listeners[created.uuid] = created
            state.inboxes[created.uuid] = Inbox()
            return copy.copy(created)

    def delete_listener(
        self, owner: UUID, uuid: UUID, delete_pending_events: bool
    ) -> bool:
        with self._lock:
            state = self._state
            existing = state.listeners.get(uuid)
            if existing is None or existing.owner != owner:
                raise EventSystemError(f"Listener {uuid} does not exist")
            inbox = state.inboxes[uuid]
            if inbox.events and not delete_pending_events:
                raise EventSystemError(
                    f"Listener {uuid} has pending events; set delete_pending_events"
                )
            for event in inbox.events.values():
                del state.event_index[event.uuid]
            del state.listeners[uuid]
            del state.inboxes[uuid]
            return True

    # Events

    def send(
        self,
        owner: UUID,
        namespace: str,
        routing_key: str,
        subject: str,
        priority: int = DEFAULT_PRIORITY,
    ) -> bool:
        with self._lock:
            target = self._state.namespaces.get(namespace)
            if target is None:
                raise EventSystemError(f"Namespace {namespace!r} does not exist")
            if target.owner != owner:
                raise EventSystemError(
                    f"Only the owner of namespace {namespace!r} may send to it"
                )
            self._deliver(namespace, routing_key, subject, priority)
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
            if namespace not in self._state.namespaces:
                raise EventSystemError(f"Namespace {namespace!r} does not exist")
            self._deliver(namespace, routing_key, subject, priority)

    def _deliver(
        self, namespace: str, routing_key: str, subject: str, priority: int
    ) -> None:
        if priority < 1:
            raise EventSystemError("Priority must be at least 1")
        if len(subject) > MAX_SUBJECT_LENGTH:
            raise EventSystemError(
                f"Subject is longer than {MAX_SUBJECT_LENGTH} characters"
            )
        state = self._state
        for listener in state.listeners.values():
            if listener.namespace != namespace or listener.routing_key != routing_key:
                continue
            inbox = state.inboxes[listener.uuid]
            existing = inbox.events.get(subject)
            if existing is not None:
                existing.generation = uuid4()
                existing.last_tried = EPOCH
                existing.priority = min(existing.priority, priority)
                existing.fetched_count = 0
                inbox.reschedule(existing)
                continue
            event = StoredEvent(
                uuid=uuid4(),
                listener=listener.uuid,
                subject=subject,
                priority=priority,
                generation=uuid4(),
                seq=state.next_seq(),
            )
            inbox.put(event)
            state.event_index[event.uuid] = (listener.uuid, subject)

    def fetch(self, owner: UUID, listener: UUID) -> FetchedEvent | None:
        with self._lock:
            state = self._state
            target = state.listeners.get(listener)
            if target is None or target.owner != owner:
                return None
            event = state.inboxes[listener].claim(self.clock.now())
            if event is None:
                return None
            return FetchedEvent(
                event.subject,
                event.priority,
                encode_token(event.uuid, event.generation),
            )

    def acknowledge(self, owner: UUID, token: str) -> bool:
        event_uuid, generation = decode_token(token)
        with self._lock:
            state = self._state
            found = state.event_index.get(event_uuid)
            if found is None:
                return True
            listener_uuid, subject = found
            if state.listeners[listener_uuid].owner != owner:
                return True
            inbox = state.inboxes[listener_uuid]
            if inbox.events[subject].generation == generation:
                inbox.remove(subject)
                del state.event_index[event_uuid]
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
            for inbox, listener, event in self._matching(where):
                change(event)
                inbox.reschedule(event)
                changed.append(_view(event, listener))
            return changed

    def _matching(
        self, where: EventFilter
    ) -> list[tuple[Inbox, Listener, StoredEvent]]:
        state = self._state
        found: list[tuple[Inbox, Listener, StoredEvent]] = []
        for listener in state.listeners.values():
            if where.listeners is not None and not where.listeners.matches(
                listener, state.namespaces[listener.namespace]
            ):
                continue
            inbox = state.inboxes[listener.uuid]
            found.extend(
                (inbox, listener, event)
                for event in inbox.events.values()
                if where.matches(event)
            )
        found.sort(key=lambda match: match[2].seq)
        return found

    # Reading

    def events(
        self, where: EventFilter, offset: int = 0, limit: int | None = None
    ) -> list[EventView]:
        with self._lock:
            matching = [
                _view(event, listener) for _, listener, event in self._matching(where)
            ]
        return _page(matching, offset, limit)

    def listeners(
        self, where: ListenerFilter, offset: int = 0, limit: int | None = None
    ) -> list[Listener]:
        with self._lock:
            state = self._state
            matching = [
                copy.copy(listener)
                for listener in state.listeners.values()
                if where.matches(listener, state.namespaces[listener.namespace])
            ]
        return _page(matching, offset, limit)

    def namespaces(
        self, where: NamespaceFilter, offset: int = 0, limit: int | None = None
    ) -> list[Namespace]:
        with self._lock:
            matching = [
                copy.copy(namespace)
                for namespace in self._state.namespaces.values()
                if where.matches(namespace)
            ]
        return _page(matching, offset, limit)

    def namespace(self, name: str) -> Namespace | None:
        with self._lock:
            found = self._state.namespaces.get(name)
            return None if found is None else copy.copy(found)

    def listener(self, uuid: UUID) -> Listener | None:
        with self._lock:
            found = self._state.listeners.get(uuid)
            return None if found is None else copy.copy(found)

    # Whole-database operations of MO's testing API

    def snapshot(self) -> None:
        with self._lock:
            self._snapshot = copy.deepcopy(self._state)

    def restore(self) -> None:
        with self._lock:
            if self._snapshot is None:
                raise EventSystemError("No snapshot has been taken")
            self._state = copy.deepcopy(self._snapshot)

    def reset(self) -> None:
        with self._lock:
            self._state = self._initial_state()


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
