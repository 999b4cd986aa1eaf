# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""How promptly ``/health/ready`` tells the truth when MO goes away and comes back.

An app under uvicorn talks to the MO emulator; the emulator's server is stopped (connections
refused, as when MO's pod is gone) and later started again on the same port. A client probes
``/health/ready`` every ``--interval`` seconds and notes, per check, when it first answers
false after the cut and true after the return. Two checks run side by side in every probe, so
both see the same outage: ``MO`` as it is, and the check as it was before (answers kept for
5 s, failures included) as the baseline.

    .venv/bin/python bench/readiness.py [--rounds 5] [--interval 0.05] [--outage 2]

Goal: ``MO`` back to 200 within 1 s of MO's return. Prints seconds, per round and medians;
the noticing and returning delays include up to one probe interval.
"""

import argparse
import asyncio
import socket
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fastramqpi.config import Settings  # noqa: E402
from fastramqpi.emulator import Emulator  # noqa: E402
from fastramqpi.emulator import serve_emulator  # noqa: E402
from fastramqpi.main import FastRAMQPI  # noqa: E402
from fastramqpi.mo import MOReadiness  # noqa: E402

OURS = "MO"
BEFORE = "MO, answers kept 5 s (before)"
CHECKS = (OURS, BEFORE)


class _KeptFor:
    """The former check: the answer, success or failure, kept for ``ttl`` seconds."""

    def __init__(self, check: Any, ttl: float) -> None:
        self._check = check
        self._ttl = ttl
        self._answer: tuple[float, bool] | None = None
        self._lock = asyncio.Lock()

    async def __call__(self, context: Any) -> bool:
        async with self._lock:
            now = time.monotonic()
            if self._answer is None or now - self._answer[0] >= self._ttl:
                self._answer = (now, bool(await self._check(context)))
            return self._answer[1]


def _app(emulator: Emulator) -> Any:
    settings = Settings(
        client_id="bench",
        client_secret="bench-secret",  # type: ignore[arg-type]
        mo_url=emulator.url,  # type: ignore[arg-type]
        auth_token_url=emulator.token_url,  # type: ignore[arg-type]
        log_level="ERROR",
        enable_metrics=False,
    )
    fastramqpi = FastRAMQPI("bench-readiness", settings, graphql_version=25)
    context = fastramqpi.get_context()
    url = f"{emulator.url}/graphql/v25"
    fastramqpi.add_healthcheck(
        BEFORE, _KeptFor(MOReadiness(context["mo_client"], url), 5.0)
    )
    return fastramqpi.get_app()


class _Prober:
    """Probes readiness every ``interval`` seconds and remembers every answer."""

    def __init__(self, client: httpx.AsyncClient, interval: float) -> None:
        self._client = client
        self._interval = interval
        self.answers: list[tuple[float, dict[str, bool]]] = []

    async def run(self) -> None:
        while True:
            started = time.monotonic()
            response = await self._client.get("/health/ready")
            self.answers.append((started, response.json()))
            await asyncio.sleep(max(0.0, self._interval - (time.monotonic() - started)))

    async def until(self, check: str, value: bool, since: float) -> float:
        """Seconds from ``since`` to the first probe, sent after it, that answered ``value``."""
        async with asyncio.timeout(30):
            while True:
                for sent, answer in self.answers:
                    if sent >= since and answer[check] is value:
                        return sent - since
                await asyncio.sleep(0.005)


class _MO:
    """The emulator served on one port, which can be cut and restored."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self._port = probe.getsockname()[1]
        self._serving: Any = None

    def restore(self) -> None:
        self._serving = serve_emulator(self.emulator, port=self._port)
        self._serving.__enter__()

    def cut(self) -> None:
        self._serving.__exit__(None, None, None)
        self._serving = None


async def _round(
    mo: _MO, prober: _Prober, outage: float
) -> tuple[dict[str, float], dict[str, float]]:
    """Cut MO, restore it; seconds to notice, and to return to ready, per check."""
    await asyncio.gather(*(prober.until(c, True, time.monotonic()) for c in CHECKS))
    await asyncio.sleep(6)  # every kept answer has expired: rounds start alike
    await asyncio.to_thread(mo.cut)
    cut = time.monotonic()
    noticed = await asyncio.gather(*(prober.until(c, False, cut) for c in CHECKS))
    await asyncio.sleep(max(0.0, outage - (time.monotonic() - cut)))
    await asyncio.to_thread(mo.restore)
    back = time.monotonic()
    ready = await asyncio.gather(*(prober.until(c, True, back) for c in CHECKS))
    return dict(zip(CHECKS, noticed, strict=True)), dict(
        zip(CHECKS, ready, strict=True)
    )


async def main(rounds: int, interval: float, outage: float) -> None:
    mo = _MO(Emulator(clients={"bench": "bench-secret"}))
    mo.restore()
    app = _app(mo.emulator)
    app_sock = socket.socket()
    app_sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(
        uvicorn.Config(app, log_config=None, access_log=False, log_level="error")
    )
    serving = asyncio.create_task(server.serve(sockets=[app_sock]))
    while not server.started:
        if serving.done():
            serving.result()
            raise RuntimeError("uvicorn stopped before it started")
        await asyncio.sleep(0.01)
    base = f"http://127.0.0.1:{app_sock.getsockname()[1]}"
    noticed: dict[str, list[float]] = {c: [] for c in CHECKS}
    returned: dict[str, list[float]] = {c: [] for c in CHECKS}
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        prober = _Prober(client, interval)
        probing = asyncio.create_task(prober.run())
        print(f"probe every {interval:g} s, MO away {outage:g} s per round")
        print(f"{'round':>5}  {'check':<32} {'notice s':>9} {'return s':>9}")
        for number in range(1, rounds + 1):
            down, up = await _round(mo, prober, outage)
            for check in CHECKS:
                noticed[check].append(down[check])
                returned[check].append(up[check])
                print(
                    f"{number:>5}  {check:<32} {down[check]:>9.3f} {up[check]:>9.3f}",
                    flush=True,
                )
        probing.cancel()
    server.should_exit = True
    await serving
    mo.cut()

    print()
    print(f"{'median':>5}  {'check':<32} {'notice s':>9} {'return s':>9}")
    for check in CHECKS:
        print(
            f"{'':>5}  {check:<32} {statistics.median(noticed[check]):>9.3f} "
            f"{statistics.median(returned[check]):>9.3f}"
        )
    ours = statistics.median(returned[OURS])
    print(
        f"\nMO back to 200 after {ours:.3f} s (goal: within 1 s): {'met' if ours <= 1 else 'NOT met'}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--interval", type=float, default=0.05)
    parser.add_argument("--outage", type=float, default=2.0)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.rounds, arguments.interval, arguments.outage))
