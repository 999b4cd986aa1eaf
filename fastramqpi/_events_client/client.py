from typing import Any
from uuid import UUID

from .acknowledge_event import AcknowledgeEvent
from .async_base_client import AsyncBaseClient
from .declare_listener import DeclareListener
from .declare_namespace import DeclareNamespace
from .fetch_event import FetchEvent
from .send_event import SendEvent


def gql(q: str) -> str:
    return q


class EventsClient(AsyncBaseClient):
    async def declare_namespace(
        self, name: str, public: bool, **kwargs: Any
    ) -> DeclareNamespace:
        query = gql("""
            mutation declare_namespace($name: String!, $public: Boolean!) {
              event_namespace_declare(input: {name: $name, public: $public}) {
                name
              }
            }
            """)
        variables: dict[str, object] = {"name": name, "public": public}
        response = await self.execute(
            query=query,
            operation_name="declare_namespace",
            variables=variables,
            **kwargs,
        )
        data = self.get_data(response)
        return DeclareNamespace.model_validate(data)

    async def declare_listener(
        self, namespace: str, user_key: str, routing_key: str, **kwargs: Any
    ) -> DeclareListener:
        query = gql("""
            mutation declare_listener($namespace: String!, $user_key: String!, $routing_key: String!) {
              event_listener_declare(
                input: {namespace: $namespace, user_key: $user_key, routing_key: $routing_key}
              ) {
                uuid
              }
            }
            """)
        variables: dict[str, object] = {
            "namespace": namespace,
            "user_key": user_key,
            "routing_key": routing_key,
        }
        response = await self.execute(
            query=query,
            operation_name="declare_listener",
            variables=variables,
            **kwargs,
        )
        data = self.get_data(response)
        return DeclareListener.model_validate(data)

    async def fetch_event(self, listener: UUID, **kwargs: Any) -> FetchEvent:
        query = gql("""
            query fetch_event($listener: UUID!) {
              event_fetch(filter: {listener: $listener}) {
                subject
                priority
                token
              }
            }
            """)
        variables: dict[str, object] = {"listener": listener}
        response = await self.execute(
            query=query, operation_name="fetch_event", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return FetchEvent.model_validate(data)

    async def acknowledge_event(self, token: str, **kwargs: Any) -> AcknowledgeEvent:
        query = gql("""
            mutation acknowledge_event($token: EventToken!) {
              event_acknowledge(input: {token: $token})
            }
            """)
        variables: dict[str, object] = {"token": token}
        response = await self.execute(
            query=query,
            operation_name="acknowledge_event",
            variables=variables,
            **kwargs,
        )
        data = self.get_data(response)
        return AcknowledgeEvent.model_validate(data)

    async def send_event(
        self,
        namespace: str,
        routing_key: str,
        subject: str,
        priority: int,
        **kwargs: Any,
    ) -> SendEvent:
        query = gql("""
            mutation send_event($namespace: String!, $routing_key: String!, $subject: String!, $priority: Int!) {
              event_send(
                input: {namespace: $namespace, routing_key: $routing_key, subject: $subject, priority: $priority}
              )
            }
            """)
        variables: dict[str, object] = {
            "namespace": namespace,
            "routing_key": routing_key,
            "subject": subject,
            "priority": priority,
        }
        response = await self.execute(
            query=query, operation_name="send_event", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return SendEvent.model_validate(data)
