from typing import Any, Optional, Union
from uuid import UUID

from .async_base_client import AsyncBaseClient
from .base_model import UNSET, UnsetType
from .declare_listener import DeclareListener
from .declare_namespace import DeclareNamespace
from .fetch_event import FetchEvent
from .listed_events import ListedEvents
from .own_listeners import OwnListeners
from .pending_events import PendingEvents
from .rerun_events import RerunEvents
from .send_event import SendEvent
from .silence_events import SilenceEvents
from .unsilence_events import UnsilenceEvents


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

    async def pending_events(
        self,
        listeners: list[UUID],
        limit: Union[Optional[int], UnsetType] = UNSET,
        cursor: Union[Optional[str], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> PendingEvents:
        query = gql("""
            query pending_events($listeners: [UUID!]!, $limit: int, $cursor: Cursor) {
              events(filter: {listeners: {uuids: $listeners}}, limit: $limit, cursor: $cursor) {
                objects {
                  subject
                  listener {
                    uuid
                  }
                }
                page_info {
                  next_cursor
                }
              }
            }
            """)
        variables: dict[str, object] = {
            "listeners": listeners,
            "limit": limit,
            "cursor": cursor,
        }
        response = await self.execute(
            query=query, operation_name="pending_events", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return PendingEvents.model_validate(data)

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

    async def own_listeners(
        self,
        owner: UUID,
        cursor: Union[Optional[str], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> OwnListeners:
        query = gql("""
            query own_listeners($owner: UUID!, $cursor: Cursor) {
              event_listeners(filter: {owners: [$owner]}, limit: 500, cursor: $cursor) {
                objects {
                  uuid
                  user_key
                  routing_key
                  namespace {
                    name
                  }
                }
                page_info {
                  next_cursor
                }
              }
            }
            """)
        variables: dict[str, object] = {"owner": owner, "cursor": cursor}
        response = await self.execute(
            query=query, operation_name="own_listeners", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return OwnListeners.model_validate(data)

    async def listed_events(
        self,
        listeners: list[UUID],
        subjects: Union[Optional[list[str]], UnsetType] = UNSET,
        limit: Union[Optional[int], UnsetType] = UNSET,
        cursor: Union[Optional[str], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> ListedEvents:
        query = gql("""
            query listed_events($listeners: [UUID!]!, $subjects: [String!], $limit: int, $cursor: Cursor) {
              events(
                filter: {listeners: {uuids: $listeners}, subjects: $subjects}
                limit: $limit
                cursor: $cursor
              ) {
                objects {
                  subject
                  priority
                  silenced
                  listener {
                    uuid
                  }
                }
                page_info {
                  next_cursor
                }
              }
            }
            """)
        variables: dict[str, object] = {
            "listeners": listeners,
            "subjects": subjects,
            "limit": limit,
            "cursor": cursor,
        }
        response = await self.execute(
            query=query, operation_name="listed_events", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return ListedEvents.model_validate(data)

    async def silence_events(
        self, listeners: list[UUID], subjects: list[str], **kwargs: Any
    ) -> SilenceEvents:
        query = gql("""
            mutation silence_events($listeners: [UUID!]!, $subjects: [String!]!) {
              event_silence(input: {listeners: {uuids: $listeners}, subjects: $subjects})
            }
            """)
        variables: dict[str, object] = {"listeners": listeners, "subjects": subjects}
        response = await self.execute(
            query=query, operation_name="silence_events", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return SilenceEvents.model_validate(data)

    async def unsilence_events(
        self,
        listeners: list[UUID],
        subjects: Union[Optional[list[str]], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> UnsilenceEvents:
        query = gql("""
            mutation unsilence_events($listeners: [UUID!]!, $subjects: [String!]) {
              event_unsilence(input: {listeners: {uuids: $listeners}, subjects: $subjects})
            }
            """)
        variables: dict[str, object] = {"listeners": listeners, "subjects": subjects}
        response = await self.execute(
            query=query,
            operation_name="unsilence_events",
            variables=variables,
            **kwargs,
        )
        data = self.get_data(response)
        return UnsilenceEvents.model_validate(data)

    async def rerun_events(
        self,
        listeners: list[UUID],
        subjects: Union[Optional[list[str]], UnsetType] = UNSET,
        **kwargs: Any,
    ) -> RerunEvents:
        query = gql("""
            mutation rerun_events($listeners: [UUID!]!, $subjects: [String!]) {
              event_rerun(input: {listeners: {uuids: $listeners}, subjects: $subjects}) {
                subject
              }
            }
            """)
        variables: dict[str, object] = {"listeners": listeners, "subjects": subjects}
        response = await self.execute(
            query=query, operation_name="rerun_events", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return RerunEvents.model_validate(data)
