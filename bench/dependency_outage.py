# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""A dependency cut for 10 s while events flow through the example integration.

    .venv/bin/python bench/dependency_outage.py [--cut 10] [--rate 20] [--only db|mo]

The example integration (examples/my_integration: each ``person`` event asks MO for its version
and records the person in PostgreSQL) runs in this process against the MO emulator, with the
database (PostgreSQL at 127.0.0.1:5432, a fresh database) and MO each behind a loopback TCP
proxy this script cuts. Events are emitted at ``--rate`` per second for 5 s before the cut and
through the cut; then the dependency returns and the script waits for every event to be
acknowledged. It prints, per scenario:

- deliveries that failed (answered non-2xx and left to MO) during the run (goal 0);
- events left to MO's retry wait: not acknowledged 60 s after the dependency returned, which
  MO's three-minute retry wait alone explains (goal 0);
- seconds from the dependency's return until the last event was acknowledged (goal <= 5);
- handled events delivered twice: the example counts each sighting (goal 0);
- the backlog at the return and when the first of it was acknowledged: the rest of the
  recovery is draining that backlog (the example handles four events at once, each calling
  MO and writing a row, and the emulator answering MO's side runs in this process too).

Needs PostgreSQL; uses the default idle interval and dependency check interval.
"""

import argparse
import asyncio
import secrets
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import uuid4

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "examples"))

SETTLE = 60.0
"""Seconds after the dependency returns within which every event must be acknowledged; an
event MO keeps in its retry wait (three minutes at least) is not."""

BEFORE = 5.0
"""Seconds events flow before the cut."""

LOOK_EVERY = 0.01
"""Seconds between looks at how many events the integration has acknowledged, once the
dependency is back. A look reads the integration's own counter; MO's pending events are
listed only to confirm the end. Listing them at every look would load the integration: the
emulator runs in this process, and with 200 events one listing takes about 0.7 ms of its
interpreter, 7 % at a look every 10 ms, which a real MO elsewhere does not cost it. The times
printed are those of the first look that saw the change, so they overstate it by less than
this."""


async def _as_superuser(statement: str) -> None:
    """Run ``statement`` on the server's maintenance database, outside a transaction."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    admin = create_async_engine(
        "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres",
        isolation_level="AUTOCOMMIT",
        poolclass=NullPool,
    )
    async with admin.connect() as connection:
        await connection.execute(text(statement))
    await admin.dispose()


async def _create_database() -> str:
    name = f"fastramqpi_bench_{secrets.token_hex(6)}"
    await _as_superuser(f'CREATE DATABASE "{name}"')
    return name


async def _drop_database(name: str) -> None:
    await _as_superuser(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _acknowledged() -> float:
    """Events the integration acknowledged in MO, from its own counter: cheap to read."""
    from fastramqpi.events._metrics import acknowledged

    return sum(
        sample.value
        for family in acknowledged.collect()
        for sample in family.samples
        if sample.name.endswith("_total")
    )


def _failed_deliveries() -> float:
    from prometheus_client import REGISTRY

    total = 0.0
    for family in REGISTRY.collect():
        if family.name == "fastramqpi_events_failed":
            for sample in family.samples:
                if (
                    sample.name.endswith("_total")
                    and sample.labels.get("stage") == "deliver"
                ):
                    total += sample.value
    return total


async def scenario(which: str, cut: float, rate: float) -> dict[str, Any]:
    from my_integration.app import create_fastramqpi

    from fastramqpi.emulator import Emulator
    from fastramqpi.emulator import serve_emulator
    from tests.database.proxy import Proxy
    from tests.servers import serve
    from tests.waiting import until

    database_name = await _create_database()
    database_proxy = Proxy()
    await database_proxy.start()
    emulator = Emulator()
    try:
        with serve_emulator(emulator) as emu:
            target = urlsplit(emu.url)
            mo_proxy = Proxy(target.hostname or "127.0.0.1", target.port or 80)
            await mo_proxy.start()
            mo_url = f"http://127.0.0.1:{mo_proxy.port}"
            fastramqpi = create_fastramqpi(
                fastramqpi={
                    "client_id": "bench",
                    "client_secret": "bench-secret",
                    "mo_url": mo_url,
                    "auth_token_url": mo_url + urlsplit(emu.token_url).path,
                    "log_level": "WARNING",
                    "database": {
                        "user": "postgres",
                        "host": "127.0.0.1",
                        "port": database_proxy.port,
                        "name": database_name,
                    },
                }
            )
            proxy = database_proxy if which == "db" else mo_proxy
            async with serve(fastramqpi.get_app()):
                context = fastramqpi.get_context()

                async def ready() -> bool:
                    if not context["graphql_events"].is_ready():
                        return False
                    return await context["healthchecks"].run_one("Database", context)

                await until(ready, every=0.05)
                failed_before = _failed_deliveries()
                acked_before = _acknowledged()
                subjects: list[str] = []

                async def emit_for(seconds: float) -> None:
                    end = time.monotonic() + seconds
                    while time.monotonic() < end:
                        subject = str(uuid4())
                        subjects.append(subject)
                        emu.emit("person", subject)
                        await asyncio.sleep(1 / rate)

                await emit_for(BEFORE)
                await proxy.cut()
                await emit_for(cut)
                await proxy.start()
                returned = time.monotonic()
                acked_at_return = _acknowledged()
                backlog = len(emu.pending())
                first_ack: float | None = None
                while True:
                    await asyncio.sleep(LOOK_EVERY)
                    acked = _acknowledged()
                    recovery = time.monotonic() - returned
                    if first_ack is None and acked > acked_at_return:
                        first_ack = recovery
                    if acked - acked_before >= len(subjects) or recovery >= SETTLE:
                        left = len(emu.pending())
                        if not left or recovery >= SETTLE:
                            break
                failed = _failed_deliveries() - failed_before
                from sqlalchemy import text

                async with fastramqpi.get_context()["engine"].connect() as connection:
                    rows = await connection.execute(
                        text("SELECT coalesce(sum(events - 1), 0) FROM person")
                    )
                    twice = int(rows.scalar_one())
            await mo_proxy.cut()
    finally:
        await database_proxy.cut()
        await _drop_database(database_name)
    return {
        "events": len(subjects),
        "failed": int(failed),
        "left": left,
        "recovery": recovery,
        "first_ack": first_ack,
        "backlog": backlog,
        "twice": twice,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cut", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--only", choices=["db", "mo"])
    args = parser.parse_args()
    for which in ("db", "mo"):
        if args.only and which != args.only:
            continue
        result = await scenario(which, args.cut, args.rate)
        name = "database" if which == "db" else "MO"
        print(f"{name} cut for {args.cut:.0f} s, {result['events']} events:")
        print(f"  deliveries failed:                 {result['failed']} (goal 0)")
        print(f"  events left to MO's retry wait:    {result['left']} (goal 0)")
        print(
            f"  s from return to last ack:         {result['recovery']:.2f} (goal <= 5)"
        )
        print(f"  handled events delivered twice:    {result['twice']} (goal 0)")
        first = result["first_ack"]
        print(
            f"  (backlog at return {result['backlog']}; first ack after "
            f"{'-' if first is None else f'{first:.2f}'} s)"
        )


if __name__ == "__main__":
    asyncio.run(main())
