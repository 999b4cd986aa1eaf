from .base_model import BaseModel


class SilenceEvents(BaseModel):
    event_silence: bool
