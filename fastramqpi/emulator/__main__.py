# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""`python -m fastramqpi.emulator --port 5000`: a stand-in OS2mo for local runs and demos."""

import argparse
from collections.abc import Sequence

import uvicorn

from .auth import EVENT_ROLES
from .emulator import Emulator

_DESCRIPTION = """\
Serve an emulated OS2mo: the GraphQL event system at /graphql/v20 .. /graphql/v30 (SDL at
/graphql/vN/schema.graphql), Keycloak's token endpoint at
/auth/realms/REALM/protocol/openid-connect/token, and MO's testing endpoints.
"""

_DEFAULTS = """\
defaults:
  - any client id gets a token with any non-empty secret (--client switches to a fixed list)
  - a client's owner UUID is derived from its client id (uuid5), the same on every run
  - tokens live 300 s (--token-lifetime); the MO client renews 60 s early, or at half-life
  - every client has every role (--roles gives a client fewer); an operation without its
    role is a GraphQL error, e.g. `events` needs read_event
  - concurrent claims on one listener may answer null while events remain, as on a busy
    MO (--no-contention: only an empty listener answers null)
  - testing endpoints are on: POST /testing/events/reset-last-tried,
    /testing/database/snapshot, /testing/database/restore, /testing/database/reset, and
    /testing/events/emit with JSON {"routing_key", "subject", "namespace": "mo",
    "priority": 10000} to publish an event as MO would (answers 204)
  - namespace "mo" exists, public, owned by MO itself
  - fetching from an unknown listener (or another client's) returns null
  - all state is in memory and lost on exit
"""


def _client(value: str) -> tuple[str, str]:
    client_id, sep, secret = value.partition(":")
    if not sep or not client_id or not secret:
        raise argparse.ArgumentTypeError("expected ID:SECRET")
    return client_id, secret


def _roles(value: str) -> tuple[str, list[str]]:
    client_id, sep, roles = value.partition("=")
    if not sep or not client_id:
        raise argparse.ArgumentTypeError("expected ID=ROLE,ROLE,...")
    return client_id, [role for role in roles.split(",") if role]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m fastramqpi.emulator",
        description=_DESCRIPTION,
        epilog=_DEFAULTS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="default: %(default)s")
    parser.add_argument("--port", type=int, default=5000, help="default: %(default)s")
    parser.add_argument(
        "--client",
        action="append",
        type=_client,
        metavar="ID:SECRET",
        help="accept only these clients (repeatable); default: any client id",
    )
    parser.add_argument(
        "--roles",
        action="append",
        type=_roles,
        metavar="ID=ROLE,ROLE",
        help="the realm roles of one client (repeatable; nothing after = for none); "
        f"default: all of {', '.join(EVENT_ROLES)}",
    )
    parser.add_argument(
        "--no-contention",
        action="store_false",
        dest="contention",
        help="never answer a fetch with null while the listener has a due event",
    )
    parser.add_argument(
        "--token-lifetime",
        type=float,
        default=300.0,
        metavar="SECONDS",
        help="default: %(default)s",
    )
    parser.add_argument(
        "--realm", default="mo", help="Keycloak realm; default: %(default)s"
    )
    parser.add_argument(
        "--log-level",
        default="info",
        choices=["critical", "error", "warning", "info", "debug"],
        help="default: %(default)s",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        emulator = Emulator(
            clients=dict(args.client) if args.client else None,
            token_lifetime=args.token_lifetime,
            realm=args.realm,
            roles=dict(args.roles) if args.roles else None,
            contention=args.contention,
        )
    except ValueError as error:
        parser.error(str(error))
    uvicorn.run(
        emulator.app,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        lifespan="off",
        proxy_headers=False,
        server_header=False,
    )


if __name__ == "__main__":
    main()
