# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""MO's event tables and the rules that change them, as plain data.

Nothing here locks, reads a clock or copies: `EventStore` does that around every call, so
each rule reads as the SQL transaction MO runs for it.
"""

from dataclasses import dataclass
from dataclasses import field
from uuid import UUID
from uuid import uuid4

from ._filters import EventFilter
from ._inbox import EPOCH
from ._inbox import Inbox
from ._inbox import StoredEvent
from ._model import MAX_SUBJECT_LENGTH
from ._model import MO_NAMESPACE
from ._model import EventSystemError
from ._model import Listener
from ._model import Namespace

Match = tuple[Inbox, Listener, StoredEvent]


@dataclass
class Tables:
    namespaces: dict[str, Namespace] = field(default_factory=dict)
    listeners: dict[UUID, Listener] = field(default_factory=dict)
    inboxes: dict[UUID, Inbox] = field(default_factory=dict)
    event_index: dict[UUID, tuple[UUID, str]] = field(default_factory=dict)
    seq: int = 0

    @classmethod
    def initial(cls, mo_owner: UUID) -> "Tables":
        """A fresh MO: only its own public namespace."""
        tables = cls()
        tables.namespaces[MO_NAMESPACE] = Namespace(
            MO_NAMESPACE, mo_owner, True, tables.next_seq()
        )
        return tables

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def declare_namespace(self, owner: UUID, name: str, public: bool) -> Namespace:
        existing = self.namespaces.get(name)
        if existing is None:
            created = Namespace(name, owner, public, self.next_seq())
            self.namespaces[name] = created
            return created
        if existing.owner != owner:
            raise EventSystemError(
                f"Namespace {name!r} is already claimed by another owner"
            )
        if existing.public != public:
            raise EventSystemError(
                f"Namespace {name!r} already exists with public={existing.public}"
            )
        return existing

    def delete_namespace(self, owner: UUID, name: str) -> None:
        existing = self.namespaces.get(name)
        if existing is None:
            raise EventSystemError(f"Namespace {name!r} does not exist")
        if existing.owner != owner:
            raise EventSystemError(f"Namespace {name!r} is owned by someone else")
        if any(lst.namespace == name for lst in self.listeners.values()):
            raise EventSystemError(
                f"Namespace {name!r} still has listeners; delete them first"
            )
        del self.namespaces[name]

    def declare_listener(
        self, owner: UUID, namespace: str, user_key: str, routing_key: str
    ) -> Listener:
        target = self.namespaces.get(namespace)
        if target is None:
            raise EventSystemError(f"Namespace {namespace!r} does not exist")
        if not target.public and target.owner != owner:
            raise EventSystemError(
                f"Namespace {namespace!r} is private to another owner"
            )
        for existing in self.listeners.values():
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
                return existing
        created = Listener(
            uuid4(), owner, user_key, routing_key, namespace, self.next_seq()
        )
        self.listeners[created.uuid] = created
        self.inboxes[created.uuid] = Inbox()
        return created

    def delete_listener(
        self, owner: UUID, uuid: UUID, delete_pending_events: bool
    ) -> None:
        existing = self.listeners.get(uuid)
        if existing is None or existing.owner != owner:
            raise EventSystemError(f"Listener {uuid} does not exist")
        inbox = self.inboxes[uuid]
        if inbox.events and not delete_pending_events:
            raise EventSystemError(
                f"Listener {uuid} has pending events; set delete_pending_events"
            )
        for event in inbox.events.values():
            del self.event_index[event.uuid]
        del self.listeners[uuid]
        del self.inboxes[uuid]

    def send(
        self,
        namespace: str,
        routing_key: str,
        subject: str,
        priority: int,
        owner: UUID | None = None,
    ) -> None:
        """Deliver to every matching listener; only `owner` may send, unless it is None."""
        target = self.namespaces.get(namespace)
        if target is None:
            raise EventSystemError(f"Namespace {namespace!r} does not exist")
        if owner is not None and target.owner != owner:
            raise EventSystemError(
                f"Only the owner of namespace {namespace!r} may send to it"
            )
        if priority < 1:
            raise EventSystemError("Priority must be at least 1")
        if len(subject) > MAX_SUBJECT_LENGTH:
            raise EventSystemError(
                f"Subject is longer than {MAX_SUBJECT_LENGTH} characters"
            )
        for listener in self.listeners.values():
            if listener.namespace == namespace and listener.routing_key == routing_key:
                self._put(listener, subject, priority)

    def _put(self, listener: Listener, subject: str, priority: int) -> None:
        """Store the event, or renew the one the listener holds for the same subject."""
        inbox = self.inboxes[listener.uuid]
        existing = inbox.events.get(subject)
        if existing is not None:
            existing.generation = uuid4()
            existing.last_tried = EPOCH
            existing.priority = min(existing.priority, priority)
            existing.fetched_count = 0
            inbox.reschedule(existing)
            return
        event = StoredEvent(
            uuid=uuid4(),
            listener=listener.uuid,
            subject=subject,
            priority=priority,
            generation=uuid4(),
            seq=self.next_seq(),
        )
        inbox.put(event)
        self.event_index[event.uuid] = (listener.uuid, subject)

    def claim(self, owner: UUID, listener: UUID, now: float) -> StoredEvent | None:
        target = self.listeners.get(listener)
        if target is None or target.owner != owner:
            return None
        return self.inboxes[listener].claim(now)

    def acknowledge(self, owner: UUID, event: UUID, generation: UUID) -> None:
        """Remove the event if this is its latest fetch; anything else is a silent no-op."""
        found = self.event_index.get(event)
        if found is None:
            return
        listener, subject = found
        if self.listeners[listener].owner != owner:
            return
        inbox = self.inboxes[listener]
        if inbox.events[subject].generation == generation:
            inbox.remove(subject)
            del self.event_index[event]

    def matching(self, where: EventFilter) -> list[Match]:
        """The events `where` selects, oldest first."""
        found: list[Match] = []
        for listener in self.listeners.values():
            if where.listeners is not None and not where.listeners.matches(
                listener, self.namespaces[listener.namespace]
            ):
                continue
            inbox = self.inboxes[listener.uuid]
            found.extend(
                (inbox, listener, event)
                for event in inbox.events.values()
                if where.matches(event)
            )
        found.sort(key=lambda match: match[2].seq)
        return found
