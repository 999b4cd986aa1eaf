# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_events_client_matches_the_schema_and_queries() -> None:
    """Editing queries.graphql or the emulator's schema needs a regenerated client."""
    result = subprocess.run(
        [sys.executable, "scripts/generate_events_client.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_check_notices_a_stale_client(tmp_path: Path) -> None:
    schema = (ROOT / "fastramqpi/emulator/schema.graphql").read_text()
    renamed = schema.replace(
        "subject: String!\n  priority: Int!", "subject: String!\n  priority: Float!", 1
    )
    assert renamed != schema
    changed = tmp_path / "schema.graphql"
    changed.write_text(renamed)
    result = subprocess.run(
        [
            sys.executable,
            "scripts/generate_events_client.py",
            "--check",
            "--schema",
            str(changed),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "stale" in result.stdout
