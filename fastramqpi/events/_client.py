# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The events client: the generated calls, plus acknowledging many events in one request.

A batch is one GraphQL mutation with a field per token (aliases), which ariadne-codegen cannot
generate as its size varies. Each acknowledgement sent alone costs the integration an HTTP
request and MO a request, a token check and a transaction; in a backlog that is about half the
work of an event on both sides.
"""

from collections.abc import Callable
from collections.abc import Sequence
from functools import cache
from typing import Any
from typing import Protocol
from uuid import UUID

from fastramqpi._events_client import EventsClient
from fastramqpi._events_client import FetchEvent


class FetchedEvent(Protocol):
    @property
    def subject(self) -> str: ...
    @property
    def priority(self) -> int: ...
    @property
    def token(self) -> str: ...


class FetchResult(Protocol):
    @property
    def event_fetch(self) -> FetchedEvent | None: ...


class EventsAPI(Protocol):
    """The MO calls a fetcher makes (:class:`MOEvents` has them). ``on_sent`` is called
    once the fetch's request is on its way to MO, if the client can tell; see
    :mod:`fastramqpi.events._handover`."""

    async def fetch_event(
        self, listener: UUID, on_sent: Callable[[], None] | None = None
    ) -> FetchResult: ...
    async def acknowledge_events(self, tokens: Sequence[str]) -> object: ...
    async def silence_events(
        self, listeners: list[UUID], subjects: list[str]
    ) -> object: ...


@cache
def acknowledge_mutation(count: int) -> str:
    """The mutation acknowledging ``count`` tokens, passed as ``$t0`` .. ``$t{count-1}``."""
    variables = ", ".join(f"$t{i}: EventToken!" for i in range(count))
    fields = " ".join(
        f"a{i}: event_acknowledge(input: {{token: $t{i}}})" for i in range(count)
    )
    return f"mutation acknowledge_events({variables}) {{ {fields} }}"


class MOEvents(EventsClient):
    async def fetch_event(
        self,
        listener: UUID,
        on_sent: Callable[[], None] | None = None,
        **kwargs: Any,
    ) -> FetchEvent:
        if on_sent is not None:

            async def trace(name: str, info: object) -> None:
                if name.endswith("send_request_body.complete"):
                    on_sent()

            kwargs["extensions"] = {"trace": trace}
        return await super().fetch_event(listener, **kwargs)

    async def acknowledge_events(self, tokens: Sequence[str]) -> None:
        """Acknowledge every token in one request. MO answers ``true`` for each; any error
        (e.g. one unreadable token) fails the whole batch, as every field is non-null."""
        response = await self.execute(
            query=acknowledge_mutation(len(tokens)),
            operation_name="acknowledge_events",
            variables={f"t{i}": token for i, token in enumerate(tokens)},
        )
        self.get_data(response)
