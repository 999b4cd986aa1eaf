# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""What construction gives, without a database being reachable at all."""

from typing import Any
from unittest.mock import AsyncMock
from unittest.mock import patch

import pytest
from starlette.testclient import TestClient

from fastramqpi.config import DatabaseSettings
from fastramqpi.config import Settings
from fastramqpi.main import FastRAMQPI
from tests.database.models import Base

NOWHERE = DatabaseSettings(
    user="fastramqpi",
    password="hunter2-not-for-logs",
    host="db.invalid",
    name="fastramqpi",
)


def _fastramqpi(database: DatabaseSettings | None, **kwargs: Any) -> FastRAMQPI:
    return FastRAMQPI(
        application_name="construction-test",
        settings=Settings(client_id="x", client_secret="y", database=database),
        graphql_version=25,
        **kwargs,
    )


def test_the_engine_url_comes_from_the_parts_and_hides_the_password() -> None:
    engine = _fastramqpi(NOWHERE, database_metadata=Base.metadata).get_context()[
        "engine"
    ]

    assert engine.url.drivername == "postgresql+asyncpg"
    assert (engine.url.host, engine.url.port, engine.url.database) == (
        "db.invalid",
        5432,
        "fastramqpi",
    )
    assert engine.url.username == "fastramqpi"
    for shown in (repr(engine), str(engine.url), repr(engine.url)):
        assert "hunter2-not-for-logs" not in shown


def test_a_full_url_wins_over_the_parts() -> None:
    database = DatabaseSettings(url="sqlite+aiosqlite:///local.db", host="ignored")
    engine = _fastramqpi(database, database_metadata=Base.metadata).get_context()[
        "engine"
    ]

    assert str(engine.url) == "sqlite+aiosqlite:///local.db"


def test_asking_for_a_database_without_settings_names_the_variables() -> None:
    with pytest.raises(ValueError, match="FASTRAMQPI__DATABASE__"):
        _fastramqpi(None, database_metadata=Base.metadata)


def test_no_database_asked_for_means_no_engine_and_no_check() -> None:
    context = _fastramqpi(NOWHERE).get_context()

    assert "engine" not in context
    assert "sessionmaker" not in context
    assert "Database" not in context["healthchecks"].names()


def test_readiness_names_the_database_check() -> None:
    context = _fastramqpi(NOWHERE, database_metadata=Base.metadata).get_context()

    assert "Database" in context["healthchecks"].names()
    assert "Database" not in context["healthchecks"].names(live_only=True)


def test_a_test_suite_may_patch_the_database_module_away() -> None:
    """Some integrations' unit tests replace ``fastramqpi.main.database`` with a mock."""
    with patch("fastramqpi.main.database", return_value=AsyncMock()) as database:
        fastramqpi = _fastramqpi(None, database_metadata=Base.metadata)
        with TestClient(fastramqpi.get_app()) as client:
            assert client.get("/").status_code == 200

    assert fastramqpi.get_context()["engine"] is database.Database.return_value.engine
