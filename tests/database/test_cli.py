# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""``python -m fastramqpi.database`` as an integration author runs it, on a real database."""

import asyncio
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine

import fastramqpi
from fastramqpi.config import DatabaseSettings
from tests.database.example import create_fastramqpi
from tests.database.example import until_ready
from tests.servers import serve

ROOT = Path(fastramqpi.__file__).parents[1]
MODELS = Path(__file__).with_name("models.py")

PYPROJECT = """\
[project]
name = "my-integration"

[tool.fastramqpi.database]
migrations = "my_integration/migrations"
metadata = "my_integration.database:Base"
"""


@dataclass(frozen=True)
class Result:
    returncode: int
    stdout: str
    stderr: str


async def _cli(cwd: Path, *args: str, env: dict[str, str]) -> Result:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith("FASTRAMQPI__")
    }
    environment |= {"PYTHONPATH": str(ROOT)} | env
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "fastramqpi.database",
        *args,
        cwd=cwd,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await process.communicate()
    assert process.returncode is not None
    return Result(process.returncode, stdout.decode(), stderr.decode())


def _env(database: DatabaseSettings) -> dict[str, str]:
    return {
        "FASTRAMQPI__DATABASE__USER": str(database.user),
        "FASTRAMQPI__DATABASE__PASSWORD": "hunter2-not-for-output",
        "FASTRAMQPI__DATABASE__HOST": str(database.host),
        "FASTRAMQPI__DATABASE__PORT": str(database.port),
        "FASTRAMQPI__DATABASE__NAME": str(database.name),
    }


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An integration's checkout: its package with the README's tables, and pyproject.toml."""
    package = tmp_path / "my_integration"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "database.py").write_text(MODELS.read_text())
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    return tmp_path


async def _tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))


async def test_help_tells_an_author_what_to_run(tmp_path: Path) -> None:
    result = await _cli(tmp_path, "--help", env={})

    assert result.returncode == 0
    for needle in (
        "revision",
        "upgrade",
        "downgrade",
        "current",
        "FASTRAMQPI__DATABASE__URL",
        "[tool.fastramqpi.database]",
        "database_migrations=",
        "--autogenerate",
    ):
        assert needle in result.stdout


async def test_revision_upgrade_current_downgrade(
    project: Path, database: DatabaseSettings, inspect_db: AsyncEngine
) -> None:
    env = _env(database)
    migrations = project / "my_integration" / "migrations"

    generated = await _cli(
        project, "revision", "--autogenerate", "-m", "add user table", env=env
    )
    assert generated.returncode == 0, generated.stderr
    [first] = migrations.glob("*.py")
    assert first.name.endswith("_add_user_table.py")
    assert "op.create_table" in first.read_text()
    assert "Detected added table 'user'" in generated.stderr
    # Autogenerate writes a file and leaves the database as it was.
    assert await _tables(inspect_db) == set()

    empty = await _cli(project, "revision", "-m", "backfill names", env=env)
    assert empty.returncode == 0, empty.stderr
    [second] = set(migrations.glob("*.py")) - {first}
    first_id = first.name.split("_")[1]
    assert (
        f"down_revision: str | Sequence[str] | None = {first_id!r}"
        in second.read_text()
    )

    upgraded = await _cli(project, "upgrade", env=env)
    assert upgraded.returncode == 0, upgraded.stderr
    assert await _tables(inspect_db) == {"user", "alembic_version"}
    current = await _cli(project, "current", env=env)
    second_id = second.name.split("_")[1]
    assert f"{second_id} (head)" in current.stdout

    stepped_back = await _cli(project, "downgrade", "-1", env=env)
    assert stepped_back.returncode == 0, stepped_back.stderr
    assert first_id in (await _cli(project, "current", env=env)).stdout

    emptied = await _cli(project, "downgrade", "base", env=env)
    assert emptied.returncode == 0, emptied.stderr
    assert await _tables(inspect_db) == {"alembic_version"}

    for result in (generated, empty, upgraded, current, stepped_back, emptied):
        assert "hunter2-not-for-output" not in result.stdout + result.stderr


async def test_the_app_runs_what_the_cli_wrote(
    project: Path, database: DatabaseSettings, inspect_db: AsyncEngine
) -> None:
    migrations = project / "my_integration" / "migrations"
    result = await _cli(
        project,
        "revision",
        "--autogenerate",
        "-m",
        "add user table",
        env=_env(database),
    )
    assert result.returncode == 0, result.stderr

    app = create_fastramqpi(database, migrations=migrations).get_app()
    async with serve(app) as url, httpx.AsyncClient(base_url=url) as client:
        await until_ready(client)
        assert (await client.post("/users/alice")).status_code == 200
    assert await _tables(inspect_db) == {"user", "alembic_version"}


async def test_flags_work_without_pyproject(
    tmp_path: Path, database: DatabaseSettings, inspect_db: AsyncEngine
) -> None:
    (tmp_path / "models.py").write_text(MODELS.read_text())
    args = ("--directory", "versions", "--metadata", "models:Base.metadata")

    generated = await _cli(
        tmp_path, *args, "revision", "--autogenerate", "-m", "x", env=_env(database)
    )
    upgraded = await _cli(tmp_path, *args, "upgrade", env=_env(database))

    assert (generated.returncode, upgraded.returncode) == (0, 0), (
        generated.stderr + upgraded.stderr
    )
    assert await _tables(inspect_db) == {"user", "alembic_version"}


async def test_an_unreachable_database_is_named_without_password_or_traceback(
    project: Path, database: DatabaseSettings
) -> None:
    (project / "my_integration" / "migrations").mkdir()
    env = _env(database) | {"FASTRAMQPI__DATABASE__PORT": "1"}

    result = await _cli(project, "upgrade", env=env)

    assert result.returncode == 1
    assert f"127.0.0.1:1/{database.name}" in result.stderr
    assert "hunter2-not-for-output" not in result.stderr
    assert "Traceback" not in result.stderr


async def test_missing_settings_say_which_variables(project: Path) -> None:
    (project / "my_integration" / "migrations").mkdir()

    result = await _cli(project, "current", env={})

    assert result.returncode == 1
    assert "FASTRAMQPI__DATABASE__URL" in result.stderr
    assert "Traceback" not in result.stderr


async def test_autogenerate_without_metadata_is_refused(tmp_path: Path) -> None:
    result = await _cli(
        tmp_path,
        "--directory",
        "versions",
        "revision",
        "--autogenerate",
        "-m",
        "x",
        env={},
    )

    assert result.returncode == 1
    assert "--metadata" in result.stderr


async def test_a_metadata_that_does_not_import_is_named(tmp_path: Path) -> None:
    result = await _cli(
        tmp_path,
        "--directory",
        "versions",
        "--metadata",
        "no_such_module:Base",
        "revision",
        "-m",
        "x",
        env={},
    )

    assert result.returncode == 1
    assert "no_such_module" in result.stderr
    assert "Traceback" not in result.stderr
