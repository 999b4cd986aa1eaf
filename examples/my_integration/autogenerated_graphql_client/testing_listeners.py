from .base_model import BaseModel


class TestingListeners(BaseModel):
    event_listeners: "TestingListenersEventListeners"


class TestingListenersEventListeners(BaseModel):
    objects: list["TestingListenersEventListenersObjects"]


class TestingListenersEventListenersObjects(BaseModel):
    user_key: str
    routing_key: str
    namespace: "TestingListenersEventListenersObjectsNamespace"


class TestingListenersEventListenersObjectsNamespace(BaseModel):
    name: str


TestingListeners.model_rebuild()
TestingListenersEventListeners.model_rebuild()
TestingListenersEventListenersObjects.model_rebuild()
