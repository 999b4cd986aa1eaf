# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""An integration's own event queue in MO, as ``python -m fastramqpi.events`` sees it.

MO lists every client's listeners; "ours" are those owned by the ``uuid`` claim of our access
token, which is how MO itself names the owner of what a client declares. Reading and
counting are pure functions over what MO listed, so they are tested without a server.
"""

import base64
import binascii
import json
from collections import Counter
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal
from uuid import UUID

from fastramqpi._events_client import EventsClient

PAGE_SIZE = 1000
"""Events per page when listing a whole queue."""

Action = Literal["silence", "unsilence", "rerun"]


class CommandError(Exception):
    """A problem the operator can fix; its message is the one line the command prints."""


@dataclass(frozen=True)
class ListenerInfo:
    namespace: str
    user_key: str
    routing_key: str
    uuid: UUID


@dataclass(frozen=True)
class PendingEvent:
    listener: ListenerInfo
    subject: str
    priority: int
    silenced: bool


def owner_of_token(access_token: str) -> UUID:
    """The ``uuid`` claim of a JWT, read without verifying it: MO has verified it already."""
    try:
        payload = access_token.split(".")[1]
        claims = json.loads(
            base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        )
        return UUID(str(claims["uuid"]))
    except (IndexError, KeyError, TypeError, ValueError, binascii.Error):
        raise CommandError(
            "The access token has no 'uuid' claim, so MO cannot tell which listeners are this client's"
        ) from None


def select(
    listeners: Sequence[ListenerInfo], user_key: str | None, client_id: str
) -> list[ListenerInfo]:
    """Every listener, or those named ``user_key`` (one per namespace); unknown is an error."""
    if user_key is None:
        return list(listeners)
    chosen = [listener for listener in listeners if listener.user_key == user_key]
    if not chosen:
        known = ", ".join(sorted({listener.user_key for listener in listeners}))
        raise CommandError(
            f"Client {client_id!r} has no listener with user_key {user_key!r} in MO"
            + (f" (its listeners: {known})" if known else " (it has no listeners)")
        )
    return chosen


def counts(
    listeners: Sequence[ListenerInfo], events: Iterable[PendingEvent]
) -> list[dict[str, object]]:
    """Per listener: namespace, user_key, routing_key, uuid, pending and silenced counts."""
    pending: Counter[UUID] = Counter()
    silenced: Counter[UUID] = Counter()
    for event in events:
        pending[event.listener.uuid] += 1
        silenced[event.listener.uuid] += event.silenced
    return [
        {
            "namespace": listener.namespace,
            "user_key": listener.user_key,
            "routing_key": listener.routing_key,
            "uuid": str(listener.uuid),
            "pending": pending[listener.uuid],
            "silenced": silenced[listener.uuid],
        }
        for listener in listeners
    ]


def affected(action: Action, events: Iterable[PendingEvent]) -> list[PendingEvent]:
    """The listed events an action changes: silencing the unsilenced, unsilencing the
    silenced, rerunning all of them."""
    if action == "silence":
        return [event for event in events if not event.silenced]
    if action == "unsilence":
        return [event for event in events if event.silenced]
    return list(events)


def event_row(event: PendingEvent) -> dict[str, object]:
    return {
        "namespace": event.listener.namespace,
        "listener": event.listener.user_key,
        "subject": event.subject,
        "priority": event.priority,
        "silenced": event.silenced,
    }


def table(rows: Sequence[dict[str, object]], columns: Sequence[str]) -> str:
    """Plain aligned columns with an upper-case header; numbers aligned right."""
    cells = [[_cell(row[column]) for column in columns] for row in rows]
    numeric = [
        bool(rows)
        and all(
            isinstance(row[c], int) and not isinstance(row[c], bool) for row in rows
        )
        for c in columns
    ]
    header = [column.upper() for column in columns]
    widths = [
        max(len(line[i]) for line in [header, *cells]) for i in range(len(columns))
    ]
    lines = []
    for line in [header, *cells]:
        parts = [
            value.rjust(width) if right else value.ljust(width)
            for value, width, right in zip(line, widths, numeric, strict=True)
        ]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


class Queue:
    """The client's listeners and their events in MO, through the generated events client."""

    def __init__(self, mo: EventsClient, owner: UUID) -> None:
        self._mo = mo
        self._owner = owner

    async def listeners(self) -> list[ListenerInfo]:
        found: list[ListenerInfo] = []
        cursor: str | None = None
        while True:
            page = (await self._mo.own_listeners(self._owner, cursor)).event_listeners
            found.extend(
                ListenerInfo(o.namespace.name, o.user_key, o.routing_key, o.uuid)
                for o in page.objects
            )
            cursor = page.page_info.next_cursor
            if cursor is None or not page.objects:
                return found

    async def events(
        self,
        listeners: Sequence[ListenerInfo],
        subjects: Sequence[str] | None = None,
        limit: int | None = None,
    ) -> list[PendingEvent]:
        """The events MO holds for ``listeners`` (all, or the first ``limit``)."""
        if not listeners:
            return []
        by_uuid = {listener.uuid: listener for listener in listeners}
        found: list[PendingEvent] = []
        cursor: str | None = None
        while limit is None or len(found) < limit:
            size = PAGE_SIZE if limit is None else min(PAGE_SIZE, limit - len(found))
            page = (
                await self._mo.listed_events(
                    list(by_uuid),
                    None if subjects is None else list(subjects),
                    size,
                    cursor,
                )
            ).events
            found.extend(
                PendingEvent(
                    by_uuid[o.listener.uuid], o.subject, o.priority, o.silenced
                )
                for o in page.objects
                if o.listener.uuid in by_uuid
            )
            cursor = page.page_info.next_cursor
            if cursor is None or not page.objects:
                break
        return found

    async def apply(self, action: Action, events: Sequence[PendingEvent]) -> None:
        """Carry ``action`` out on exactly these events: one call per listener, naming its
        subjects, so no other event of the listener is touched."""
        subjects: dict[UUID, list[str]] = {}
        for event in events:
            subjects.setdefault(event.listener.uuid, []).append(event.subject)
        for uuid, names in subjects.items():
            if action == "silence":
                await self._mo.silence_events([uuid], names)
            elif action == "unsilence":
                await self._mo.unsilence_events([uuid], names)
            else:
                await self._mo.rerun_events([uuid], names)
