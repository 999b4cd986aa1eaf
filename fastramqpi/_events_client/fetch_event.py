from typing import Optional

from .base_model import BaseModel


class FetchEvent(BaseModel):
    event_fetch: Optional["FetchEventEventFetch"]


class FetchEventEventFetch(BaseModel):
    subject: str
    priority: int
    token: str


FetchEvent.model_rebuild()
