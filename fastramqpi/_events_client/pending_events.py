from typing import Optional
from uuid import UUID

from .base_model import BaseModel


class PendingEvents(BaseModel):
    events: "PendingEventsEvents"


class PendingEventsEvents(BaseModel):
    objects: list["PendingEventsEventsObjects"]
    page_info: "PendingEventsEventsPageInfo"


class PendingEventsEventsObjects(BaseModel):
    subject: str
    listener: "PendingEventsEventsObjectsListener"


class PendingEventsEventsObjectsListener(BaseModel):
    uuid: UUID


class PendingEventsEventsPageInfo(BaseModel):
    next_cursor: Optional[str]


PendingEvents.model_rebuild()
PendingEventsEvents.model_rebuild()
PendingEventsEventsObjects.model_rebuild()
