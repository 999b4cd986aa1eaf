# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Integration tests get the plugin's fixtures first, in order, before a project's own hooks."""

import re
from pathlib import Path

from tests.pytest_plugin.conftest import Project

pytest_plugins = ("pytester",)

ORDER = [
    "passthrough_backing_services",
    "fastramqpi_database_setup",
    "fastramqpi_database_isolation",
    "os2mo_database_snapshot_and_restore",
    "graphql_events_quick_fetch",
    "graphql_events_quick_retry",
]


def test_integration_fixtures_are_set_up_first_and_in_order(project: Project) -> None:
    project.write(
        conftest="""
        import pytest


        @pytest.fixture(autouse=True)
        def projects_own_autouse():
            pass
        """,
        test_order="""
        import pytest


        @pytest.fixture
        def my_fixture():
            pass


        @pytest.mark.integration_test
        def test_it(my_fixture):
            pass
        """,
    )
    result = project.run("--setup-only")
    result.assert_outcomes()
    setups = [
        line.split()[2]
        for line in result.stdout.lines
        if line.strip().startswith("SETUP ")
    ]
    plugin = [s for s in setups if s in ORDER]
    assert plugin == ORDER
    # All of them before anything the project or the test asked for.
    assert setups.index("graphql_events_quick_retry") < setups.index(
        "projects_own_autouse"
    )
    assert setups.index("graphql_events_quick_retry") < setups.index("my_fixture")


def test_a_projects_trylast_hook_sees_the_plugins_fixtures_first(
    project: Project,
) -> None:
    project.write(
        conftest=f"""
        import pytest

        ORDER = {ORDER!r}
        SEEN = {{}}


        @pytest.hookimpl(trylast=True)
        def pytest_collection_modifyitems(items):
            for item in items:
                SEEN[item.name] = list(item.fixturenames)
                if item.get_closest_marker("integration_test"):
                    # A project that wants its own fixture to run after the plugin's.
                    item.fixturenames.insert(len(ORDER), "fake_external_service")


        @pytest.fixture
        def fake_external_service(monkeypatch):
            monkeypatch.setenv("EXTERNAL_URL", "http://external.example")
        """,
        test_hook="""
        import os

        import pytest

        from conftest import ORDER
        from conftest import SEEN


        @pytest.mark.integration_test
        def test_integration(request):
            assert SEEN["test_integration"][: len(ORDER)] == ORDER
            assert request.fixturenames.index("fake_external_service") == len(ORDER)
            assert os.environ["EXTERNAL_URL"] == "http://external.example"


        def test_unit():
            assert SEEN["test_unit"][:2] == ["empty_environment", "load_marked_envvars"]
        """,
    )
    project.run().assert_outcomes(passed=2)


def test_the_markers_apply_to_parametrized_and_class_tests(project: Project) -> None:
    project.write(
        test_param="""
        import pytest

        ORDER = ["passthrough_backing_services", "fastramqpi_database_setup"]


        @pytest.mark.integration_test
        class TestInClass:
            @pytest.mark.parametrize("n", [1, 2])
            def test_param(self, request, n):
                assert request.fixturenames[:2] == ORDER


        @pytest.mark.parametrize("n", [1, 2])
        def test_unit_param(request, n):
            assert request.fixturenames[0] == "empty_environment"
        """
    )
    project.run().assert_outcomes(passed=4)


def test_every_fixture_the_testing_guide_names_is_one_the_plugin_gives(
    project: Project,
) -> None:
    guide = (Path(__file__).parents[2] / "docs" / "testing.md").read_text()
    documented = set(re.findall(r"^\| `(\w+)` \|", guide, flags=re.MULTILINE))
    assert {"test_client", "mo_emulator", "superuser", *ORDER} <= documented

    listed = project.run("--fixtures").stdout.lines
    given = {
        line.split()[0]
        for line in listed
        if "fastramqpi/_testing/" in line and " -- " in line
    }
    assert documented <= given
