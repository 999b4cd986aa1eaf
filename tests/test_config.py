# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
import pytest
from pydantic import ValidationError
from pydantic_settings import BaseSettings
from pydantic_settings import SettingsConfigDict
from structlog.testing import capture_logs

from fastramqpi.config import Settings as FastRAMQPISettings
from fastramqpi.config import join_url


class IntegrationSettings(BaseSettings):
    model_config = SettingsConfigDict(frozen=True, env_nested_delimiter="__")

    fastramqpi: FastRAMQPISettings


@pytest.fixture(autouse=True)
def _credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FASTRAMQPI__CLIENT_ID", "my-integration")
    monkeypatch.setenv("FASTRAMQPI__CLIENT_SECRET", "hunter2")


def test_defaults_match_the_original() -> None:
    settings = IntegrationSettings().fastramqpi
    assert str(settings.mo_url) == "http://mo-service:5000/"
    assert settings.client_id == "my-integration"
    assert settings.client_secret.get_secret_value() == "hunter2"
    assert settings.auth_realm == "mo"
    assert settings.graphql_timeout == 120
    assert (settings.commit_tag, settings.commit_sha) == ("HEAD", "HEAD")
    assert (settings.log_level, settings.json_logs) == ("INFO", True)
    assert (settings.dap, settings.enable_metrics) == (False, True)
    assert settings.database is None
    assert settings.token_url == (
        "http://keycloak-service:8080/auth/realms/mo/protocol/openid-connect/token"
    )


def test_nested_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FASTRAMQPI__MO_URL", "http://mo:5000")
    monkeypatch.setenv("FASTRAMQPI__AUTH_TOKEN_URL", "http://idp/token")
    monkeypatch.setenv("FASTRAMQPI__DATABASE__HOST", "db")
    monkeypatch.setenv("FASTRAMQPI__DATABASE__USER", "fastramqpi")
    monkeypatch.setenv("FASTRAMQPI__DATABASE__NAME", "fastramqpi")
    monkeypatch.setenv("FASTRAMQPI__DATABASE__PASSWORD", "dbpass")
    settings = IntegrationSettings().fastramqpi
    assert join_url(settings.mo_url, "graphql/v25") == "http://mo:5000/graphql/v25"
    assert settings.token_url == "http://idp/token"
    assert settings.database is not None
    assert (settings.database.host, settings.database.port) == ("db", 5432)


def test_used_alone_it_reads_unprefixed_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLIENT_ID", "alone")
    monkeypatch.setenv("CLIENT_SECRET", "s")
    assert FastRAMQPISettings().client_id == "alone"  # type: ignore[call-arg]


def test_settings_are_frozen() -> None:
    settings = IntegrationSettings().fastramqpi
    with pytest.raises(ValidationError):
        settings.client_id = "other"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("FASTRAMQPI__MO_URL", "not a url"),
        ("FASTRAMQPI__GRAPHQL_TIMEOUT", "soon"),
        ("FASTRAMQPI__LOG_LEVEL", "LOUD"),
        ("FASTRAMQPI__JSON_LOGS", "maybe"),
        ("FASTRAMQPI__EVENT_DELIVERY_URL", "::"),
        ("FASTRAMQPI__DATABASE__PORT", "five"),
    ],
)
def test_bad_value_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    monkeypatch.setenv("FASTRAMQPI__DATABASE__URL", "sqlite+aiosqlite:///x.db")
    with pytest.raises(ValidationError, match=variable):
        IntegrationSettings()


def test_missing_credentials_name_the_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("FASTRAMQPI__CLIENT_ID")
    with pytest.raises(ValidationError) as error:
        IntegrationSettings()
    assert "FASTRAMQPI__CLIENT_ID must be set" in str(error.value)
    assert "hunter2" not in str(error.value)


def test_incomplete_database_names_what_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FASTRAMQPI__DATABASE__HOST", "db")
    monkeypatch.setenv("FASTRAMQPI__DATABASE__PASSWORD", "dbpass")
    with pytest.raises(ValidationError) as error:
        IntegrationSettings()
    message = str(error.value)
    assert "FASTRAMQPI__DATABASE__USER" in message
    assert "FASTRAMQPI__DATABASE__NAME" in message
    assert "dbpass" not in message
    assert "hunter2" not in message


def test_secrets_are_not_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FASTRAMQPI__DATABASE__URL", "postgresql+asyncpg://u:dbpass@h/d")
    settings = IntegrationSettings()
    for text in (repr(settings), str(settings), settings.model_dump_json()):
        assert "hunter2" not in text
        assert "dbpass" not in text


def test_leftover_amqp_settings_are_ignored_with_one_warning(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FASTRAMQPI__AMQP__URL", "amqp://guest:guest@rabbitmq:5672/")
    monkeypatch.setenv("FASTRAMQPI__AMQP__EXCHANGE", "os2mo")
    with capture_logs() as logs:
        settings = IntegrationSettings().fastramqpi
    assert not hasattr(settings, "amqp")
    warnings = [log for log in logs if log["log_level"] == "warning"]
    assert len(warnings) == 1
    assert "AMQP" in warnings[0]["event"]


def test_typo_in_a_setting_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FASTRAMQPI__DATABASE__URL", "sqlite+aiosqlite:///x.db")
    monkeypatch.setenv("FASTRAMQPI__DATABASE__HOSTNAME", "db")
    with pytest.raises(ValidationError, match="hostname"):
        IntegrationSettings()


def test_join_url_never_doubles_slashes() -> None:
    assert join_url("http://mo:5000/", "/graphql/v25") == "http://mo:5000/graphql/v25"
    assert join_url("http://mo:5000", "graphql/v25") == "http://mo:5000/graphql/v25"
    assert join_url("http://mo:5000/base/", "graphql") == "http://mo:5000/base/graphql"
