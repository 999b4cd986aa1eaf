from .base_model import BaseModel


class UnsilenceEvents(BaseModel):
    event_unsilence: bool
