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
from .listed_events import (
    ListedEvents,
    ListedEventsEvents,
    ListedEventsEventsObjects,
    ListedEventsEventsObjectsListener,
    ListedEventsEventsPageInfo,
)
from .own_listeners import (
    OwnListeners,
    OwnListenersEventListeners,
    OwnListenersEventListenersObjects,
    OwnListenersEventListenersObjectsNamespace,
    OwnListenersEventListenersPageInfo,
)
from .pending_events import (
    PendingEvents,
    PendingEventsEvents,
    PendingEventsEventsObjects,
    PendingEventsEventsObjectsListener,
    PendingEventsEventsPageInfo,
)
from .rerun_events import RerunEvents, RerunEventsEventRerun
from .send_event import SendEvent
from .silence_events import SilenceEvents
from .unsilence_events import UnsilenceEvents

__all__ = [
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
    "ListedEvents",
    "ListedEventsEvents",
    "ListedEventsEventsObjects",
    "ListedEventsEventsObjectsListener",
    "ListedEventsEventsPageInfo",
    "OwnListeners",
    "OwnListenersEventListeners",
    "OwnListenersEventListenersObjects",
    "OwnListenersEventListenersObjectsNamespace",
    "OwnListenersEventListenersPageInfo",
    "PendingEvents",
    "PendingEventsEvents",
    "PendingEventsEventsObjects",
    "PendingEventsEventsObjectsListener",
    "PendingEventsEventsPageInfo",
    "RerunEvents",
    "RerunEventsEventRerun",
    "SendEvent",
    "SilenceEvents",
    "UnsilenceEvents",
    "Upload",
]
