# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Kubernetes probes.

Readiness runs every check: a pod whose MO is down gets no traffic. Liveness runs only the
checks registered with ``live=True``: an MO outage must not make Kubernetes restart every pod.
"""

import asyncio
from collections.abc import Awaitable
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import structlog
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from prometheus_client import Gauge

from fastramqpi import _routes
from fastramqpi._background import BackgroundTask

logger = structlog.stdlib.get_logger(__name__)

HealthCheck = Callable[[Any], Awaitable[bool]]

TIMEOUT = 5.0
"""Seconds a check may take before it counts as failed, so a hanging dependency cannot hang
the probe."""

check_up = Gauge(
    "fastramqpi_health_check_up",
    "1 when the named health check passed the last time it ran, 0 when it failed",
    ["check"],
)
"""Per check rather than one readiness bit, so an alert names the dependency that is down."""


@dataclass(frozen=True)
class _Check:
    fn: HealthCheck
    live: bool
    gates_events: bool = False


class HealthChecks:
    """Named checks, each an ``async fn(context) -> bool``."""

    def __init__(self) -> None:
        self._checks: dict[str, _Check] = {}

    def add(
        self,
        name: str,
        fn: HealthCheck,
        live: bool = False,
        *,
        gates_events: bool = False,
    ) -> None:
        if name in self._checks:
            raise ValueError(f"A healthcheck named {name!r} already exists")
        self._checks[name] = _Check(fn, live, gates_events)

    def names(self, live_only: bool = False) -> list[str]:
        return [n for n, c in self._checks.items() if c.live or not live_only]

    def gating(self) -> list[str]:
        """The checks of dependencies event handlers need: while one fails, no event is
        fetched."""
        return [n for n, c in self._checks.items() if c.gates_events]

    async def run(self, context: Any, live_only: bool = False) -> dict[str, bool]:
        names = self.names(live_only)
        results = await asyncio.gather(*(self.run_one(n, context) for n in names))
        return dict(zip(names, results, strict=True))

    async def run_one(self, name: str, context: Any) -> bool:
        """Run one check. Probes and checks run in the background alike come through here, so
        every run updates ``check_up``."""
        passed = await self._outcome(name, context)
        check_up.labels(name).set(passed)
        return passed

    async def _outcome(self, name: str, context: Any) -> bool:
        try:
            async with asyncio.timeout(TIMEOUT):
                return bool(await self._checks[name].fn(context))
        except TimeoutError:
            logger.warning("Healthcheck timed out", healthcheck=name, timeout=TIMEOUT)
        except Exception:
            logger.exception("Healthcheck raised", healthcheck=name)
        return False


RECHECK_SPEEDUP = 4
"""While the gate is closed its checks run this many times as often: the listeners resume
within a quarter of the interval once the dependency is back, rather than within all of it,
and checking a dependency that is down costs it little (a refused connection; a stalled one
takes its timeout, and the rounds never overlap)."""


class EventGate:
    """Runs the checks that gate events in the background, every ``interval`` seconds
    (:data:`RECHECK_SPEEDUP` times as often while it is closed), and tells its subscribers
    when the gate closes (a check failed) or opens (all passed).

    Closed until the first round has run: no event is fetched before its dependencies are
    known to be up. Without gating checks it is always open.
    """

    def __init__(
        self, checks: HealthChecks, context: Any, interval: Callable[[], float]
    ) -> None:
        self._checks = checks
        self._context = context
        self._interval = interval
        self._failing: list[str] | None = None
        self._subscribers: list[Callable[[bool], Awaitable[None]]] = []
        self._task = BackgroundTask("events:gate")

    @property
    def closed(self) -> bool:
        return self._failing is None or bool(self._failing)

    def subscribe(self, callback: Callable[[bool], Awaitable[None]]) -> None:
        """``await callback(closed)`` whenever the gate changes."""
        self._subscribers.append(callback)

    async def check(self) -> None:
        """One round of the gating checks; tells the subscribers if the gate changed."""
        names = self._checks.gating()
        results = await asyncio.gather(
            *(self._checks.run_one(n, self._context) for n in names)
        )
        failing = [n for n, passed in zip(names, results, strict=True) if not passed]
        was = self.closed
        if failing != self._failing:
            if failing:
                logger.warning(
                    "Events paused: a dependency is unhealthy", failing=failing
                )
            elif self._failing:
                logger.info("Events resumed: dependencies healthy again")
        self._failing = failing
        if self.closed != was:
            for callback in self._subscribers:
                await callback(self.closed)

    def next_round_in(self) -> float:
        """Seconds from the end of one round of checks to the start of the next."""
        interval = self._interval()
        return interval / RECHECK_SPEEDUP if self.closed else interval

    async def _run(self) -> None:
        while True:
            await self.check()
            await asyncio.sleep(self.next_round_in())

    async def __aenter__(self) -> "EventGate":
        if not self._checks.gating():
            self._failing = []
        else:
            self._task.start(self._run())
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._task.stop()


def _response(results: dict[str, bool]) -> JSONResponse:
    return JSONResponse(results, status_code=200 if all(results.values()) else 503)


def add_routes(app: FastAPI, checks: HealthChecks, context: Any) -> None:
    """``/health/live`` and ``/health/ready`` on ``app``, running ``checks`` with ``context``.

    Added at construction rather than declared at import: declaring a route makes FastAPI
    import its pydantic v1 compatibility layer, which a bare ``import fastramqpi.main``
    need not pay.
    """

    async def live() -> JSONResponse:
        """200 while the process serves and every liveness check passes."""
        return _response(await checks.run(context, live_only=True))

    async def ready() -> JSONResponse:
        """200 when every registered check passes; 503 names the failing ones."""
        return _response(await checks.run(context))

    for path, endpoint in (("/health/live", live), ("/health/ready", ready)):
        _routes.add_route(app, path, endpoint, tags=["health"])
