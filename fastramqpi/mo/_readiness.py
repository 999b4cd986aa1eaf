# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The readiness check "MO": asked afresh at every probe, shared by probes that coincide."""

import asyncio
import time
from typing import Any

import httpx
import structlog

from fastramqpi.mo._client import Clock
from fastramqpi.mo._client import TokenRefused
from fastramqpi.mo._client import _where

logger = structlog.stdlib.get_logger(__name__)


_READINESS_QUERY = "query FastRAMQPIReadiness { version { mo_version } }"


class MOReadiness:
    """The readiness check "MO": MO answers a trivial query made with our token.

    No answer is kept: a kept failure would hide MO's return and a kept success its outage,
    for as long as it is kept. Each probe costs at most one query, and probes that arrive
    while one is under way share it, so Kubernetes' probes do not add load on MO. The query
    gives up after ``timeout`` seconds, so a hanging MO cannot make later probes wait on it.
    The outage and the recovery are logged once each, the recovery with the outage's length.
    """

    def __init__(
        self,
        client: httpx.AsyncClient,
        url: str,
        timeout: float = 4.0,
        clock: Clock = time.monotonic,
    ) -> None:
        self._client = client
        self._url = url
        self._public_url = _where(httpx.URL(url))
        self._timeout = timeout
        self._clock = clock
        self._query: asyncio.Task[str | None] | None = None
        self._down_since: float | None = None

    async def __call__(self, context: Any = None) -> bool:
        query = self._query
        if query is None or query.get_loop() is not asyncio.get_running_loop():
            query = self._query = asyncio.ensure_future(self._ask())
            query.add_done_callback(self._forget)
        # Shielded: a probe that gives up must not cancel the query other probes share.
        failure = await asyncio.shield(query)
        self._record(failure)
        return failure is None

    def _forget(self, query: "asyncio.Task[str | None]") -> None:
        if self._query is query:
            self._query = None

    def _record(self, failure: str | None) -> None:
        if failure is None:
            if self._down_since is not None:
                down_for = round(self._clock() - self._down_since, 3)
                self._down_since = None
                logger.info(
                    "MO is ready again", url=self._public_url, down_for=down_for
                )
            return
        if self._down_since is None:
            self._down_since = self._clock()
            logger.warning("MO is not ready", url=self._public_url, reason=failure)

    async def _ask(self) -> str | None:
        """Why MO is not ready, or None when it is."""
        try:
            async with asyncio.timeout(self._timeout):
                response = await self._client.post(
                    self._url, json={"query": _READINESS_QUERY}
                )
        except TimeoutError:
            return f"no answer from MO GraphQL within {self._timeout:g} s"
        except (TokenRefused, httpx.HTTPError) as error:
            return f"{type(error).__name__}: {error}"
        if response.status_code != 200:
            return f"MO GraphQL answered {response.status_code}"
        try:
            answer = response.json()
        except ValueError:
            return "MO GraphQL's answer is not JSON"
        if (
            not isinstance(answer, dict)
            or answer.get("errors")
            or not answer.get("data")
        ):
            errors = answer.get("errors") if isinstance(answer, dict) else None
            return f"MO GraphQL answered with errors: {errors}"
        return None
