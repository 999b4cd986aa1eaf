from typing import Any

from .async_base_client import AsyncBaseClient
from .send_event import SendEvent
from .testing_listeners import TestingListeners, TestingListenersEventListeners
from .version import Version, VersionVersion


def gql(q: str) -> str:
    return q


class GraphQLClient(AsyncBaseClient):
    async def version(self, **kwargs: Any) -> VersionVersion:
        query = gql("""
            query Version {
              version {
                mo_version
                mo_hash
              }
            }
            """)
        variables: dict[str, object] = {}
        response = await self.execute(
            query=query, operation_name="Version", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return Version.model_validate(data).version

    async def send_event(
        self, namespace: str, routing_key: str, subject: str, **kwargs: Any
    ) -> bool:
        query = gql("""
            mutation SendEvent($namespace: String!, $routing_key: String!, $subject: String!) {
              event_send(
                input: {namespace: $namespace, routing_key: $routing_key, subject: $subject}
              )
            }
            """)
        variables: dict[str, object] = {
            "namespace": namespace,
            "routing_key": routing_key,
            "subject": subject,
        }
        response = await self.execute(
            query=query, operation_name="SendEvent", variables=variables, **kwargs
        )
        data = self.get_data(response)
        return SendEvent.model_validate(data).event_send

    async def testing_listeners(
        self, user_keys: list[str], **kwargs: Any
    ) -> TestingListenersEventListeners:
        query = gql("""
            query _Testing_Listeners($user_keys: [String!]!) {
              event_listeners(filter: {user_keys: $user_keys}) {
                objects {
                  user_key
                  routing_key
                  namespace {
                    name
                  }
                }
              }
            }
            """)
        variables: dict[str, object] = {"user_keys": user_keys}
        response = await self.execute(
            query=query,
            operation_name="_Testing_Listeners",
            variables=variables,
            **kwargs,
        )
        data = self.get_data(response)
        return TestingListeners.model_validate(data).event_listeners
