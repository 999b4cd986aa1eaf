# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
import pytest
from pydantic import ValidationError
from pydantic_settings import BaseSettings
from pydantic_settings import SettingsConfigDict
from structlog.testing import capture_logs

from fastramqpi import FastRAMQPIDeprecationWarning
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
    with capture_logs() as logs, pytest.warns(FastRAMQPIDeprecationWarning) as caught:
        settings = IntegrationSettings().fastramqpi
    assert not hasattr(settings, "amqp")
    warnings = [log for log in logs if log["log_level"] == "warning"]
    assert len(warnings) == 1
    assert "AMQP" in warnings[0]["event"]
    [warning] = caught
    assert "FASTRAMQPI__AMQP__" in str(warning.message)
    assert "guest" not in str(warning.message)


def test_our_deprecation_warning_is_a_deprecation_warning() -> None:
    assert issubclass(FastRAMQPIDeprecationWarning, DeprecationWarning)


def _error(monkeypatch: pytest.MonkeyPatch, **variables: str) -> str:
    """The one-line message start-up stops with."""
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as error:
        IntegrationSettings()
    [problem] = error.value.errors()
    message: str = problem["msg"]
    assert "\n" not in message
    for secret in ("hunter2", "dbpass", "s3cr3t-value"):
        assert secret not in str(error.value)
    return message


@pytest.mark.parametrize(
    ("variable", "suggestion"),
    [
        ("FASTRAMQPI__MO_URLL", "FASTRAMQPI__MO_URL"),
        ("FASTRAMQPI__CLIENT_SECRETS", "FASTRAMQPI__CLIENT_SECRET"),
        ("FASTRAMQPI__GRAPHQL_TIMOUT", "FASTRAMQPI__GRAPHQL_TIMEOUT"),
        ("FASTRAMQPI__DATABASE__PASSWD", "FASTRAMQPI__DATABASE__PASSWORD"),
    ],
)
def test_an_unknown_variable_is_named_with_the_closest_known_one(
    monkeypatch: pytest.MonkeyPatch, variable: str, suggestion: str
) -> None:
    message = _error(monkeypatch, **{variable: "s3cr3t-value"})
    assert message == f"{variable} is not a setting; did you mean {suggestion}?"


def test_an_unknown_variable_like_no_setting_gets_no_suggestion(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    message = _error(monkeypatch, FASTRAMQPI__WIBBLE="s3cr3t-value")
    assert message == "FASTRAMQPI__WIBBLE is not a setting"


@pytest.mark.parametrize(
    ("variable", "value", "problem"),
    [
        ("FASTRAMQPI__GRAPHQL_TIMEOUT", "-5", "greater than 0"),
        ("FASTRAMQPI__GRAPHQL_TIMEOUT", "0", "greater than 0"),
        ("FASTRAMQPI__DATABASE__PORT", "0", "greater than 0"),
        ("FASTRAMQPI__DATABASE__PORT", "70000", "less than 65536"),
        ("FASTRAMQPI__DEPENDENCY_CHECK_INTERVAL", "0", "greater than 0"),
        ("FASTRAMQPI__EVENT_REDELIVERIES", "-1", "greater than or equal to 0"),
        ("FASTRAMQPI__DATABASE__CONNECT_TIMEOUT", "0", "greater than 0"),
        ("FASTRAMQPI__DATABASE__COMMAND_TIMEOUT", "-1", "greater than 0"),
    ],
)
def test_a_value_out_of_range_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, problem: str
) -> None:
    monkeypatch.setenv("FASTRAMQPI__DATABASE__URL", "sqlite+aiosqlite:///x.db")
    message = _error(monkeypatch, **{variable: value})
    assert message.startswith(f"{variable} (or ")
    assert problem in message


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("postgresql+asyncpg://u:dbpass@h:badport/db", "its port is not a number"),
        ("dbpass", "it is not a database URL"),
    ],
)
def test_a_bad_database_url_names_the_variable_not_the_url(
    monkeypatch: pytest.MonkeyPatch, url: str, problem: str
) -> None:
    message = _error(monkeypatch, FASTRAMQPI__DATABASE__URL=url)
    assert message.startswith(f"FASTRAMQPI__DATABASE__URL: {problem}")


def test_one_underscore_is_reported_at_start_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    message = _error(monkeypatch, FASTRAMQPI_MO_URL="http://mo:5000")
    assert message == (
        "FASTRAMQPI_MO_URL is not read (one underscore); did you mean FASTRAMQPI__MO_URL?"
    )


def test_one_underscore_of_a_database_setting_is_reported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    message = _error(monkeypatch, FASTRAMQPI_DATABASE__PASSWORD="dbpass")
    assert "did you mean FASTRAMQPI__DATABASE__PASSWORD?" in message


def test_variables_of_the_integrations_own_that_merely_start_alike_are_left_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FASTRAMQPI_MODE", "strict")
    assert IntegrationSettings().fastramqpi.client_id == "my-integration"


def test_typo_in_a_setting_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FASTRAMQPI__DATABASE__URL", "sqlite+aiosqlite:///x.db")
    monkeypatch.setenv("FASTRAMQPI__DATABASE__HOSTNAME", "db")
    with pytest.raises(
        ValidationError, match=r"HOSTNAME.*did you mean FASTRAMQPI__DATABASE__HOST\?"
    ):
        IntegrationSettings()


def test_join_url_never_doubles_slashes() -> None:
    assert join_url("http://mo:5000/", "/graphql/v25") == "http://mo:5000/graphql/v25"
    assert join_url("http://mo:5000", "graphql/v25") == "http://mo:5000/graphql/v25"
    assert join_url("http://mo:5000/base/", "graphql") == "http://mo:5000/base/graphql"
