from uuid import UUID

from .base_model import BaseModel


class DeclareListener(BaseModel):
    event_listener_declare: "DeclareListenerEventListenerDeclare"


class DeclareListenerEventListenerDeclare(BaseModel):
    uuid: UUID


DeclareListener.model_rebuild()
