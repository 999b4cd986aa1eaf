# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""FastRAMQPI imported as a user's process does: warnings are errors, and optional packages
(httpx2, ariadne-codegen) may be there or not."""

import subprocess
import sys
from pathlib import Path

import pytest

import fastramqpi

PUBLIC_MODULES = [
    "fastramqpi.main",
    "fastramqpi.config",
    "fastramqpi.context",
    "fastramqpi.depends",
    "fastramqpi.events",
    "fastramqpi.ariadne",
    "fastramqpi.database",
    "fastramqpi.mo",
    "fastramqpi.metrics",
    "fastramqpi.pytest_util",
    "fastramqpi.pytest_plugin",
    "fastramqpi.ramqp.depends",
    "fastramqpi.emulator",
]

WITH_AND_WITHOUT_HTTPX2 = pytest.mark.parametrize(
    "hidden", [(), ("httpx2",)], ids=["as-installed", "without-httpx2"]
)


def run_python(code: str, cwd: Path, hidden: tuple[str, ...] = ()) -> str:
    """Run ``code`` with ``-W error`` in a fresh interpreter, as if ``hidden`` were not installed.

    A ``None`` in ``sys.modules`` makes importing that name raise ModuleNotFoundError, just
    as when the package is missing.
    """
    hide = f"import sys; sys.modules.update(dict.fromkeys({list(hidden)!r}))\n"
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", hide + code],
        cwd=cwd,
        env={"PYTHONPATH": str(Path(fastramqpi.__file__).parent.parent)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


@WITH_AND_WITHOUT_HTTPX2
def test_every_public_module_imports_without_a_warning(
    tmp_path: Path, hidden: tuple[str, ...]
) -> None:
    imports = "".join(f"import {module}\n" for module in PUBLIC_MODULES)
    run_python(imports, tmp_path, hidden)


@WITH_AND_WITHOUT_HTTPX2
def test_the_mo_client_is_an_httpx_client(
    tmp_path: Path, hidden: tuple[str, ...]
) -> None:
    out = run_python(
        "import httpx\n"
        "from fastramqpi.mo import AuthenticatedMOClient\n"
        "client = AuthenticatedMOClient(base_url='http://mo', client_id='c',"
        " client_secret='s', token_url='http://auth/token', timeout=1)\n"
        "print(isinstance(client, httpx.AsyncClient), type(client).__mro__[1].__module__)\n",
        tmp_path,
        hidden,
    )
    assert out.split() == ["True", "httpx"]


def test_generated_clients_run_without_the_code_generator(tmp_path: Path) -> None:
    out = run_python(
        "import fastramqpi.ariadne\n"
        "print('ariadne_codegen' in sys.modules)\n"
        "print(fastramqpi.ariadne.parse_graphql_datetime('2024-07-01T12:00:00+02:00'))\n",
        tmp_path,
    )
    assert out.splitlines() == ["False", "2024-07-01 12:00:00+02:00"]


def test_without_the_code_generator_only_the_plugins_are_missing(
    tmp_path: Path,
) -> None:
    out = run_python(
        "import fastramqpi.ariadne\n"
        "print(fastramqpi.ariadne.parse_graphql_datetime('2024-01-01T00:00:00Z').year)\n"
        "try:\n"
        "    fastramqpi.ariadne.UnsetInputTypesPlugin\n"
        "except ModuleNotFoundError as error:\n"
        "    print(error.name.partition('.')[0])\n",
        tmp_path,
        hidden=("ariadne_codegen",),
    )
    assert out.splitlines() == ["2024", "ariadne_codegen"]
