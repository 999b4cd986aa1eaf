# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The ``envvar`` and ``integration_test`` markers, and the environment unit tests get."""

import pytest

from tests.pytest_plugin.conftest import Project

pytest_plugins = ("pytester",)


def test_envvar_markers_stack_and_the_nearest_wins(project: Project) -> None:
    project.write(
        test_stack="""
        import os

        import pytest

        pytestmark = pytest.mark.envvar({"LEVEL": "module", "MODULE_ONLY": "m"})


        @pytest.mark.envvar({"LEVEL": "class", "CLASS_ONLY": "c"})
        class TestStack:
            @pytest.mark.envvar({"LEVEL": "upper", "UPPER_ONLY": "u"})
            @pytest.mark.envvar({"LEVEL": "function"})
            def test_nearest_wins(self, load_marked_envvars):
                assert os.environ["LEVEL"] == "function"
                assert os.environ["MODULE_ONLY"] == "m"
                assert os.environ["CLASS_ONLY"] == "c"
                assert os.environ["UPPER_ONLY"] == "u"
                assert load_marked_envvars["LEVEL"] == "function"

            def test_class_over_module(self):
                assert os.environ["LEVEL"] == "class"


        def test_module_only():
            assert os.environ["LEVEL"] == "module"
            assert "CLASS_ONLY" not in os.environ
        """
    )
    project.run().assert_outcomes(passed=3)


def test_envvars_are_gone_after_the_test(project: Project) -> None:
    project.write(
        test_gone="""
        import os

        import pytest


        @pytest.mark.envvar({"ONLY_HERE": "1"})
        def test_set():
            assert os.environ["ONLY_HERE"] == "1"


        @pytest.mark.integration_test
        def test_not_set():
            assert "ONLY_HERE" not in os.environ
        """
    )
    project.run().assert_outcomes(passed=2)


def test_integration_tests_see_envvars_on_top_of_the_environment(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FROM_CI", "ci")
    project.write(
        test_integration="""
        import os

        import pytest


        @pytest.mark.integration_test
        @pytest.mark.envvar({"FROM_MARKER": "marker"})
        def test_both():
            assert os.environ["FROM_CI"] == "ci"
            assert os.environ["FROM_MARKER"] == "marker"
        """
    )
    project.run().assert_outcomes(passed=1)


def test_unit_tests_get_an_empty_environment(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FASTRAMQPI__CLIENT_ID", "from-the-shell")
    monkeypatch.setenv("SOME_CONFIG", "leaks")
    project.write(
        test_env="""
        import os
        import subprocess
        import sys

        import pytest


        def test_unit():
            assert "FASTRAMQPI__CLIENT_ID" not in os.environ
            assert "SOME_CONFIG" not in os.environ
            # What processes need to run is kept.
            assert "PATH" in os.environ
            assert subprocess.run([sys.executable, "-c", "pass"]).returncode == 0


        @pytest.mark.envvar({"SOME_CONFIG": "chosen"})
        def test_unit_with_marker():
            assert os.environ["SOME_CONFIG"] == "chosen"
            assert "FASTRAMQPI__CLIENT_ID" not in os.environ


        @pytest.mark.integration_test
        def test_integration():
            assert os.environ["SOME_CONFIG"] == "leaks"
        """
    )
    project.run().assert_outcomes(passed=3)


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        (
            'envvar("X=1")',
            "one mapping of variable names to strings; got envvar('X=1')",
        ),
        (
            "envvar(X='1')",
            "one mapping of variable names to strings; got envvar(X='1')",
        ),
        ("envvar({'X': '1'}, {'Y': '2'})", "got envvar({'X': '1'}, {'Y': '2'})"),
        ("envvar()", "got envvar()"),
        (
            "envvar({'PORT': 8000})",
            "PORT is 8000 (int), write it as a string, e.g. '8000'",
        ),
        ("envvar({'A=B': 'x'})", "'A=B' is not a variable name"),
        (
            "integration_test('slow')",
            "integration_test takes no arguments; got ('slow')",
        ),
    ],
)
def test_misused_markers_fail_the_test_saying_how_to_fix_it(
    project: Project, marker: str, message: str
) -> None:
    project.write(
        test_bad=f"""
        import pytest


        @pytest.mark.{marker}
        def test_it():
            pass


        def test_unmarked_tests_still_run():
            pass
        """
    )
    result = project.run()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines([f"*{message}*"])
    # The user's own mistake, not a traceback into the plugin.
    assert "pytest_plugin.py" not in result.stdout.str()


def test_markers_are_registered(project: Project) -> None:
    project.write(test_strict="def test_nothing(): pass")
    result = project.run("--strict-markers", "--markers")
    result.stdout.fnmatch_lines(
        ["@pytest.mark.integration_test:*", "@pytest.mark.envvar(mapping):*"]
    )
