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


class HealthChecks:
    """Named checks, each an ``async fn(context) -> bool``."""

    def __init__(self) -> None:
        self._checks: dict[str, _Check] = {}

    def add(self, name: str, fn: HealthCheck, live: bool = False) -> None:
        if name in self._checks:
            raise ValueError(f"A healthcheck named {name!r} already exists")
        self._checks[name] = _Check(fn, live)

    def names(self, live_only: bool = False) -> list[str]:
        return [n for n, c in self._checks.items() if c.live or not live_only]

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
        app.add_api_route(path, endpoint, methods=["GET"], tags=["health"])
