# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""``python -m fastramqpi.database``: write and run an integration's Alembic migrations.

It reads the database from the same ``FASTRAMQPI__DATABASE__*`` variables the app does, and
takes the same advisory lock, so running it next to live replicas is safe.
"""

import argparse
import asyncio
import importlib
import logging
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.util import CommandError
from pydantic import ValidationError
from pydantic_settings import BaseSettings
from pydantic_settings import SettingsConfigDict
from sqlalchemy import MetaData
from sqlalchemy.exc import DBAPIError

from fastramqpi.config import ENV_PREFIX
from fastramqpi.config import DatabaseSettings
from fastramqpi.database._engine import create_engine
from fastramqpi.database._engine import database_url
from fastramqpi.database._engine import describe
from fastramqpi.database._migrations import alembic_config
from fastramqpi.database._migrations import run_command

_DESCRIPTION = """\
Write and run the Alembic migrations of a FastRAMQPI integration.

The migrations directory holds only revision files (no env.py, no alembic.ini): give it to
FastRAMQPI(..., database_migrations=DIR) and the app runs `upgrade head` at start-up.
The database comes from the app's own variables: FASTRAMQPI__DATABASE__USER, __PASSWORD,
__HOST, __PORT, __NAME, or a full SQLAlchemy URL in FASTRAMQPI__DATABASE__URL.

--directory and --metadata may be left out when pyproject.toml (in the current
directory) names them:

    [tool.fastramqpi.database]
    migrations = "my_integration/migrations"
    metadata = "my_integration.database:Base"
"""

_EPILOG = """\
examples:
  python -m fastramqpi.database revision --autogenerate -m "add user table"
  python -m fastramqpi.database revision -m "backfill names"     (an empty revision)
  python -m fastramqpi.database upgrade                          (to head)
  python -m fastramqpi.database downgrade -1
  python -m fastramqpi.database current
"""


_CHATTY_ENOUGH = ("alembic.runtime.migration", "alembic.autogenerate.compare")
"""Alembic's loggers worth showing: which revisions ran, what autogenerate detected."""


class _Failed(Exception):
    """The database refused or could not be reached; the message says which and where."""


class _Environment(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_nested_delimiter="__", extra="ignore"
    )

    database: DatabaseSettings | None = None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m fastramqpi.database",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--directory",
        metavar="DIR",
        help="the migrations directory (default: [tool.fastramqpi.database] migrations)",
    )
    parser.add_argument(
        "--metadata",
        metavar="MODULE:ATTR",
        help="the tables, e.g. my_integration.database:Base; needed by --autogenerate "
        "(default: [tool.fastramqpi.database] metadata)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    revision = commands.add_parser("revision", help="write a new revision file")
    revision.add_argument(
        "-m", "--message", required=True, help="what the revision does"
    )
    revision.add_argument(
        "--autogenerate",
        action="store_true",
        help="fill it in by comparing --metadata with the database",
    )
    upgrade = commands.add_parser("upgrade", help="migrate forward (default: to head)")
    upgrade.add_argument("revision", nargs="?", default="head")
    downgrade = commands.add_parser(
        "downgrade", help="migrate back: a revision, -1 for one step, or base"
    )
    downgrade.add_argument("revision")
    commands.add_parser("current", help="show the revision the database is at")
    return parser


def _pyproject() -> tuple[dict[str, Any], Path]:
    path = Path.cwd() / "pyproject.toml"
    if not path.is_file():
        return {}, Path.cwd()
    with path.open("rb") as file:
        table = (
            tomllib.load(file).get("tool", {}).get("fastramqpi", {}).get("database", {})
        )
    return table, path.parent


def _load_metadata(spec: str) -> MetaData:
    """Import ``module:attr``; a declarative base stands for its ``.metadata``."""
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise ValueError(f"--metadata {spec!r}: expected MODULE:ATTR")
    if str(Path.cwd()) not in sys.path:
        sys.path.insert(0, str(Path.cwd()))
    try:
        found: Any = importlib.import_module(module_name)
        for part in attr.split("."):
            found = getattr(found, part)
    except (ImportError, AttributeError) as error:
        raise ValueError(f"--metadata {spec!r}: {error}") from None
    if not isinstance(found, MetaData):
        found = getattr(found, "metadata", found)
    if not isinstance(found, MetaData):
        raise ValueError(
            f"--metadata {spec!r} is neither a MetaData nor a declarative base"
        )
    return found


def _database() -> DatabaseSettings:
    try:
        database = _Environment().database
    except ValidationError as error:
        raise ValueError("; ".join(e["msg"] for e in error.errors())) from None
    if database is None:
        raise ValueError(
            f"set {ENV_PREFIX}DATABASE__USER, __HOST and __NAME (and __PASSWORD, __PORT), "
            f"or {ENV_PREFIX}DATABASE__URL"
        )
    return database


async def _on_database(config: Config, fn: Any, *args: Any, **kwargs: Any) -> None:
    url = database_url(_database())
    engine = create_engine(url)
    try:
        await run_command(engine, config, fn, *args, **kwargs)
    except OSError as error:
        raise _Failed(f"cannot reach {describe(url)}: {error}") from None
    except DBAPIError as error:
        raise _Failed(f"{describe(url)}: {error.orig}") from None
    finally:
        await engine.dispose()


def _run(args: argparse.Namespace) -> None:
    table, root = _pyproject()
    directory = args.directory or table.get("migrations")
    if directory is None:
        raise ValueError(
            "no migrations directory: pass --directory DIR or set migrations under "
            "[tool.fastramqpi.database] in pyproject.toml"
        )
    directory = root / directory if args.directory is None else Path(directory)
    spec = args.metadata or table.get("metadata")
    metadata = _load_metadata(spec) if spec else None

    if args.command == "revision":
        if args.autogenerate and metadata is None:
            raise ValueError(
                "--autogenerate compares against --metadata MODULE:ATTR; give it"
            )
        directory.mkdir(parents=True, exist_ok=True)
        config = alembic_config(directory, metadata)
        if not args.autogenerate:
            command.revision(config, message=args.message)
            return
        asyncio.run(
            _on_database(
                config,
                command.revision,
                message=args.message,
                autogenerate=True,
                write=False,
            )
        )
        return

    if not directory.is_dir():
        raise ValueError(f"{directory} is not a directory")
    config = alembic_config(directory, metadata)
    if args.command == "upgrade":
        asyncio.run(_on_database(config, command.upgrade, args.revision))
    elif args.command == "downgrade":
        asyncio.run(_on_database(config, command.downgrade, args.revision))
    else:
        asyncio.run(_on_database(config, command.current, write=False))


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s", stream=sys.stderr)
    for name in _CHATTY_ENOUGH:
        logging.getLogger(name).setLevel(logging.INFO)
    try:
        _run(args)
    except (ValueError, _Failed, CommandError) as error:
        print(f"{parser.prog} {args.command}: error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
