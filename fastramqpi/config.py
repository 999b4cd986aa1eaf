# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""FastRAMQPI's settings.

Integrations nest :class:`Settings` under a ``fastramqpi`` field of their own settings, with
``env_nested_delimiter="__"``, so it is filled from ``FASTRAMQPI__*``. Used on its own it reads
the unprefixed names (``CLIENT_ID``), as the original did.

Errors name the environment variable an operator has to fix, not only pydantic's location.
"""

from typing import Annotated
from typing import Any
from typing import Literal

import structlog
from pydantic import AnyHttpUrl
from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import SecretStr
from pydantic import ValidationError
from pydantic import ValidationInfo
from pydantic import ValidatorFunctionWrapHandler
from pydantic import WrapValidator
from pydantic import model_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings
from pydantic_settings import SettingsConfigDict

ENV_PREFIX = "FASTRAMQPI__"

logger = structlog.stdlib.get_logger(__name__)


def _env_name(info: ValidationInfo, prefix: str) -> str:
    """The prefixed name integrations use, and the bare one read when used alone."""
    assert info.field_name is not None
    bare = f"{prefix}{info.field_name.upper()}".removeprefix(ENV_PREFIX)
    return f"{ENV_PREFIX}{bare} (or {bare})"


def _naming_env(prefix: str) -> WrapValidator:
    """Re-raise a field's validation error with the environment variable it comes from."""

    def validate(
        value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
    ) -> Any:
        try:
            return handler(value)
        except ValidationError as error:
            reasons = "; ".join(e["msg"] for e in error.errors())
            raise PydanticCustomError(
                "bad_setting",
                "{variable}: {reasons}",
                {"variable": _env_name(info, prefix), "reasons": reasons},
            ) from None

    return WrapValidator(validate)


_Env = _naming_env(ENV_PREFIX)
_DatabaseEnv = _naming_env(f"{ENV_PREFIX}DATABASE__")

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class DatabaseSettings(BaseModel):
    """Where the integration's own PostgreSQL lives.

    ``url`` (a full SQLAlchemy URL such as ``sqlite+aiosqlite:///local.db``) wins over the
    parts when given.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    user: str | None = None
    password: SecretStr | None = None
    host: str | None = None
    port: Annotated[int, _DatabaseEnv, Field(gt=0, lt=65536)] = 5432
    name: str | None = None
    url: SecretStr | None = None

    @model_validator(mode="after")
    def _complete(self) -> "DatabaseSettings":
        if self.url is not None:
            return self
        missing = [f for f in ("user", "host", "name") if getattr(self, f) is None]
        if missing:
            names = ", ".join(f"{ENV_PREFIX}DATABASE__{f.upper()}" for f in missing)
            raise ValueError(f"{names} not set (or set {ENV_PREFIX}DATABASE__URL)")
        return self


class Settings(BaseSettings):
    """Settings every FastRAMQPI integration has."""

    model_config = SettingsConfigDict(
        frozen=True,
        extra="forbid",
        env_nested_delimiter="__",
        hide_input_in_errors=True,
    )

    mo_url: Annotated[AnyHttpUrl, _Env] = AnyHttpUrl("http://mo-service:5000")
    client_id: str
    client_secret: SecretStr
    auth_server: Annotated[AnyHttpUrl, _Env] = AnyHttpUrl(
        "http://keycloak-service:8080/auth"
    )
    auth_realm: str = "mo"
    auth_token_url: Annotated[AnyHttpUrl | None, _Env] = Field(
        default=None,
        description="OAuth2 token endpoint; overrides the Keycloak URL built from auth_server and auth_realm.",
    )
    graphql_timeout: Annotated[float, _Env, Field(gt=0)] = 120
    commit_tag: str = "HEAD"
    commit_sha: str = "HEAD"
    log_level: Annotated[LogLevel, _Env] = "INFO"
    json_logs: Annotated[bool, _Env] = True
    dap: Annotated[bool, _Env] = False
    enable_metrics: Annotated[bool, _Env] = True
    event_delivery_url: Annotated[AnyHttpUrl | None, _Env] = Field(
        default=None,
        description="Deliver events over HTTP to this base URL instead of through the app itself.",
    )
    database: DatabaseSettings | None = None

    @model_validator(mode="before")
    @classmethod
    def _require(cls, data: Any) -> Any:
        if isinstance(data, dict):
            missing = [
                f"{ENV_PREFIX}{f.upper()}"
                for f in ("client_id", "client_secret")
                if f not in data
            ]
            if missing:
                raise ValueError(f"{' and '.join(missing)} must be set")
        return data

    @model_validator(mode="before")
    @classmethod
    def _mask_and_drop_amqp(cls, data: Any) -> Any:
        """Wrap secrets first, so no later error can print them, and drop AMQP leftovers."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        if isinstance(data.get("client_secret"), str):
            data["client_secret"] = SecretStr(data["client_secret"])
        database = data.get("database")
        if isinstance(database, dict):
            data["database"] = {
                k: SecretStr(v)
                if k in ("password", "url") and isinstance(v, str)
                else v
                for k, v in database.items()
            }
        if data.pop("amqp", None) is not None:
            logger.warning(
                "Ignoring FASTRAMQPI__AMQP__* settings: AMQP is gone, events come from MO's GraphQL event system"
            )
        return data

    @property
    def token_url(self) -> str:
        """The OAuth2 token endpoint: ``auth_token_url``, or Keycloak's for the realm."""
        if self.auth_token_url is not None:
            return str(self.auth_token_url)
        server = str(self.auth_server).rstrip("/")
        return f"{server}/realms/{self.auth_realm}/protocol/openid-connect/token"


def join_url(base: object, path: str) -> str:
    """Join a base URL and a path with exactly one slash (pydantic v2 URLs end with one)."""
    return f"{str(base).rstrip('/')}/{path.lstrip('/')}"
