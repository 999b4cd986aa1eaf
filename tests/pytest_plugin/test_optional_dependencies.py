# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The plugin is loaded in every project with FastRAMQPI installed: it must cost nothing there."""

import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

from tests.pytest_plugin.conftest import INI

pytest_plugins = ("pytester",)

ROOT = Path(__file__).parents[2]


def _python(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        check=False,
    )


def test_loading_the_plugin_imports_nothing_heavy(tmp_path: Path) -> None:
    done = _python(
        """
        import sys
        import fastramqpi.pytest_plugin
        heavy = ["httpx", "uvicorn", "sqlalchemy", "asyncpg", "respx", "fastapi", "authlib",
                 "fastramqpi.main", "fastramqpi.events", "fastramqpi.emulator"]
        print(sorted(m for m in heavy if m in sys.modules))
        """,
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_without_pytest_asyncio_and_respx_the_plugin_loads_and_says_what_is_missing(
    pytester: pytest.Pytester,
) -> None:
    pytester.makefile(".ini", pytest="[pytest]\nfilterwarnings = error\n")
    pytester.makepyfile(
        test_bare="""
        import pytest


        def test_unit():
            pass


        @pytest.mark.integration_test
        def test_integration_without_respx():
            pass


        def test_needs_asyncio(test_client):
            pass
        """
    )
    # Shadowed by modules that fail to import, as if never installed.
    hidden = pytester.mkdir("not_installed")
    for name in ("pytest_asyncio", "respx"):
        (hidden / f"{name}.py").write_text(
            f"raise ModuleNotFoundError('No module {name}')"
        )
    done = _python(
        f"""
        import sys
        sys.path.insert(0, {str(hidden)!r})
        import importlib.metadata
        import pytest
        installed = importlib.metadata.entry_points(group="pytest11", name="fastramqpi")
        plugin = [] if installed else ["-p", "fastramqpi.pytest_plugin"]
        sys.exit(pytest.main([
            "-p", "no:asyncio", "-p", "no:respx", *plugin,
            "-p", "no:cacheprovider", "test_bare.py",
        ]))
        """,
        pytester.path,
    )
    out = done.stdout
    assert "2 passed, 1 error" in out, out + done.stderr
    assert (
        "The `test_client` fixture needs pytest-asyncio: pip install pytest-asyncio"
        in out
    )


def test_the_declared_entry_point_loads_the_plugin(pytester: pytest.Pytester) -> None:
    """As pip installs it: pytest finds the plugin through the entry point pyproject declares."""
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    entry_points = declared["entry-points"]["pytest11"]
    dist_info = pytester.mkdir("site") / "fastramqpi-0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: fastramqpi\nVersion: 0\n"
    )
    lines = [f"{name} = {target}" for name, target in entry_points.items()]
    (dist_info / "entry_points.txt").write_text(
        "[pytest11]\n" + "\n".join(lines) + "\n"
    )
    pytester.makefile(".ini", pytest=INI.format(mode="auto", loop_scope="function"))
    pytester.makepyfile(test_marked="def test_nothing(): pass")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--strict-markers",
            "--markers",
            "-p",
            "no:cacheprovider",
        ],
        cwd=pytester.path,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": f"{ROOT}:{dist_info.parent}", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    # Only the plugin registers these, and nothing but the entry point loaded it.
    assert "@pytest.mark.integration_test:" in done.stdout
    assert "@pytest.mark.envvar(mapping):" in done.stdout
