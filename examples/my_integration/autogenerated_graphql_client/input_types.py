from typing import Any, Optional
from uuid import UUID

from .base_model import BaseModel


class EventFilter(BaseModel):
    listener: UUID


class EventAcknowledgeInput(BaseModel):
    token: Any


class EventSendInput(BaseModel):
    namespace: str
    routing_key: str
    subject: str
    "At most 220 characters. Events with the same subject collapse into one."
    priority: int = 10000
    "Lower numbers are delivered first; at least 1."


class EventSilenceInput(BaseModel):
    listeners: "ListenerFilter"
    subjects: list[str]


class EventUnsilenceInput(BaseModel):
    listeners: Optional["ListenerFilter"] = None
    subjects: Optional[list[str]] = None
    priorities: Optional[list[int]] = None


class EventRerunInput(BaseModel):
    listeners: Optional["ListenerFilter"] = None
    subjects: Optional[list[str]] = None
    priorities: Optional[list[int]] = None
    silenced: Optional[bool] = None


class FullEventFilter(BaseModel):
    listeners: Optional["ListenerFilter"] = None
    subjects: Optional[list[str]] = None
    priorities: Optional[list[int]] = None
    silenced: Optional[bool] = None


class ListenersBoundFullEventFilter(BaseModel):
    subjects: Optional[list[str]] = None
    priorities: Optional[list[int]] = None
    silenced: Optional[bool] = None


class ListenerCreateInput(BaseModel):
    namespace: str = "mo"
    user_key: str
    routing_key: str


class ListenerDeleteInput(BaseModel):
    uuid: UUID
    delete_pending_events: bool = False


class ListenerFilter(BaseModel):
    uuids: Optional[list[UUID]] = None
    user_keys: Optional[list[str]] = None
    owners: Optional[list[UUID]] = None
    routing_keys: Optional[list[str]] = None
    namespaces: Optional["NamespaceFilter"] = None


class NamespacesBoundListenerFilter(BaseModel):
    uuids: Optional[list[UUID]] = None
    user_keys: Optional[list[str]] = None
    owners: Optional[list[UUID]] = None
    routing_keys: Optional[list[str]] = None


class NamespaceCreateInput(BaseModel):
    name: str
    public: bool = False


class NamespaceDeleteInput(BaseModel):
    name: str


class NamespaceFilter(BaseModel):
    names: Optional[list[str]] = None
    owners: Optional[list[UUID]] = None
    public: Optional[bool] = None


EventSilenceInput.model_rebuild()
EventUnsilenceInput.model_rebuild()
EventRerunInput.model_rebuild()
FullEventFilter.model_rebuild()
ListenerFilter.model_rebuild()
