from .base_model import BaseModel


class SendEvent(BaseModel):
    event_send: bool
