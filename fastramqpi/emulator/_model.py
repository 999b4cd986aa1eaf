# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The rows of MO's event system as the emulator hands them out, and MO's limits on them."""

from dataclasses import dataclass
from uuid import UUID

MAX_SUBJECT_LENGTH = 220
DEFAULT_PRIORITY = 10000
MO_NAMESPACE = "mo"


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
