# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Which MO integration tests use, and what the plugin reads from the environment."""

from fastramqpi._testing.environment import essentials
from fastramqpi._testing.environment import mo_environment
from fastramqpi._testing.environment import real_mo_configured
from fastramqpi._testing.environment import resolves


def _never(host: str) -> bool:
    raise AssertionError(f"looked up {host}")


def test_an_mo_url_in_the_environment_is_a_real_mo() -> None:
    assert real_mo_configured({"FASTRAMQPI__MO_URL": "http://mo:5000"}, resolve=_never)


def test_without_one_the_default_mo_counts_where_its_host_exists() -> None:
    # OS2mo's CI template runs MO as mo-service; integrations leave the default in place.
    looked_up: list[str] = []

    def resolve(host: str) -> bool:
        looked_up.append(host)
        return host == "mo-service"

    assert real_mo_configured({}, resolve=resolve)
    assert looked_up == ["mo-service"]
    assert not real_mo_configured({}, resolve=lambda host: False)


def test_resolving_a_name_that_does_not_exist_is_false() -> None:
    assert resolves("localhost")
    assert not resolves("no-such-host.invalid")


def test_mo_settings_as_fastramqpi_reads_them() -> None:
    env = mo_environment(
        {
            "FASTRAMQPI__MO_URL": "http://mo:5000/",
            "FASTRAMQPI__AUTH_SERVER": "http://keycloak:8080/auth/",
            "FASTRAMQPI__AUTH_REALM": "os2mo",
            "CLIENT_ID": "old-style",
            "FASTRAMQPI__CLIENT_SECRET": "s",
        }
    )
    assert env.url == "http://mo:5000"
    assert (
        env.token_url
        == "http://keycloak:8080/auth/realms/os2mo/protocol/openid-connect/token"
    )
    assert (env.client_id, env.client_secret) == ("old-style", "s")
    assert env.hosts == ["keycloak", "mo"]


def test_an_explicit_token_url_wins() -> None:
    env = mo_environment({"FASTRAMQPI__AUTH_TOKEN_URL": "http://sso/token"})
    assert env.token_url == "http://sso/token"
    assert env.url == "http://mo-service:5000"


def test_the_empty_environment_keeps_what_processes_need() -> None:
    kept = essentials(
        {
            "PATH": "/bin",
            "HOME": "/root",
            "LC_ALL": "C",
            "FASTRAMQPI__X": "1",
            "SECRET": "s",
        }
    )
    assert kept == {"PATH": "/bin", "HOME": "/root", "LC_ALL": "C"}
