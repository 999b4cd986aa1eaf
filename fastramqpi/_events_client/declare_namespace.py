from .base_model import BaseModel


class DeclareNamespace(BaseModel):
    event_namespace_declare: "DeclareNamespaceEventNamespaceDeclare"


class DeclareNamespaceEventNamespaceDeclare(BaseModel):
    name: str


DeclareNamespace.model_rebuild()
