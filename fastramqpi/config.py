# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""FastRAMQPI's settings.

Integrations nest :class:`Settings` under a ``fastramqpi`` field of their own settings, with
``env_nested_delimiter="__"``, so it is filled from ``FASTRAMQPI__*``. Used on its own it reads
the unprefixed names (``CLIENT_ID``), as the original did.

Errors name the environment variable an operator has to fix, not only pydantic's location.
"""

import difflib
import os
import warnings
from collections.abc import Iterable
from typing import Annotated
from typing import Any
from typing import Literal

import structlog
from annotated_types import Ge
from annotated_types import Gt
from annotated_types import Lt
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

from fastramqpi._warnings import FastRAMQPIDeprecationWarning

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


def _closest(name: str, known: list[str], cutoff: float) -> str | None:
    """The known name most like ``name``; between equals, the one sharing its start
    (``hostname`` meant ``host`` rather than ``name``)."""
    scored = [
        (
            difflib.SequenceMatcher(None, name, k).ratio(),
            len(os.path.commonprefix([name, k])),
            k,
        )
        for k in known
    ]
    best = max(scored, default=None)
    return best[2] if best is not None and best[0] >= cutoff else None


def _unknown(
    given: Iterable[str], known: Iterable[str], prefix: str
) -> PydanticCustomError | None:
    """An error naming each given variable that is no setting, with the closest known one."""
    known = list(known)
    problems = []
    for name in given:
        if name in known:
            continue
        problem = f"{prefix}{name.upper()} is not a setting"
        closest = _closest(name.lower(), known, cutoff=0.6)
        if closest:
            problem += f"; did you mean {prefix}{closest.upper()}?"
        problems.append(problem)
    if not problems:
        return None
    return PydanticCustomError(
        "unknown_setting", "{problems}", {"problems": "; ".join(problems)}
    )


def _near_misses(environ: Iterable[str], known: Iterable[str]) -> list[str]:
    """``FASTRAMQPI_MO_URL`` and the like: one underscore, so nothing reads them."""
    single = ENV_PREFIX[:-1]
    known = list(known)
    problems = []
    for variable in environ:
        upper = variable.upper()
        if not upper.startswith(single) or upper.startswith(ENV_PREFIX):
            continue
        closest = _closest(upper.removeprefix(single).lower(), known, cutoff=0.8)
        if closest:
            problems.append(
                f"{variable} is not read (one underscore); "
                f"did you mean {ENV_PREFIX}{closest.upper()}?"
            )
    return problems


def _masked(
    data: dict[str, Any], known: Iterable[str], secrets: set[str]
) -> dict[str, Any]:
    return {
        k: SecretStr(v)
        if isinstance(v, str) and (k in secrets or k not in known)
        else v
        for k, v in data.items()
    }


def _check_database_url(url: str) -> None:
    """Parse ``url`` now, naming the variable; the URL itself may hold a password."""
    from sqlalchemy import make_url
    from sqlalchemy.exc import ArgumentError

    variable = f"{ENV_PREFIX}DATABASE__URL"
    try:
        make_url(url)
    except ValueError:
        problem = "its port is not a number"
    except ArgumentError:
        problem = (
            "it is not a database URL (dialect+driver://user:password@host:port/name)"
        )
    else:
        return
    raise PydanticCustomError(
        "bad_setting",
        "{variable}: {problem}",
        {"variable": variable, "problem": problem},
    )


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
    # The bounds inside the wrapper, so that their errors name the variable too.
    port: Annotated[int, Gt(0), Lt(65536), _DatabaseEnv] = 5432
    name: str | None = None
    connect_timeout: Annotated[float, Gt(0), _DatabaseEnv] = Field(
        default=5.0,
        description="Seconds a new database connection may take; longer is an outage (503).",
    )
    command_timeout: Annotated[float, Gt(0), _DatabaseEnv] = Field(
        default=30.0,
        description="Seconds one SQL statement may take; longer is an outage (503).",
    )
    url: SecretStr | None = None

    @model_validator(mode="before")
    @classmethod
    def _known(cls, data: Any) -> Any:
        if isinstance(data, dict):
            error = _unknown(data, cls.model_fields, f"{ENV_PREFIX}DATABASE__")
            if error is not None:
                raise error
        return data

    @model_validator(mode="after")
    def _complete(self) -> "DatabaseSettings":
        if self.url is not None:
            _check_database_url(self.url.get_secret_value())
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
    graphql_timeout: Annotated[float, Gt(0), _Env] = 120
    commit_tag: str = "HEAD"
    commit_sha: str = "HEAD"
    log_level: Annotated[LogLevel, _Env] = "INFO"
    json_logs: Annotated[bool, _Env] = True
    dap: Annotated[bool, _Env] = False
    enable_metrics: Annotated[bool, _Env] = True
    dependency_check_interval: Annotated[float, Gt(0), _Env] = Field(
        default=1.0,
        description="Seconds between background runs of the health checks that gate events (the database's, and those added with gates_events=True); a quarter of it while one fails.",
    )
    event_redeliveries: Annotated[int, Ge(0), _Env] = Field(
        default=60,
        description="Times an event answered 503 with Retry-After is delivered again after the pause before it is left to MO's retry wait (60: about a minute of outage, at the 1 s Retry-After of FastRAMQPI's own 503s).",
    )
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
    def _known(cls, data: Any) -> Any:
        """Name every variable no setting reads, with the one probably meant."""
        if not isinstance(data, dict):
            return data
        problems = _near_misses(os.environ, _variables())
        error = _unknown(data, cls.model_fields, ENV_PREFIX)
        if error is not None:
            problems.append(error.message())
        if problems:
            raise PydanticCustomError(
                "unknown_setting", "{problems}", {"problems": "; ".join(problems)}
            )
        return data

    @model_validator(mode="before")
    @classmethod
    def _mask_and_drop_amqp(cls, data: Any) -> Any:
        """Wrap secrets first, so no later error can print them, and drop AMQP leftovers.

        Defined last: pydantic runs "before" validators last-defined first.
        """
        if not isinstance(data, dict):
            return data
        # A misspelt setting may be a secret too: unknown names are masked as well.
        data = _masked(data, cls.model_fields, {"client_secret"})
        database = data.get("database")
        if isinstance(database, dict):
            fields = DatabaseSettings.model_fields
            data["database"] = _masked(database, fields, {"password", "url"})
        if data.pop("amqp", None) is not None:
            message = "Ignoring FASTRAMQPI__AMQP__* settings: AMQP is gone, events come from MO's GraphQL event system"
            logger.warning(message)
            warnings.warn(message, FastRAMQPIDeprecationWarning, stacklevel=2)
        return data

    @property
    def token_url(self) -> str:
        """The OAuth2 token endpoint: ``auth_token_url``, or Keycloak's for the realm."""
        if self.auth_token_url is not None:
            return str(self.auth_token_url)
        server = str(self.auth_server).rstrip("/")
        return f"{server}/realms/{self.auth_realm}/protocol/openid-connect/token"


def _variables() -> list[str]:
    """Every setting's variable name without the prefix, lower case: ``database__port``."""
    names = [n for n in Settings.model_fields if n != "database"]
    return names + [f"database__{n}" for n in DatabaseSettings.model_fields]


def join_url(base: object, path: str) -> str:
    """Join a base URL and a path with exactly one slash (pydantic v2 URLs end with one)."""
    return f"{str(base).rstrip('/')}/{path.lstrip('/')}"
