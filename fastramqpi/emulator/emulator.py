# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The emulator as tests hold it: the app, its state, and the knobs to drive both."""

import random
from collections.abc import Iterable
from collections.abc import Mapping
from uuid import UUID

from starlette.types import ASGIApp

from .app import Backend
from .app import build_app
from .auth import MO_OWNER
from .auth import ClientRegistry
from .auth import ClientRoles
from .auth import TokenIssuer
from .auth import owner_of
from .clock import Clock
from .clock import SystemClock
from .contention import Contention
from .faults import Faults
from .store import DEFAULT_PRIORITY
from .store import MO_NAMESPACE
from .store import EventFilter
from .store import EventStore
from .store import EventView


class Emulator:
    """OS2mo's event system and Keycloak's token endpoint, in memory.

    `clock` drives event backoff (pass a FakeClock to skip MO's minutes of waiting);
    `token_clock` drives token expiry and defaults to the wall clock, which is what
    clients use to decide when to refresh. `roles` gives some clients a set of MO's realm
    roles (the others keep every role). `contention` reproduces MO's null answers to
    concurrent claims on one listener; `rng` makes which claims lose reproducible.
    """

    def __init__(
        self,
        clients: Mapping[str, str] | None = None,
        token_lifetime: float = 300.0,
        clock: Clock | None = None,
        realm: str = "mo",
        token_clock: Clock | None = None,
        roles: Mapping[str, Iterable[str]] | None = None,
        contention: bool = True,
        rng: random.Random | None = None,
    ) -> None:
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.realm = realm
        self.faults = Faults()
        self.store = EventStore(self.clock, MO_OWNER)
        self.contention = Contention(enabled=contention, rng=rng)
        client_roles = ClientRoles(roles)
        self._backend = Backend(
            store=self.store,
            issuer=TokenIssuer(
                token_lifetime,
                token_clock if token_clock is not None else SystemClock(),
                client_roles,
            ),
            clients=ClientRegistry(clients),
            faults=self.faults,
            realm=realm,
            contention=self.contention,
            roles=client_roles,
        )
        self.app: ASGIApp = build_app(self._backend)
        self._url: str | None = None

    @property
    def url(self) -> str:
        """The base URL while served by `serve_emulator`, without a trailing slash."""
        if self._url is None:
            raise RuntimeError("The emulator is not being served; use serve_emulator")
        return self._url

    @url.setter
    def url(self, value: str | None) -> None:
        self._url = None if value is None else value.rstrip("/")

    @property
    def token_url(self) -> str:
        return f"{self.url}/auth/realms/{self.realm}/protocol/openid-connect/token"

    @property
    def token_requests(self) -> int:
        """How many requests the token endpoint has answered."""
        return self._backend.token_requests

    def emit(
        self,
        routing_key: str,
        subject: str,
        namespace: str = MO_NAMESPACE,
        priority: int = DEFAULT_PRIORITY,
    ) -> None:
        """Publish an event as the namespace's owner (by default: MO announcing a change)."""
        self.store.emit(routing_key, subject, namespace, priority)

    def revoke_tokens(self) -> None:
        """Every token issued so far is rejected from now on."""
        self._backend.issuer.revoke_all()

    def owner_of(self, client_id: str) -> UUID:
        return owner_of(client_id)

    def pending(self) -> list[EventView]:
        """Every event still stored, for any listener, oldest first."""
        return self.store.events(EventFilter())

    def reset_last_tried(self) -> None:
        self.store.reset_last_tried()
