# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""A GraphQL client of the emulator, as an integration would be: its own token, plain httpx."""

from typing import Any
from uuid import uuid4

import httpx

from fastramqpi.emulator import Emulator

FETCH = """
query Fetch($listener: UUID!) {
  event_fetch(filter: {listener: $listener}) { subject priority token }
}
"""
ACK = """
mutation Ack($token: EventToken!) { event_acknowledge(input: {token: $token}) }
"""
SEND = """
mutation Send($namespace: String!, $routing_key: String!, $subject: String!, $priority: Int!) {
  event_send(input: {namespace: $namespace, routing_key: $routing_key,
                     subject: $subject, priority: $priority})
}
"""
DECLARE_LISTENER = """
mutation Declare($namespace: String!, $user_key: String!, $routing_key: String!) {
  event_listener_declare(
    input: {namespace: $namespace, user_key: $user_key, routing_key: $routing_key}
  ) { uuid owner user_key routing_key namespace { name } }
}
"""
DECLARE_NAMESPACE = """
mutation Declare($name: String!, $public: Boolean!) {
  event_namespace_declare(input: {name: $name, public: $public}) { name owner public }
}
"""


def unique(name: str) -> str:
    return f"{name}-{uuid4().hex[:8]}"


class MO:
    """One Keycloak client talking GraphQL to the emulator."""

    def __init__(
        self, emulator: Emulator, client_id: str | None = None, version: int = 30
    ) -> None:
        self.client_id = client_id or unique("client")
        self.url = f"{emulator.url}/graphql/v{version}"
        self.http = httpx.Client()
        response = self.http.post(
            emulator.token_url,
            data={
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": "secret",
            },
        )
        response.raise_for_status()
        self.token = response.json()["access_token"]

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> "MO":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def execute(self, query: str, **variables: Any) -> dict[str, Any]:
        """The whole GraphQL response; MO answers even errors with HTTP 200."""
        response = self.http.post(
            self.url,
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {self.token}"},
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def data(self, query: str, **variables: Any) -> Any:
        body = self.execute(query, **variables)
        assert "errors" not in body, body["errors"]
        return body["data"]

    def errors(self, query: str, **variables: Any) -> list[str]:
        body = self.execute(query, **variables)
        assert body["data"] is None
        return [error["message"] for error in body["errors"]]

    def declare_listener(
        self, routing_key: str, user_key: str | None = None, namespace: str = "mo"
    ) -> str:
        listener = self.data(
            DECLARE_LISTENER,
            namespace=namespace,
            user_key=user_key or unique("listener"),
            routing_key=routing_key,
        )["event_listener_declare"]
        uuid: str = listener["uuid"]
        return uuid

    def declare_namespace(self, name: str, public: bool = False) -> dict[str, Any]:
        namespace: dict[str, Any] = self.data(
            DECLARE_NAMESPACE, name=name, public=public
        )["event_namespace_declare"]
        return namespace

    def send(
        self, namespace: str, routing_key: str, subject: str, priority: int = 10000
    ) -> None:
        assert self.data(
            SEND,
            namespace=namespace,
            routing_key=routing_key,
            subject=subject,
            priority=priority,
        ) == {"event_send": True}

    def fetch(self, listener: str) -> dict[str, Any] | None:
        event: dict[str, Any] | None = self.data(FETCH, listener=listener)[
            "event_fetch"
        ]
        return event

    def fetch_all(self, listener: str) -> list[dict[str, Any]]:
        """Claim events until none is due, in the order MO hands them out."""
        claimed = []
        while (event := self.fetch(listener)) is not None:
            claimed.append(event)
        return claimed

    def ack(self, token: str) -> bool:
        acked: bool = self.data(ACK, token=token)["event_acknowledge"]
        return acked
