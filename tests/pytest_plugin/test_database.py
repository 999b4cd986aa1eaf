# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Each integration test gets its own copy of a database migrated once per session."""

import os
from pathlib import Path

import pytest
from sqlalchemy import text

from fastramqpi._testing.database import configured_url
from fastramqpi._testing.database import run
from fastramqpi._testing.database import superuser_engine
from tests.pytest_plugin.conftest import APP
from tests.pytest_plugin.conftest import Project
from tests.pytest_plugin.conftest import use_postgresql

pytest_plugins = ("pytester",)

MIGRATION = """
import os

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "seen",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("subject", sa.String, nullable=False),
    )
    with open(os.environ["MIGRATION_LOG"], "a") as log:
        log.write("upgraded\\n")


def downgrade() -> None:
    op.drop_table("seen")
"""

TESTS = """
import os

import pytest

from app_module import create_app


@pytest.fixture
def server_port():
    return 0


@pytest.fixture
async def app():
    return create_app(database_migrations="migrations")


@pytest.mark.integration_test
async def test_first(test_client):
    assert (await test_client.post("/seen/first")).status_code == 200
    assert (await test_client.get("/seen")).json() == ["first"]


@pytest.mark.integration_test
async def test_second(test_client):
    assert (await test_client.post("/seen/second")).status_code == 200
    assert (await test_client.get("/seen")).json() == ["second"]


@pytest.mark.integration_test
def test_settings_point_at_the_copy(fastramqpi_database_isolation):
    assert os.environ["FASTRAMQPI__DATABASE__NAME"] == fastramqpi_database_isolation
    assert fastramqpi_database_isolation.startswith("fastramqpi_test_")
"""


def _databases_left() -> list[str]:
    async def query() -> list[str]:
        engine = superuser_engine(configured_url(os.environ))
        try:
            async with engine.connect() as connection:
                rows = await connection.execute(
                    text("SELECT datname FROM pg_database WHERE datname LIKE :pattern"),
                    {"pattern": f"fastramqpi_%_{os.getpid()}"},
                )
                return [row[0] for row in rows]
        finally:
            await engine.dispose()

    return run(query)


def test_tests_do_not_see_each_others_rows_and_migrations_run_once(
    project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    use_postgresql(monkeypatch)
    log = tmp_path / "migrations.log"
    monkeypatch.setenv("MIGRATION_LOG", str(log))
    project.write(app_module=APP, test_isolation=TESTS)
    project.pytester.mkdir("migrations")
    (project.pytester.path / "migrations" / "0001_seen.py").write_text(MIGRATION)

    project.run().assert_outcomes(passed=3)

    assert log.read_text() == "upgraded\n"
    assert _databases_left() == []


def test_works_whatever_loop_scope_the_project_uses(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_postgresql(monkeypatch)
    project.write(
        test_loops="""
        import pytest
        from sqlalchemy import text


        async def copy_exists(superuser, name):
            async with superuser.connect() as connection:
                found = await connection.execute(
                    text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
                )
                return found.scalar() == 1


        @pytest.mark.integration_test
        @pytest.mark.asyncio(loop_scope="session")
        async def test_session_loop(superuser, fastramqpi_database_isolation):
            assert await copy_exists(superuser, fastramqpi_database_isolation)


        @pytest.mark.integration_test
        @pytest.mark.asyncio(loop_scope="module")
        async def test_module_loop(superuser, fastramqpi_database_isolation):
            assert await copy_exists(superuser, fastramqpi_database_isolation)


        @pytest.mark.integration_test
        async def test_function_loop(superuser, fastramqpi_database_isolation):
            assert await copy_exists(superuser, fastramqpi_database_isolation)


        @pytest.mark.integration_test
        def test_no_loop(superuser, fastramqpi_database_isolation):
            assert fastramqpi_database_isolation
        """
    )
    project.run(loop_scope="session").assert_outcomes(passed=4)


def test_without_a_database_the_database_fixtures_stay_out_of_the_way(
    project: Project,
) -> None:
    project.write(
        test_nodb="""
        import pytest


        @pytest.mark.integration_test
        def test_it(fastramqpi_database_isolation):
            assert fastramqpi_database_isolation is None


        def test_superuser_says_what_it_needs(superuser):
            pass
        """
    )
    result = project.run()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        ["*`superuser` fixture needs FASTRAMQPI__DATABASE__HOST*"]
    )


def test_an_unreachable_database_fails_the_tests_with_where_it_looked(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_postgresql(monkeypatch)
    monkeypatch.setenv("FASTRAMQPI__DATABASE__PORT", "1")
    monkeypatch.setenv("FASTRAMQPI__DATABASE__PASSWORD", "hunter2")
    project.write(
        test_down="""
        import pytest


        @pytest.mark.integration_test
        def test_it():
            pass
        """
    )
    result = project.run()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*Cannot create the test template database on *postgres:***@127.0.0.1:1/postgres*"
        ]
    )
    assert "hunter2" not in result.stdout.str()


def test_a_database_url_is_pointed_at_the_copy_too(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "FASTRAMQPI__DATABASE__URL",
        "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres",
    )
    project.write(
        app_module=APP,
        test_url="""
        import os

        import pytest

        from app_module import Base
        from app_module import create_app


        @pytest.fixture
        def server_port():
            return 0


        @pytest.fixture
        async def app():
            return create_app(database_metadata=Base.metadata)


        @pytest.mark.integration_test
        async def test_it(test_client, fastramqpi_database_isolation):
            url = os.environ["FASTRAMQPI__DATABASE__URL"]
            assert url.endswith(f"@127.0.0.1:5432/{fastramqpi_database_isolation}")
            assert (await test_client.post("/seen/a")).status_code == 200
            assert (await test_client.get("/seen")).json() == ["a"]
        """,
    )
    project.run().assert_outcomes(passed=1)
