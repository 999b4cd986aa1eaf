from .base_model import BaseModel


class RerunEvents(BaseModel):
    event_rerun: list["RerunEventsEventRerun"]


class RerunEventsEventRerun(BaseModel):
    subject: str


RerunEvents.model_rebuild()
