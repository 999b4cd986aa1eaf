# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""MO's list filters: every field left out (None) matches everything."""

from collections.abc import Container
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar
from uuid import UUID

from ._inbox import StoredEvent
from ._model import Listener
from ._model import Namespace

_T = TypeVar("_T")


def _allows(allowed: Container[_T] | None, value: _T) -> bool:
    return allowed is None or value in allowed


@dataclass(frozen=True)
class NamespaceFilter:
    names: Sequence[str] | None = None
    owners: Sequence[UUID] | None = None
    public: bool | None = None

    def matches(self, namespace: Namespace) -> bool:
        return (
            _allows(self.names, namespace.name)
            and _allows(self.owners, namespace.owner)
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
            _allows(self.uuids, listener.uuid)
            and _allows(self.user_keys, listener.user_key)
            and _allows(self.owners, listener.owner)
            and _allows(self.routing_keys, listener.routing_key)
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
            _allows(self.subjects, event.subject)
            and _allows(self.priorities, event.priority)
            and (self.silenced is None or event.silenced == self.silenced)
        )
