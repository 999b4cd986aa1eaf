# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Every public module imports on its own, without a warning: what a fresh install must give."""

import subprocess
import sys

import pytest

PUBLIC = [
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


@pytest.mark.parametrize("module", PUBLIC)
def test_a_public_module_imports_without_a_warning(module: str) -> None:
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
