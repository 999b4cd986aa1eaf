# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""``server``, ``test_client`` and the helpers behind them, used directly."""

import socket
from collections.abc import Iterator

import pytest

from tests.pytest_plugin.conftest import APP
from tests.pytest_plugin.conftest import Project
from tests.pytest_plugin.conftest import use_postgresql

pytest_plugins = ("pytester",)


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_run_test_client_serves_several_apps_side_by_side(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_postgresql(monkeypatch)
    project.write(
        app_module=APP,
        test_helpers="""
        import pytest

        from app_module import Base
        from app_module import create_app
        from fastramqpi.pytest_plugin import run_server
        from fastramqpi.pytest_plugin import run_test_client


        @pytest.mark.integration_test
        async def test_two_replicas_share_one_database(mo_emulator):
            first = create_app(database_metadata=Base.metadata)
            second = create_app(database_metadata=Base.metadata)
            async with (
                run_test_client(first, port=0) as one,
                run_test_client(second, port=0) as other,
            ):
                assert one.base_url != other.base_url
                assert (await one.post("/seen/x")).status_code == 200
                assert (await other.get("/seen")).json() == ["x"]


        @pytest.mark.integration_test
        async def test_run_server_yields_the_url(mo_emulator):
            async with run_server(create_app(), port=0) as url:
                assert url.startswith("http://127.0.0.1:")
        """,
    )
    project.run().assert_outcomes(passed=2)


@pytest.fixture
def port_8000_taken() -> Iterator[None]:
    """Port 8000 busy, as on a shared CI runner: by this test, or by someone else already."""
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", 8000))
            sock.listen()
        except OSError:
            pass  # taken already
        yield


def test_the_server_takes_a_free_port_unless_told_otherwise(
    project: Project, port_8000_taken: None
) -> None:
    project.write(
        app_module=APP,
        test_default_port="""
        import pytest

        from app_module import create_app
        from fastramqpi.pytest_plugin import run_test_client


        @pytest.fixture
        def app():
            return create_app()


        @pytest.mark.integration_test
        async def test_fixture(test_client, server):
            assert server != "http://127.0.0.1:8000"
            assert (await test_client.get("/")).status_code == 200


        @pytest.mark.integration_test
        async def test_helper(mo_emulator):
            async with run_test_client(create_app()) as client:
                assert client.base_url.port != 8000
                assert (await client.get("/")).status_code == 200
        """,
    )
    project.run().assert_outcomes(passed=2)


def test_a_taken_port_says_how_to_pick_another(
    project: Project, busy_port: int
) -> None:
    project.write(
        app_module=APP,
        test_port=f"""
        import pytest

        from app_module import create_app


        @pytest.fixture
        def app():
            return create_app()


        @pytest.fixture
        def server_port():
            return {busy_port}


        @pytest.mark.integration_test
        async def test_it(test_client):
            pass
        """,
    )
    result = project.run()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            f"*Cannot serve the app on 127.0.0.1:{busy_port}*Override the `server_port` fixture*"
        ]
    )


def test_a_test_on_another_loop_than_the_server_fails_at_once_saying_why(
    project: Project,
) -> None:
    project.write(
        app_module=APP,
        test_loops="""
        import pytest

        from app_module import create_app


        @pytest.fixture
        def app():
            return create_app()


        @pytest.fixture
        def server_port():
            return 0


        @pytest.mark.integration_test
        async def test_on_its_own_loop(test_client):
            await test_client.get("/")
        """,
    )
    # Fixtures on the session's loop, the test on a loop of its own.
    result = project.run(loop_scope="session")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*WrongEventLoop: test_client is used from another event loop*loop_scope*"]
    )
