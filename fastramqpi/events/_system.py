# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The running events system: declares namespaces and listeners in MO, then runs their fetchers.

Start-up never waits for MO: declaring happens in a background task that retries until MO
agrees, while the readiness check "GraphQL events" reports why it is not ready yet.
"""

import asyncio
import random
import time
from collections.abc import Awaitable
from collections.abc import Callable
from types import TracebackType
from typing import Any
from typing import Protocol
from uuid import UUID

import structlog

from fastramqpi._background import BackgroundTask
from fastramqpi.events import _decisions as decisions
from fastramqpi.events._delivery import Handlers
from fastramqpi.events._errors import FailureLog
from fastramqpi.events._errors import describe
from fastramqpi.events._errors import graphql_messages
from fastramqpi.events._fetcher import EventsAPI
from fastramqpi.events._fetcher import ListenerFetchers
from fastramqpi.events._idle_poll import IdlePoll
from fastramqpi.events._idle_poll import PendingEventsAPI
from fastramqpi.events._models import GraphQLEvents
from fastramqpi.events._models import Listener
from fastramqpi.events._models import Namespace

logger = structlog.stdlib.get_logger(__name__)

REDECLARE_AFTER_REJECTION = 60.0
"""Seconds before declaring again after MO rejected a declaration: a fix takes a person."""

UNREACHABLE_THRESHOLD = 60.0
"""Seconds a listener's fetchers may fail to reach MO before readiness turns false."""

SHUTDOWN_GRACE = 30.0
"""Seconds deliveries under way at shutdown get to finish before they are cancelled."""


class _Declared(Protocol):
    @property
    def uuid(self) -> UUID: ...


class _DeclareResult(Protocol):
    @property
    def event_listener_declare(self) -> _Declared: ...


class MOEventsAPI(EventsAPI, PendingEventsAPI, Protocol):
    """Every MO call of the events system (the generated events client has them)."""

    async def declare_namespace(self, name: str, public: bool) -> object: ...
    async def declare_listener(
        self, namespace: str, user_key: str, routing_key: str
    ) -> _DeclareResult: ...


class Gate(Protocol):
    """Whether a dependency the handlers need is unhealthy (see ``health.EventGate``)."""

    @property
    def closed(self) -> bool: ...
    def subscribe(self, callback: Callable[[bool], Awaitable[None]]) -> None: ...


class _Rejected(Exception):
    """MO answered a declaration with a GraphQL error: retrying soon will not help."""


class EventsSystem:
    """``context["graphql_events"]``: an async context manager, entered at priority 1000.

    ``connect`` gives the MO events client and the handler client when the system starts, so
    it can be built before the MO client exists. ``idle_interval`` gives the seconds between
    polls of an idle listener, read at every idle wait.
    """

    _mo: MOEventsAPI
    _handlers: Handlers

    def __init__(
        self,
        config: GraphQLEvents,
        connect: Callable[[], tuple[MOEventsAPI, Handlers]],
        *,
        idle_interval: Callable[[], float],
        redeliveries: int = 0,
        gate: Gate | None = None,
        rng: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self._connect = connect
        self._idle_interval = idle_interval
        self._redeliveries = redeliveries
        self._gate = gate
        if gate is not None:
            gate.subscribe(self._gated)
        self._rng = rng
        self._clock = clock
        self._declared_namespaces: set[str] = set()
        self.fetchers: dict[tuple[str, str], ListenerFetchers] = {}
        self._declaring = BackgroundTask("events:declare")
        self._polling = BackgroundTask("events:idle-poll")
        self._reason = "not started"
        self._reported = ""
        self._declare_failures = FailureLog("declare")
        self._idle_poll = IdlePoll(self.fetchers, idle_interval, rng)

    @property
    def reason(self) -> str:
        """Why the system is not ready; empty when it is."""
        if self._reason:
            return self._reason
        for fetchers in self.fetchers.values():
            if not fetchers.running:
                return f"fetchers of listener {fetchers.listener.user_key!r} are not running"
            if fetchers.unreachable_for() > UNREACHABLE_THRESHOLD:
                return f"fetchers of listener {fetchers.listener.user_key!r} cannot reach MO"
        return ""

    def is_ready(self) -> bool:
        return not self.reason

    async def healthcheck(self, context: Any) -> bool:
        """The readiness check "GraphQL events"; says why in the log when that changes."""
        reason = self.reason
        if reason != self._reported:
            self._reported = reason
            if reason:
                logger.warning("GraphQL events not ready", reason=reason)
            else:
                logger.info("GraphQL events ready")
        return not reason

    async def _gated(self, closed: bool) -> None:
        for fetchers in self.fetchers.values():
            await fetchers.set_gated(closed)

    async def __aenter__(self) -> "EventsSystem":
        self._mo, self._handlers = self._connect()
        self._reason = "declaring listeners in MO"
        self._declaring.start(self._declare_and_start())
        self._polling.start(self._idle_poll.run(self._mo))
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._reason = "stopped"
        if not self._declaring.started:
            return
        await asyncio.gather(self._declaring.stop(), self._polling.stop())
        await asyncio.gather(*(f.stop(SHUTDOWN_GRACE) for f in self.fetchers.values()))
        self.fetchers.clear()
        await self._handlers.aclose()

    async def _declare_and_start(self) -> None:
        failures = 0
        while True:
            try:
                await self._declare_pending()
            except _Rejected as rejection:
                self._reason = str(rejection)
                logger.error(
                    "MO rejected the events declaration; retrying later",
                    reason=self._reason,
                )
                await asyncio.sleep(REDECLARE_AFTER_REJECTION)
                continue
            except Exception as error:
                failures += 1
                delay = decisions.backoff_delay(failures, self._rng)
                self._reason = f"cannot declare listeners in MO: {describe(error)}"
                self._declare_failures.failed(
                    logger,
                    "Declaring events listeners failed",
                    error,
                    retry_in=round(delay, 2),
                )
                await asyncio.sleep(delay)
                continue
            self._reason = ""
            logger.info(
                "Events listeners declared", listeners=[key[1] for key in self.fetchers]
            )
            return

    async def _declare_pending(self) -> None:
        """Declare what is not declared yet, starting each listener's fetchers as soon as it is.

        One rejected listener does not hold back the others; all rejections are raised together.
        """
        rejections: list[str] = []
        for namespace in self.config.declare_namespaces:
            if namespace.name not in self._declared_namespaces:
                await self._declare(rejections, self._declare_namespace, namespace)
        for listener in self.config.declare_listeners:
            if (listener.namespace, listener.user_key) not in self.fetchers:
                await self._declare(rejections, self._declare_listener, listener)
        if rejections:
            raise _Rejected("; ".join(rejections))

    async def _declare(
        self,
        rejections: list[str],
        declare: Callable[[Any], Any],
        what: Namespace | Listener,
    ) -> None:
        try:
            await declare(what)
        except Exception as error:
            messages = graphql_messages(error)
            if messages is None:
                raise
            kind = "namespace" if isinstance(what, Namespace) else "listener"
            name = what.name if isinstance(what, Namespace) else what.user_key
            rejections.append(f"{kind} {name!r}: {messages}")

    async def _declare_namespace(self, namespace: Namespace) -> None:
        await self._mo.declare_namespace(name=namespace.name, public=namespace.public)
        self._declared_namespaces.add(namespace.name)

    async def _declare_listener(self, listener: Listener) -> None:
        result = await self._mo.declare_listener(
            namespace=listener.namespace,
            user_key=listener.user_key,
            routing_key=listener.routing_key,
        )
        fetchers = ListenerFetchers(
            listener,
            result.event_listener_declare.uuid,
            self._mo,
            self._handlers,
            idle_interval=self._idle_interval,
            redeliveries=self._redeliveries,
            rng=self._rng,
            clock=self._clock,
        )
        if self._gate is not None:
            await fetchers.set_gated(self._gate.closed)
        await fetchers.share_idle_poll(self._idle_poll.shared)
        self.fetchers[(listener.namespace, listener.user_key)] = fetchers
        fetchers.start()
