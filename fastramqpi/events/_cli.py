# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""``python -m fastramqpi.events``: the integration's own event queue in MO, from a shell.

It runs with the integration's environment (``FASTRAMQPI__*``), so it is the integration's
client to MO and sees exactly its listeners. Every failure is one line on stderr and exit
status 1; a usage error is argparse's, status 2.
"""

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence

import httpx
from pydantic import ValidationError

from fastramqpi._events_client import EventsClient
from fastramqpi._events_client import GraphQLClientGraphQLMultiError
from fastramqpi._events_client import GraphQLClientHttpError
from fastramqpi._events_client import GraphQLClientInvalidResponseError
from fastramqpi.config import ENV_PREFIX
from fastramqpi.config import Settings
from fastramqpi.config import join_url
from fastramqpi.events import EVENTS_GRAPHQL_VERSION
from fastramqpi.events._queue import Action
from fastramqpi.events._queue import CommandError
from fastramqpi.events._queue import ListenerInfo
from fastramqpi.events._queue import Queue
from fastramqpi.events._queue import affected
from fastramqpi.events._queue import counts
from fastramqpi.events._queue import event_row
from fastramqpi.events._queue import owner_of_token
from fastramqpi.events._queue import select
from fastramqpi.events._queue import table
from fastramqpi.mo import TokenRefused
from fastramqpi.mo import build_mo_client

PROG = "python -m fastramqpi.events"

_DESCRIPTION = f"""\
The integration's own event queue in MO: its listeners, their pending events, and
silencing, unsilencing and rerunning them. Run it with the integration's environment
({ENV_PREFIX}MO_URL, {ENV_PREFIX}CLIENT_ID, {ENV_PREFIX}CLIENT_SECRET, {ENV_PREFIX}AUTH_*):
it acts as the integration's client and sees exactly its listeners.
"""

_EXAMPLES = {
    "status": [
        ("every listener with its pending and silenced counts", ""),
        ("the same, for scripts", "--json"),
    ],
    "pending": [
        ("the first 50 pending events of every listener", ""),
        ("the first 10 of one listener", "--listener my-listener --limit 10"),
    ],
    "silence": [
        ("sort one event last and keep it out of MO's alerting", "--subject SUBJECT"),
        (
            "every pending event of a listener, without asking",
            "--listener my-listener --yes",
        ),
    ],
    "unsilence": [
        ("undo a silence; the event is due at once", "--subject SUBJECT"),
        ("every silenced event of a listener", "--listener my-listener"),
    ],
    "rerun": [
        ("make two events due at once", "--subject SUBJECT1 --subject SUBJECT2"),
        ("every pending event of a listener", "--listener my-listener --yes"),
    ],
}

_HELP = {
    "status": "every listener this client owns, with pending and silenced counts",
    "pending": "the pending events (subject, priority, silenced)",
    "silence": "sort events last and keep them out of MO's alerting (still delivered)",
    "unsilence": "undo a silence; the events are due at once",
    "rerun": "make events due at once",
}


def _examples(command: str) -> list[str]:
    lines = []
    for text, arguments in _EXAMPLES[command]:
        lines.append(f"  # {text}")
        lines.append(f"  {PROG} {command} {arguments}".rstrip())
    return lines


def _epilog(*commands: str) -> str:
    return "\n".join(["examples:", *(line for c in commands for line in _examples(c))])


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(
            f"expected a positive whole number, got {value!r}"
        )
    return number


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog=PROG,
        description=_DESCRIPTION,
        epilog=_epilog(*_HELP),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command, text in _HELP.items():
        sub = commands.add_parser(
            command,
            help=text,
            description=text[0].upper() + text[1:] + ".",
            epilog=_epilog(command),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        if command in ("status", "pending"):
            sub.add_argument(
                "--json", action="store_true", help="print JSON for scripts"
            )
        if command == "pending":
            sub.add_argument(
                "--listener", metavar="USER_KEY", help="only this listener"
            )
            sub.add_argument(
                "--limit",
                type=_positive,
                default=50,
                metavar="N",
                help="at most N events (default: 50)",
            )
        if command in ("silence", "unsilence", "rerun"):
            sub.add_argument(
                "--subject",
                action="append",
                metavar="SUBJECT",
                help="an event's subject (repeatable)",
            )
            sub.add_argument(
                "--listener",
                metavar="USER_KEY",
                help="every event of this listener (or, with --subject, only its events)",
            )
            sub.add_argument(
                "--yes", action="store_true", help="do not ask for confirmation"
            )
        sub.set_defaults(usage_error=sub.error)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    if arguments.command in ("silence", "unsilence", "rerun") and not (
        arguments.subject or arguments.listener
    ):
        arguments.usage_error("give --subject or --listener (or both)")
    try:
        settings = Settings(_env_prefix=ENV_PREFIX)
    except ValidationError as error:
        return _fail("bad settings: " + "; ".join(_setting_errors(error)))
    try:
        return asyncio.run(_run(arguments, settings))
    except CommandError as error:
        return _fail(str(error))
    except TokenRefused as error:
        return _fail(str(error))
    except httpx.TransportError as error:
        url = error.request.url.copy_with(query=None)
        return _fail(
            f"Cannot reach {url}: {type(error).__name__}: {error}".rstrip(": ")
        )
    except GraphQLClientGraphQLMultiError as error:
        return _fail("MO refused: " + "; ".join(e.message for e in error.errors))
    except GraphQLClientHttpError as error:
        return _fail(
            f"MO answered HTTP {error.status_code} at {_graphql_url(settings)}"
        )
    except GraphQLClientInvalidResponseError:
        return _fail(
            f"MO's answer at {_graphql_url(settings)} is not a GraphQL response"
        )


def _setting_errors(error: ValidationError) -> list[str]:
    return [e["msg"].removeprefix("Value error, ") for e in error.errors()]


def _fail(message: str) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return 1


def _graphql_url(settings: Settings) -> str:
    return join_url(settings.mo_url, f"graphql/v{EVENTS_GRAPHQL_VERSION}")


async def _run(arguments: argparse.Namespace, settings: Settings) -> int:
    async with build_mo_client(settings) as http:
        owner = owner_of_token(await http.access_token())
        # Never entered as a context manager: its exit would close the MO client under us.
        # ariadne-codegen 0.19's HttpClient protocol, unlike httpx, takes ``json`` positionally.
        events = EventsClient(url=_graphql_url(settings), http_client=http)  # type: ignore[arg-type]
        queue = Queue(events, owner)
        listeners = await queue.listeners()
        if arguments.command == "status":
            return await _status(queue, listeners, arguments.json)
        chosen = select(listeners, arguments.listener, settings.client_id)
        if arguments.command == "pending":
            return await _pending(queue, chosen, arguments.limit, arguments.json)
        return await _change(
            queue, arguments.command, chosen, arguments.subject, arguments.yes
        )


async def _status(
    queue: Queue, listeners: Sequence[ListenerInfo], as_json: bool
) -> int:
    rows = counts(listeners, await queue.events(listeners))
    if as_json:
        print(json.dumps(rows, indent=2))
    elif not rows:
        print("This client owns no listeners in MO.")
    else:
        print(
            table(
                rows,
                ["namespace", "user_key", "routing_key", "uuid", "pending", "silenced"],
            )
        )
    return 0


async def _pending(
    queue: Queue, listeners: Sequence[ListenerInfo], limit: int, as_json: bool
) -> int:
    events = await queue.events(listeners, limit=limit + 1)
    more = len(events) > limit
    rows = [event_row(event) for event in events[:limit]]
    if as_json:
        print(json.dumps(rows, indent=2))
    elif not rows:
        print("No pending events.")
    else:
        print(table(rows, ["namespace", "listener", "subject", "priority", "silenced"]))
    if more:
        print(f"(only the first {limit}; --limit N shows more)", file=sys.stderr)
    return 0


_DONE = {"silence": "Silenced", "unsilence": "Unsilenced", "rerun": "Reran"}


async def _change(
    queue: Queue,
    action: Action,
    listeners: Sequence[ListenerInfo],
    subjects: list[str] | None,
    yes: bool,
) -> int:
    targets = affected(action, await queue.events(listeners, subjects))
    if not targets:
        print(f"No events to {action}.")
        return 0
    keys = sorted({event.listener.user_key for event in targets})
    what = f"{_events(len(targets))} of {'listener' if len(keys) == 1 else 'listeners'} {', '.join(keys)}"
    if not yes and not _confirm(f"{action.capitalize()} {what}?"):
        print("Nothing changed.", file=sys.stderr)
        return 1
    await queue.apply(action, targets)
    print(f"{_DONE[action]} {what}.")
    return 0


def _events(count: int) -> str:
    return f"{count} event" if count == 1 else f"{count} events"


def _confirm(question: str) -> bool:
    try:
        answer = input(f"{question} [y/N] ")
    except (EOFError, KeyboardInterrupt):
        print(file=sys.stderr)
        return False
    return answer.strip().lower() in ("y", "yes")
