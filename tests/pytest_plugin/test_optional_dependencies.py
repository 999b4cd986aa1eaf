# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The plugin is loaded in every project with FastRAMQPI installed: it must cost nothing there."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

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
