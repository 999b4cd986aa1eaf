# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Integration tests against the MO emulator, or against an MO named by FASTRAMQPI__MO_URL."""

import socket
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.types import Receive
from starlette.types import Scope
from starlette.types import Send

import fastramqpi.events
from fastramqpi._testing.environment import _lookup_once
from fastramqpi.emulator import Emulator
from fastramqpi.emulator import serve_emulator
from tests.pytest_plugin.conftest import APP
from tests.pytest_plugin.conftest import Project
from tests.pytest_plugin.conftest import use_postgresql

pytest_plugins = ("pytester",)

NAMESPACES = "{ event_namespaces { objects { name } } }"
FELL_BACK = "fastramqpi: integration tests used the MO emulator"


@pytest.fixture
def real_mo(monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    """An MO already running, as an OS2mo CI stack would provide it."""
    with serve_emulator(Emulator()) as mo:
        monkeypatch.setenv("FASTRAMQPI__MO_URL", mo.url)
        monkeypatch.setenv("FASTRAMQPI__AUTH_TOKEN_URL", mo.token_url)
        monkeypatch.setenv("FASTRAMQPI__CLIENT_ID", "ci-client")
        monkeypatch.setenv("FASTRAMQPI__CLIENT_SECRET", "ci-secret")
        yield mo


def _namespaces(mo: Emulator) -> list[str]:
    token = httpx.post(
        mo.token_url,
        data={"grant_type": "client_credentials"},
        auth=("ci-client", "ci-secret"),
    ).json()["access_token"]
    answer = httpx.post(
        f"{mo.url}/graphql/v25",
        json={"query": NAMESPACES},
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    return sorted(n["name"] for n in answer["data"]["event_namespaces"]["objects"])


def test_with_mo_url_set_the_tests_use_that_mo_and_leave_it_as_they_found_it(
    project: Project, real_mo: Emulator
) -> None:
    project.write(
        test_real=f'''
        import os

        import pytest


        @pytest.mark.integration_test
        async def test_changes_mo(mo_client):
            assert os.environ["FASTRAMQPI__MO_URL"] == "{real_mo.url}"
            declared = await mo_client.post(
                f"{{mo_client.base_url}}/graphql/v25",
                json={{"query": 'mutation {{ event_namespace_declare(input: {{name: "scratch"}}) {{ name }} }}'}},
            )
            assert declared.json()["data"] == {{"event_namespace_declare": {{"name": "scratch"}}}}
        '''
    )
    result = project.run()
    result.assert_outcomes(passed=1)
    result.stdout.no_fnmatch_line(f"*{FELL_BACK}*")
    # The namespace the test made is gone again: MO was restored from its snapshot.
    assert _namespaces(real_mo) == ["mo"]


def test_without_an_mo_the_tests_use_the_emulator_and_say_why_once(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolve = socket.getaddrinfo

    def getaddrinfo(host: str, *args: Any, **kwargs: Any) -> Any:
        if host == "mo-service":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return resolve(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    project.write(
        test_fallback="""
        import pytest


        @pytest.mark.integration_test
        @pytest.mark.parametrize("n", [1, 2])
        def test_it(os2mo_url, n):
            assert os2mo_url.startswith("http://127.0.0.1:")
        """
    )
    _lookup_once.cache_clear()
    try:
        result = project.run()
    finally:
        _lookup_once.cache_clear()

    result.assert_outcomes(passed=2)
    said = [line for line in result.outlines if FELL_BACK in line]
    assert said == [
        f"{FELL_BACK}: FASTRAMQPI__MO_URL is unset and mo-service does not resolve "
        "(gaierror: [Errno -2] Name or service not known)"
    ]


def test_an_mo_without_its_testing_api_fails_the_test_saying_so(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FASTRAMQPI__MO_URL", "http://127.0.0.1:1")
    project.write(
        test_down="""
        import pytest


        @pytest.mark.integration_test
        def test_it():
            pass
        """
    )
    result = project.run()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*MO's testing API at http://127.0.0.1:1/testing/database/snapshot is unreachable*"
            "Unset it to test against the MO emulator*"
        ]
    )


def test_each_integration_test_gets_its_own_emulator(project: Project) -> None:
    project.write(
        test_emulators="""
        import os

        import pytest

        SEEN = []


        @pytest.mark.integration_test
        @pytest.mark.parametrize("n", [1, 2])
        def test_it(mo_emulator, n):
            assert os.environ["FASTRAMQPI__MO_URL"] == mo_emulator.url
            assert os.environ["FASTRAMQPI__AUTH_TOKEN_URL"] == mo_emulator.token_url
            assert mo_emulator not in SEEN
            SEEN.append(mo_emulator)


        def test_unit_tests_get_no_emulator():
            assert "FASTRAMQPI__MO_URL" not in os.environ
        """
    )
    result = project.run()
    result.assert_outcomes(passed=3)
    # Asked for by name, the emulator is no fallback to explain.
    result.stdout.no_fnmatch_line(f"*{FELL_BACK}*")


def test_failed_events_come_back_quickly_and_idle_polling_is_fast(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_postgresql(monkeypatch)
    project.write(
        app_module=APP,
        test_retry=f"""
        import pytest

        import app_module
        import fastramqpi.events
        from fastramqpi.pytest_util import retry


        @pytest.fixture
        def server_port():
            return 0


        @pytest.fixture
        async def app():
            return app_module.create_app(database_metadata=app_module.Base.metadata)


        @pytest.mark.integration_test
        async def test_handler_fails_once(test_client, mo_emulator):
            assert fastramqpi.events.NO_EVENT_SLEEP_DURATION < 1
            subject = "7d4b6f64-5a0e-4a4e-9a55-0c4f2f8f2b10"
            app_module.FAIL_FIRST.add(subject)
            mo_emulator.emit("person", subject)

            # MO hands a failed event out again after 3 minutes at the earliest; the
            # plugin's quick retry makes it seconds.
            @retry()
            async def verify():
                assert set((await test_client.get("/seen")).json()) == {{subject}}

            await verify()
            assert app_module.FAIL_FIRST == set()


        def test_unit_tests_keep_the_default():
            assert fastramqpi.events.NO_EVENT_SLEEP_DURATION == {fastramqpi.events.NO_EVENT_SLEEP_DURATION}
        """,
    )
    project.run().assert_outcomes(passed=2)


def test_respx_lets_mo_through_and_catches_everything_else(project: Project) -> None:
    project.write(
        test_respx="""
        import httpx
        import pytest
        import respx


        @pytest.mark.integration_test
        async def test_external_calls_must_be_mocked(mo_client):
            version = await mo_client.post(
                f"{mo_client.base_url}/graphql/v25", json={"query": "{ version { mo_version } }"}
            )
            assert version.status_code == 200
            async with httpx.AsyncClient() as client:
                with pytest.raises(respx.models.AllMockedAssertionError):
                    await client.get("http://ldap.example/users")


        @pytest.mark.integration_test
        async def test_the_test_mocks_what_it_needs(respx_mock, unauthenticated_mo_client):
            respx_mock.get("http://ldap.example/users").respond(json=["alice"])
            async with httpx.AsyncClient() as client:
                assert (await client.get("http://ldap.example/users")).json() == ["alice"]
            schema = await unauthenticated_mo_client.get("/graphql/v25/schema.graphql")
            assert schema.status_code == 200
        """
    )
    project.run().assert_outcomes(passed=2)


@pytest.fixture
def counted_mo(
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[Emulator, Counter[str]]]:
    """A running MO, as in ``real_mo``, that counts the calls to its testing API."""
    mo = Emulator()
    calls: Counter[str] = Counter()
    app = mo.app

    async def counting(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/testing/database/"):
            calls[scope["path"].removeprefix("/testing/database/")] += 1
        await app(scope, receive, send)

    mo.app = counting
    with serve_emulator(mo):
        monkeypatch.setenv("FASTRAMQPI__MO_URL", mo.url)
        monkeypatch.setenv("FASTRAMQPI__AUTH_TOKEN_URL", mo.token_url)
        monkeypatch.setenv("FASTRAMQPI__CLIENT_ID", "ci-client")
        monkeypatch.setenv("FASTRAMQPI__CLIENT_SECRET", "ci-secret")
        yield mo, calls


def test_mo_is_copied_once_per_test_and_every_test_starts_from_the_sessions_mo(
    project: Project, counted_mo: tuple[Emulator, Counter[str]]
) -> None:
    mo, calls = counted_mo
    project.write(
        test_isolation="""
        import pytest

        NAMESPACES = "{ event_namespaces { objects { name } } }"


        async def namespaces(mo_client):
            answer = await mo_client.post(
                f"{mo_client.base_url}/graphql/v25", json={"query": NAMESPACES}
            )
            return sorted(n["name"] for n in answer.json()["data"]["event_namespaces"]["objects"])


        @pytest.mark.integration_test
        @pytest.mark.parametrize("n", [1, 2, 3])
        async def test_changes_mo(mo_client, n):
            # What an earlier test made is gone.
            assert await namespaces(mo_client) == ["mo"]
            declared = await mo_client.post(
                f"{mo_client.base_url}/graphql/v25",
                json={"query": 'mutation { event_namespace_declare(input: {name: "scratch"}) { name } }'},
            )
            assert declared.json()["data"] == {"event_namespace_declare": {"name": "scratch"}}
            assert await namespaces(mo_client) == ["mo", "scratch"]


        def test_unit_tests_leave_mo_alone():
            pass
        """
    )
    project.run().assert_outcomes(passed=4)

    # One snapshot for the session, one restore per integration test: 4 copies for 3 tests,
    # where a snapshot before and a restore after each test made 6.
    assert calls == {"snapshot": 1, "restore": 3}
    assert _namespaces(mo) == ["mo"]


def test_the_tests_own_emulator_is_not_copied(project: Project) -> None:
    project.write(
        test_emulator="""
        import pytest


        @pytest.mark.integration_test
        def test_it(mo_emulator):
            # Nothing was snapshotted: a restore would have nothing to go back to.
            with pytest.raises(Exception, match="No snapshot"):
                mo_emulator.store.restore()
        """
    )
    project.run().assert_outcomes(passed=1)
