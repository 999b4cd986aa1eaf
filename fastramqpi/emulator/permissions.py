# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Which of MO's realm roles each GraphQL field needs, and the guard that refuses without it."""

from collections.abc import Callable
from typing import Any

from graphql import GraphQLError
from graphql import GraphQLResolveInfo

ROLE_OF_FIELD = {
    "events": "read_event",
    "event_listeners": "read_event_listener",
    "event_namespaces": "read_event_namespace",
    "event_fetch": "fetch_event",
    "event_namespace_declare": "create_event_namespace",
    "event_namespace_delete": "delete_event_namespace",
    "event_listener_declare": "create_event_listener",
    "event_listener_delete": "delete_event_listener",
    "event_acknowledge": "acknowledge_event",
    "event_send": "send_event",
    "event_silence": "silence_event",
    "event_unsilence": "unsilence_event",
    "event_rerun": "rerun_event",
}
"""By field name, so `Listener.events` needs `read_event` as the `events` query does."""


def requiring(role: str, resolve: Callable[..., Any]) -> Callable[..., Any]:
    """`resolve`, refused with a GraphQL error (as MO refuses) for a caller without `role`.

    The request context must carry the caller's roles as `roles`.
    """

    def guarded(root: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
        if role not in info.context.roles:
            raise GraphQLError(f"Permission denied: the {role!r} role is required")
        return resolve(root, info, **args)

    return guarded
