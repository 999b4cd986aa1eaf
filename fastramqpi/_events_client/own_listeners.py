from typing import Optional
from uuid import UUID

from .base_model import BaseModel


class OwnListeners(BaseModel):
    event_listeners: "OwnListenersEventListeners"


class OwnListenersEventListeners(BaseModel):
    objects: list["OwnListenersEventListenersObjects"]
    page_info: "OwnListenersEventListenersPageInfo"


class OwnListenersEventListenersObjects(BaseModel):
    uuid: UUID
    user_key: str
    routing_key: str
    namespace: "OwnListenersEventListenersObjectsNamespace"


class OwnListenersEventListenersObjectsNamespace(BaseModel):
    name: str


class OwnListenersEventListenersPageInfo(BaseModel):
    next_cursor: Optional[str]


OwnListeners.model_rebuild()
OwnListenersEventListeners.model_rebuild()
OwnListenersEventListenersObjects.model_rebuild()
