# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""PostgreSQL for tests: the server itself, and a fresh copy of a migrated template for
every integration test."""

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from fastramqpi._testing.support import DATABASES
from fastramqpi._testing.support import needs

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from fastramqpi._testing.database import TestDatabases


@pytest.fixture(scope="session")
def superuser() -> Iterator["AsyncEngine"]:
    """An engine on the database server (maintenance database, autocommit, no pooling).

    ``async with superuser.connect() as c: await c.execute(text(...))`` works from any event
    loop, so the fixture can be session-scoped whatever loop scope the tests use.
    """
    needs("sqlalchemy", "superuser", "sqlalchemy")
    from fastramqpi._testing.database import configured_url
    from fastramqpi._testing.database import run
    from fastramqpi._testing.database import superuser_engine
    from fastramqpi._testing.environment import database_configured

    if not database_configured(os.environ):
        pytest.fail(
            "The `superuser` fixture needs FASTRAMQPI__DATABASE__HOST (and USER, PASSWORD) or "
            "FASTRAMQPI__DATABASE__URL in the environment",
            pytrace=False,
        )
    engine = superuser_engine(configured_url(os.environ))
    yield engine
    run(engine.dispose)


@pytest.fixture(scope="session")
def fastramqpi_database_setup() -> Iterator["TestDatabases | None"]:
    """The session's template database, or None when the tests use no PostgreSQL."""
    from fastramqpi._testing.environment import database_configured

    if not database_configured(os.environ):
        yield None
        return
    from fastramqpi._testing.database import TestDatabases
    from fastramqpi._testing.database import configured_url

    url = configured_url(os.environ)
    if url.get_backend_name() != "postgresql":
        yield None
        return
    databases = TestDatabases(url)
    try:
        databases.create_template()
    except Exception as error:
        pytest.fail(
            f"Cannot create the test template database on {databases.describe()}: "
            f"{type(error).__name__}: {error}",
            pytrace=False,
        )
    yield databases
    databases.drop_all()


@pytest.fixture
def fastramqpi_database_isolation(
    fastramqpi_database_setup: "TestDatabases | None",
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[str | None]:
    """A fresh copy of the template for this test; the settings point at it. Yields its name."""
    databases = fastramqpi_database_setup
    if databases is None:
        yield None
        return
    databases.copy_template()
    if os.environ.get("FASTRAMQPI__DATABASE__URL"):
        url = databases.test_url.render_as_string(hide_password=False)
        monkeypatch.setenv("FASTRAMQPI__DATABASE__URL", url)
    else:
        monkeypatch.setenv("FASTRAMQPI__DATABASE__NAME", databases.test)
    request.node.stash[DATABASES] = databases
    yield databases.test
    del request.node.stash[DATABASES]
    databases.drop_copy()
