from typing import Optional
from uuid import UUID

from .base_model import BaseModel


class ListedEvents(BaseModel):
    events: "ListedEventsEvents"


class ListedEventsEvents(BaseModel):
    objects: list["ListedEventsEventsObjects"]
    page_info: "ListedEventsEventsPageInfo"


class ListedEventsEventsObjects(BaseModel):
    subject: str
    priority: int
    silenced: bool
    listener: "ListedEventsEventsObjectsListener"


class ListedEventsEventsObjectsListener(BaseModel):
    uuid: UUID


class ListedEventsEventsPageInfo(BaseModel):
    next_cursor: Optional[str]


ListedEvents.model_rebuild()
ListedEventsEvents.model_rebuild()
ListedEventsEventsObjects.model_rebuild()
