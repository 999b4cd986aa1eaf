# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""What an integration declares (namespaces, listeners) and what its handlers receive."""

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Generic
from typing import TypeVar

from pydantic import BaseModel
from pydantic import ConfigDict


@dataclass(frozen=True)
class Namespace:
    """A namespace of our own, to send ourselves events; ``mo`` (MO's own events) always exists."""

    name: str
    public: bool = False


@dataclass(frozen=True)
class Listener:
    """A queue in MO for ``routing_key`` events of ``namespace``, delivered as POSTs to ``path``.

    ``user_key`` names the queue in MO: keep it stable, or MO starts a new empty queue and the
    old one keeps collecting events. ``parallelism`` is how many events are handled at once.
    ``silence_after``: silence a subject in MO after this many consecutive 4xx answers to it
    (off by default).
    """

    namespace: str
    user_key: str
    routing_key: str
    path: str
    parallelism: int = 1
    silence_after: int | None = None

    def __post_init__(self) -> None:
        if self.parallelism < 1:
            raise ValueError(
                f"Listener {self.user_key!r}: parallelism must be at least 1"
            )
        if self.silence_after is not None and (
            isinstance(self.silence_after, bool) or self.silence_after < 1
        ):
            raise ValueError(
                f"Listener {self.user_key!r}: silence_after must be None or at least 1, got {self.silence_after!r}"
            )
        if not self.path.startswith("/"):
            raise ValueError(
                f"Listener {self.user_key!r}: path must start with '/', got {self.path!r}"
            )


@dataclass(frozen=True)
class GraphQLEvents:
    """The namespaces and listeners an integration declares in MO at start-up."""

    declare_namespaces: Sequence[Namespace] = field(default_factory=list)
    declare_listeners: Sequence[Listener] = field(default_factory=list)

    def __post_init__(self) -> None:
        seen: set[tuple[str, str]] = set()
        for listener in self.declare_listeners:
            key = (listener.namespace, listener.user_key)
            if key in seen:
                raise ValueError(
                    f"Two listeners in namespace {listener.namespace!r} share the user_key {listener.user_key!r}"
                )
            seen.add(key)


T = TypeVar("T")


class Event(BaseModel, Generic[T]):
    """The body of an event delivery: ``Event[UUID]`` for MO's events, ``Event[Json[X]]`` for JSON."""

    model_config = ConfigDict(frozen=True)

    subject: T
    priority: int
