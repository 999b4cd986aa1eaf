from .async_base_client import AsyncBaseClient
from .base_model import BaseModel, Upload
from .client import GraphQLClient
from .exceptions import (
    GraphQLClientError,
    GraphQLClientGraphQLError,
    GraphQLClientGraphQLMultiError,
    GraphQLClientHttpError,
    GraphQLClientInvalidResponseError,
)
from .input_types import (
    EventAcknowledgeInput,
    EventFilter,
    EventRerunInput,
    EventSendInput,
    EventSilenceInput,
    EventUnsilenceInput,
    FullEventFilter,
    ListenerCreateInput,
    ListenerDeleteInput,
    ListenerFilter,
    ListenersBoundFullEventFilter,
    NamespaceCreateInput,
    NamespaceDeleteInput,
    NamespaceFilter,
    NamespacesBoundListenerFilter,
)
from .send_event import SendEvent
from .testing_listeners import (
    TestingListeners,
    TestingListenersEventListeners,
    TestingListenersEventListenersObjects,
    TestingListenersEventListenersObjectsNamespace,
)
from .version import Version, VersionVersion

__all__ = [
    "AsyncBaseClient",
    "BaseModel",
    "EventAcknowledgeInput",
    "EventFilter",
    "EventRerunInput",
    "EventSendInput",
    "EventSilenceInput",
    "EventUnsilenceInput",
    "FullEventFilter",
    "GraphQLClient",
    "GraphQLClientError",
    "GraphQLClientGraphQLError",
    "GraphQLClientGraphQLMultiError",
    "GraphQLClientHttpError",
    "GraphQLClientInvalidResponseError",
    "ListenerCreateInput",
    "ListenerDeleteInput",
    "ListenerFilter",
    "ListenersBoundFullEventFilter",
    "NamespaceCreateInput",
    "NamespaceDeleteInput",
    "NamespaceFilter",
    "NamespacesBoundListenerFilter",
    "SendEvent",
    "TestingListeners",
    "TestingListenersEventListeners",
    "TestingListenersEventListenersObjects",
    "TestingListenersEventListenersObjectsNamespace",
    "Upload",
    "Version",
    "VersionVersion",
]
