# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The example integration handling MO's events, with no OS2mo needed.

Starts FastRAMQPI's MO emulator and the example integration (``examples/my_integration``),
emits a few MO ``person`` events, shows each one as the integration handles it, then the
integration's health and metrics. Keeps running until Ctrl-C, so you can send more events;
``--once`` exits (0) as soon as the demo is done, for unattended runs.

    python examples/demo.py [--once] [--events N] [--database-url URL] [--verbose]
"""

import argparse
import asyncio
import os
import socket
import sys
import tempfile
from collections.abc import AsyncIterator
from collections.abc import Iterator
from contextlib import asynccontextmanager
from contextlib import contextmanager
from pathlib import Path
from uuid import uuid4

import httpx
import uvicorn
from fastapi import FastAPI

# The example package sits beside this file; FastRAMQPI itself comes from the environment,
# or from this checkout when it is not installed.
sys.path.insert(0, str(Path(__file__).parent))
sys.path.append(str(Path(__file__).parent.parent))

from fastramqpi.emulator import Emulator
from fastramqpi.emulator import serve_emulator

POLL_SECONDS = 0.2
CLIENT_ID = "os2mo-example-integration"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--once", action="store_true", help="exit 0 when the demo is done"
    )
    parser.add_argument(
        "--events", type=int, default=3, help="MO events to emit (default 3)"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        help="seconds to wait for the events to be handled (default 60)",
    )
    parser.add_argument(
        "--database-url",
        help="SQLAlchemy URL of the integration's database (default: a temporary SQLite file)",
    )
    parser.add_argument(
        "--verbose", action="store_true", help="show the integration's own logs"
    )
    return parser.parse_args(argv)


def point_settings_at(emulator: Emulator, database_url: str, verbose: bool) -> None:
    """Configure the integration as its deployment would: through the environment."""
    os.environ.update(
        {
            "FASTRAMQPI__MO_URL": emulator.url,
            "FASTRAMQPI__AUTH_TOKEN_URL": emulator.token_url,
            "FASTRAMQPI__CLIENT_ID": CLIENT_ID,
            "FASTRAMQPI__CLIENT_SECRET": "demo-secret",
            "FASTRAMQPI__DATABASE__URL": database_url,
            "FASTRAMQPI__JSON_LOGS": "false",
            "FASTRAMQPI__LOG_LEVEL": "INFO" if verbose else "WARNING",
        }
    )


@contextmanager
def database_url(given: str | None) -> Iterator[str]:
    if given:
        yield given
        return
    with tempfile.TemporaryDirectory(prefix="fastramqpi-demo-") as directory:
        yield f"sqlite+aiosqlite:///{directory}/my_integration.db"


@asynccontextmanager
async def serve(app: FastAPI) -> AsyncIterator[tuple[str, uvicorn.Server]]:
    """The integration on a free loopback port, lifespan included."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, lifespan="on", log_config=None))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                raise SystemExit("The integration did not start; run with --verbose")
            await asyncio.sleep(0.05)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}", server
    finally:
        server.should_exit = True
        await asyncio.gather(task, return_exceptions=True)
        sock.close()


async def wait_until_ready(client: httpx.AsyncClient) -> None:
    while True:
        if (await client.get("/health/ready")).status_code == 200:
            return
        await asyncio.sleep(POLL_SECONDS)


class Watcher:
    """Prints each person the integration records, as it records them."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.seen: dict[str, int] = {}

    async def poll(self) -> None:
        for person in (await self.client.get("/people")).json():
            uuid, events = person["uuid"], person["events"]
            if self.seen.get(uuid) != events:
                self.seen[uuid] = events
                print(
                    f"  handled  person {uuid}  (heard of {events}x, MO {person['mo_version']})"
                )

    async def until(self, expected: dict[str, int]) -> None:
        while True:
            await self.poll()
            if all(self.seen.get(u, 0) >= n for u, n in expected.items()):
                return
            await asyncio.sleep(POLL_SECONDS)


def metric_totals(exposition: str, prefixes: tuple[str, ...]) -> dict[str, float]:
    """Sum each counter over its labels: enough for a summary line per metric."""
    totals: dict[str, float] = {}
    for line in exposition.splitlines():
        if line.startswith("#") or not line.startswith(prefixes):
            continue
        name, _, value = line.rpartition(" ")
        metric = name.partition("{")[0]
        if metric.endswith("_total"):
            totals[metric] = totals.get(metric, 0.0) + float(value)
    return totals


async def acknowledged(client: httpx.AsyncClient) -> float:
    metrics = (await client.get("/metrics")).text
    return metric_totals(metrics, ("fastramqpi_events_acknowledged",)).get(
        "fastramqpi_events_acknowledged_total", 0.0
    )


async def wait_for_acknowledgements(client: httpx.AsyncClient, count: int) -> None:
    """A handled event is acknowledged in MO just after its handler returns."""
    while True:
        if await acknowledged(client) >= count:
            return
        await asyncio.sleep(POLL_SECONDS)


async def summary(client: httpx.AsyncClient) -> None:
    ready = await client.get("/health/ready")
    live = await client.get("/health/live")
    print(f"\nHealth: /health/ready {ready.status_code} {ready.json()}")
    print(f"        /health/live  {live.status_code} {live.json()}")
    metrics = (await client.get("/metrics")).text
    print("Metrics (GET /metrics):")
    for name, total in sorted(
        metric_totals(metrics, ("fastramqpi_events_", "http_requests_total")).items()
    ):
        print(f"  {name:45} {total:g}")


async def demo(args: argparse.Namespace) -> int:
    with (
        serve_emulator(Emulator()) as emulator,
        database_url(args.database_url) as db_url,
    ):
        point_settings_at(emulator, db_url, args.verbose)
        from my_integration.app import create_app

        print(f"MO emulator:  {emulator.url}")
        async with serve(create_app()) as (url, server):
            print(f"Integration:  {url}  (try {url}/docs)\n")
            async with httpx.AsyncClient(base_url=url, timeout=30) as client:
                try:
                    async with asyncio.timeout(args.timeout):
                        await wait_until_ready(client)
                except TimeoutError:
                    ready = (await client.get("/health/ready")).json()
                    print(
                        f"The integration was not ready after {args.timeout:g} s: {ready}",
                        file=sys.stderr,
                    )
                    return 1
                watcher = Watcher(client)

                people = [str(uuid4()) for _ in range(max(args.events, 1))]
                for person in people:
                    print(f"  MO emits person {person}")
                    emulator.emit("person", person)
                try:
                    async with asyncio.timeout(args.timeout):
                        await watcher.until(dict.fromkeys(people, 1))
                    # The integration can also send itself an event, through MO.
                    again = people[0]
                    print(f"  POST /trigger/{again}")
                    (await client.post(f"/trigger/{again}")).raise_for_status()
                    async with asyncio.timeout(args.timeout):
                        await watcher.until({again: 2})
                        await wait_for_acknowledgements(client, len(people) + 1)
                except TimeoutError:
                    print(
                        f"\nNot every event was handled within {args.timeout:g} s",
                        file=sys.stderr,
                    )
                    await summary(client)
                    return 1
                await summary(client)
                if args.once:
                    return 0

                print(
                    "\nRunning until Ctrl-C. Emit more MO events with:\n"
                    f"  curl -X POST {emulator.url}/testing/events/emit "
                    "-H 'content-type: application/json' "
                    f'-d \'{{"routing_key": "person", "subject": "{uuid4()}"}}\''
                )
                while not server.should_exit:
                    await asyncio.sleep(POLL_SECONDS)
                    try:
                        await watcher.poll()
                    except httpx.TransportError:
                        if not server.should_exit:
                            raise
                print("\nStopped.")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return asyncio.run(demo(args))
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
