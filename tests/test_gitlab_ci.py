# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
""".gitlab-ci.yml runs the same checks as `make test`, for users on GitLab."""

from pathlib import Path

import yaml

ROOT = Path(__file__).parents[1]
PIPELINE = yaml.safe_load((ROOT / ".gitlab-ci.yml").read_text())


def _script(job: str) -> list[str]:
    return list(PIPELINE[job]["script"])


def test_lint_test_and_docs_jobs_in_that_order() -> None:
    assert PIPELINE["stages"] == ["lint", "test", "docs"]
    assert [PIPELINE[job]["stage"] for job in ("lint", "test", "docs")] == PIPELINE[
        "stages"
    ]


def test_lint_runs_every_linter() -> None:
    script = " ; ".join(_script("lint"))
    for check in ("ruff check", "ruff format --check", "mypy fastramqpi", "reuse lint"):
        assert check in script


def test_tests_run_with_a_local_postgresql_and_the_demo() -> None:
    script = _script("test")
    assert any("listen_addresses=127.0.0.1" in line for line in script)
    assert "pytest" in script
    assert "python examples/demo.py --once" in script


def test_docs_build_strictly_and_are_kept() -> None:
    assert any("mkdocs build --strict" in line for line in _script("docs"))
    assert PIPELINE["docs"]["artifacts"]["paths"] == ["public"]
