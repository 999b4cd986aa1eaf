# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Which MO integration tests use, and what the plugin reads from the environment."""

import socket
import threading

import pytest

from fastramqpi._testing.environment import emulator_reason
from fastramqpi._testing.environment import essentials
from fastramqpi._testing.environment import lookup_failure
from fastramqpi._testing.environment import mo_environment


def _never(host: str) -> str | None:
    raise AssertionError(f"looked up {host}")


def test_an_mo_url_in_the_environment_is_a_real_mo() -> None:
    assert (
        emulator_reason({"FASTRAMQPI__MO_URL": "http://mo:5000"}, lookup=_never) is None
    )


def test_without_one_the_default_mo_counts_where_its_host_exists() -> None:
    # OS2mo's CI template runs MO as mo-service; integrations leave the default in place.
    looked_up: list[str] = []

    def lookup(host: str) -> str | None:
        looked_up.append(host)
        return None

    assert emulator_reason({}, lookup=lookup) is None
    assert looked_up == ["mo-service"]


def test_falling_back_to_the_emulator_says_why() -> None:
    reason = emulator_reason({}, lookup=lambda host: f"{host} had no DNS answer")

    assert reason == "FASTRAMQPI__MO_URL is unset and mo-service had no DNS answer"


def test_a_lookup_says_why_a_name_has_no_address() -> None:
    assert lookup_failure("localhost") is None
    failure = lookup_failure("no-such-host.invalid")
    assert failure is not None
    assert failure.startswith("no-such-host.invalid does not resolve (gaierror: ")


def test_a_resolver_that_does_not_answer_in_time_is_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A resolver that hangs (a CI runner without DNS) must not hold the tests up.
    released = threading.Event()
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args: released.wait())
    try:
        failure = lookup_failure("mo-service", timeout=0.01)
    finally:
        released.set()

    assert failure == "mo-service had no DNS answer within 0.01 s"


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
