from .acknowledge_event import AcknowledgeEvent
from .async_base_client import AsyncBaseClient
from .base_model import BaseModel, Upload
from .client import EventsClient
from .declare_listener import DeclareListener, DeclareListenerEventListenerDeclare
from .declare_namespace import DeclareNamespace, DeclareNamespaceEventNamespaceDeclare
from .exceptions import (
    GraphQLClientError,
    GraphQLClientGraphQLError,
    GraphQLClientGraphQLMultiError,
    GraphQLClientHttpError,
    GraphQLClientInvalidResponseError,
)
from .fetch_event import FetchEvent, FetchEventEventFetch
from .send_event import SendEvent

__all__ = [
    "AcknowledgeEvent",
    "AsyncBaseClient",
    "BaseModel",
    "DeclareListener",
    "DeclareListenerEventListenerDeclare",
    "DeclareNamespace",
    "DeclareNamespaceEventNamespaceDeclare",
    "EventsClient",
    "FetchEvent",
    "FetchEventEventFetch",
    "GraphQLClientError",
    "GraphQLClientGraphQLError",
    "GraphQLClientGraphQLMultiError",
    "GraphQLClientHttpError",
    "GraphQLClientInvalidResponseError",
    "SendEvent",
    "Upload",
]
