# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Keycloak's part: which clients may log in, and the JWTs that name their owner."""

import threading
import uuid
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any
from uuid import UUID

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey

from .clock import Clock

_CLIENT_OWNERS = UUID("5b0e34f6-8a27-4a55-9d0c-1a5f3f1e6c21")

MO_OWNER = uuid.uuid5(_CLIENT_OWNERS, "os2mo")

EVENT_ROLES = (
    "fetch_event",
    "acknowledge_event",
    "send_event",
    "silence_event",
    "unsilence_event",
    "rerun_event",
    "read_event",
    "create_event_namespace",
    "delete_event_namespace",
    "read_event_namespace",
    "create_event_listener",
    "delete_event_listener",
    "read_event_listener",
)

ALL_ROLES = frozenset(EVENT_ROLES)


def owner_of(client_id: str) -> UUID:
    """The owner UUID of a client: stable across runs, so listeners keep their owner."""
    return uuid.uuid5(_CLIENT_OWNERS, client_id)


class Verdict(Enum):
    ACCEPTED = "accepted"
    UNKNOWN_CLIENT = "unknown_client"
    BAD_SECRET = "bad_secret"


class ClientRegistry:
    """Either a fixed set of clients, or (by default) any client with a non-empty secret."""

    def __init__(self, clients: Mapping[str, str] | None = None) -> None:
        self._clients = None if clients is None else dict(clients)

    def check(self, client_id: str, secret: str) -> Verdict:
        if not client_id:
            return Verdict.UNKNOWN_CLIENT
        if self._clients is None:
            return Verdict.ACCEPTED if secret else Verdict.BAD_SECRET
        expected = self._clients.get(client_id)
        if expected is None:
            return Verdict.UNKNOWN_CLIENT
        return Verdict.ACCEPTED if secret == expected else Verdict.BAD_SECRET


class ClientRoles:
    """The realm roles of each client: every role unless the client is given a set."""

    def __init__(self, roles: Mapping[str, Iterable[str]] | None = None) -> None:
        self._by_client = {
            client_id: frozenset(granted)
            for client_id, granted in (roles or {}).items()
        }
        for client_id, granted in self._by_client.items():
            unknown = sorted(granted - ALL_ROLES)
            if unknown:
                raise ValueError(
                    f"Unknown roles for client {client_id!r}: {', '.join(unknown)}; "
                    f"known: {', '.join(EVENT_ROLES)}"
                )
        self._by_owner = {
            owner_of(client_id): granted
            for client_id, granted in self._by_client.items()
        }

    def of_client(self, client_id: str) -> frozenset[str]:
        return self._by_client.get(client_id, ALL_ROLES)

    def of_owner(self, owner: UUID) -> frozenset[str]:
        return self._by_owner.get(owner, ALL_ROLES)


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int


class TokenIssuer:
    """Signs tokens with a key of its own; revoking swaps the key, voiding older tokens."""

    def __init__(
        self, lifetime: float, clock: Clock, roles: ClientRoles | None = None
    ) -> None:
        self.lifetime = lifetime
        self.clock = clock
        self.roles = roles if roles is not None else ClientRoles()
        self._lock = threading.Lock()
        self._key = OctKey.generate_key(256)
        self._verified: dict[str, tuple[UUID, float]] = {}

    def issue(self, client_id: str, issuer: str) -> IssuedToken:
        now = self.clock.now()
        claims: dict[str, Any] = {
            "iss": issuer,
            "sub": str(owner_of(client_id)),
            "azp": client_id,
            "typ": "Bearer",
            "iat": int(now),
            "exp": now + self.lifetime,
            "jti": str(uuid.uuid4()),
            "uuid": str(owner_of(client_id)),
            "realm_access": {
                "roles": [
                    r for r in EVENT_ROLES if r in self.roles.of_client(client_id)
                ]
            },
        }
        with self._lock:
            key = self._key
        token = jwt.encode({"alg": "HS256", "typ": "JWT"}, claims, key)
        return IssuedToken(token, int(self.lifetime))

    def owner(self, token: str) -> UUID | None:
        """The owner named by a valid, unexpired, unrevoked token, else None."""
        with self._lock:
            key = self._key
            known = self._verified.get(token)
        if known is None:
            known = _verify(token, key)
            if known is None:
                return None
            with self._lock:
                if key is not self._key:
                    return None
                if len(self._verified) > 10_000:
                    self._verified.clear()
                self._verified[token] = known
        owner, expires = known
        return owner if self.clock.now() < expires else None

    def revoke_all(self) -> None:
        with self._lock:
            self._key = OctKey.generate_key(256)
            self._verified.clear()


def _verify(token: str, key: OctKey) -> tuple[UUID, float] | None:
    try:
        claims = jwt.decode(token, key, algorithms=["HS256"]).claims
        return UUID(str(claims["uuid"])), float(claims["exp"])
    except (JoseError, KeyError, ValueError, TypeError):
        return None
