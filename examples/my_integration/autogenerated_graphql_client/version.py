from typing import Optional

from pydantic import Field

from .base_model import BaseModel


class Version(BaseModel):
    version: "VersionVersion"


class VersionVersion(BaseModel):
    mo_version: Optional[str] = Field(default=None)
    mo_hash: Optional[str] = Field(default=None)


Version.model_rebuild()
