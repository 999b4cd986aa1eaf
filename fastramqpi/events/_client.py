# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The events client: the generated calls, plus acknowledging many events in one request.

A batch is one GraphQL mutation with a field per token (aliases), which ariadne-codegen cannot
generate as its size varies. Each acknowledgement sent alone costs the integration an HTTP
request and MO a request, a token check and a transaction; in a backlog that is about half the
work of an event on both sides.
"""

from collections.abc import Sequence
from functools import cache

from fastramqpi._events_client import EventsClient


@cache
def acknowledge_mutation(count: int) -> str:
    """The mutation acknowledging ``count`` tokens, passed as ``$t0`` .. ``$t{count-1}``."""
    variables = ", ".join(f"$t{i}: EventToken!" for i in range(count))
    fields = " ".join(
        f"a{i}: event_acknowledge(input: {{token: $t{i}}})" for i in range(count)
    )
    return f"mutation acknowledge_events({variables}) {{ {fields} }}"


class MOEvents(EventsClient):
    async def acknowledge_events(self, tokens: Sequence[str]) -> None:
        """Acknowledge every token in one request. MO answers ``true`` for each; any error
        (e.g. one unreadable token) fails the whole batch, as every field is non-null."""
        response = await self.execute(
            query=acknowledge_mutation(len(tokens)),
            operation_name="acknowledge_events",
            variables={f"t{i}": token for i, token in enumerate(tokens)},
        )
        self.get_data(response)
