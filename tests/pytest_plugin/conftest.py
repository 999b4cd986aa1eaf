# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Running a throwaway project's test suite with the plugin, the way a user's CI would."""

import importlib.metadata
import os
import textwrap
from dataclasses import dataclass

# Inner runs are in-process, and pytester forgets modules first imported by one of them; a C
# extension imported a second time crashes (asyncpg's does). Import them once, out here.
import asyncpg  # noqa: F401
import pytest
import sqlalchemy.dialects.postgresql.asyncpg  # noqa: F401

import fastramqpi._testing.database
import fastramqpi._testing.mo
import fastramqpi._testing.server
import fastramqpi.emulator
import fastramqpi.main  # noqa: F401

# The rewrite warning only arises in-process, where this suite has imported fastramqpi already.
INI = """\
[pytest]
asyncio_mode = {mode}
asyncio_default_fixture_loop_scope = {loop_scope}
addopts = -p no:cacheprovider
filterwarnings =
    error
    ignore:Module already imported so cannot be rewritten:pytest.PytestAssertRewriteWarning
"""


def plugin_args() -> list[str]:
    """Load the plugin by hand unless pip installed FastRAMQPI (then its entry point does)."""
    installed = importlib.metadata.entry_points(group="pytest11", name="fastramqpi")
    return [] if installed else ["-p", "fastramqpi.pytest_plugin"]


@dataclass
class Project:
    """A user's project: files written with ``write``, tests run with ``run``."""

    pytester: pytest.Pytester

    def write(self, **files: str) -> None:
        self.pytester.makepyfile(**{k: textwrap.dedent(v) for k, v in files.items()})

    def run(
        self, *args: str, mode: str = "auto", loop_scope: str = "function"
    ) -> pytest.RunResult:
        self.pytester.makefile(
            ".ini", pytest=INI.format(mode=mode, loop_scope=loop_scope)
        )
        return self.pytester.runpytest_inprocess(*plugin_args(), *args)


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Project:
    # The project's CI would not set these; a developer's shell might.
    for name in list(os.environ):
        if name.startswith("FASTRAMQPI__"):
            monkeypatch.delenv(name)
    return Project(pytester)


APP = """
from uuid import UUID

from fastapi import APIRouter
from fastapi import FastAPI
from fastapi import Response
from pydantic_settings import BaseSettings
from pydantic_settings import SettingsConfigDict
from sqlalchemy import select
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from fastramqpi import depends
from fastramqpi.config import Settings as FastRAMQPISettings
from fastramqpi.events import Event
from fastramqpi.events import GraphQLEvents
from fastramqpi.events import Listener
from fastramqpi.main import FastRAMQPI


class Base(DeclarativeBase):
    pass


class Seen(Base):
    __tablename__ = "seen"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(frozen=True, env_nested_delimiter="__")

    fastramqpi: FastRAMQPISettings


router = APIRouter()
FAIL_FIRST = set()


@router.post("/events/person")
async def person(event: Event[UUID], session: depends.Session, response: Response) -> None:
    if str(event.subject) in FAIL_FIRST:
        FAIL_FIRST.discard(str(event.subject))
        response.status_code = 500
        return
    session.add(Seen(subject=str(event.subject)))


@router.post("/seen/{subject}")
async def add(subject: str, session: depends.Session) -> None:
    session.add(Seen(subject=subject))


@router.get("/seen")
async def seen(session: depends.Session) -> list[str]:
    return list((await session.scalars(select(Seen.subject).order_by(Seen.id))).all())


def create_app(**kwargs) -> FastAPI:
    settings = Settings()
    fastramqpi = FastRAMQPI(
        application_name="plugin-test-integration",
        settings=settings.fastramqpi,
        graphql_version=25,
        graphql_events=GraphQLEvents(
            declare_listeners=[
                Listener(namespace="mo", user_key="person", routing_key="person", path="/events/person")
            ]
        ),
        **kwargs,
    )
    fastramqpi.get_app().include_router(router)
    return fastramqpi.get_app()
"""

APP_CONFTEST = """
import pytest

from app_module import create_app


@pytest.fixture
def server_port() -> int:
    return 0


@pytest.fixture
async def app():
    return create_app(database_metadata=__import__("app_module").Base.metadata)
"""


def use_postgresql(monkeypatch: pytest.MonkeyPatch) -> None:
    """The PostgreSQL of the test machine, as a CI job would configure it."""
    monkeypatch.setenv("FASTRAMQPI__DATABASE__USER", "postgres")
    monkeypatch.setenv("FASTRAMQPI__DATABASE__HOST", "127.0.0.1")
    monkeypatch.setenv("FASTRAMQPI__DATABASE__NAME", "postgres")
