# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Every public module imports without a warning: what a fresh install must give."""

import subprocess
import sys

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


def test_the_public_modules_import_without_a_warning() -> None:
    """In a fresh interpreter, as an integration starts: not under this suite's imports."""
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", "\n".join(f"import {m}" for m in PUBLIC)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
