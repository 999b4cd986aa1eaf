# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""What every fixture module shares: optional libraries, and where a fixture leaves word for
another fixture or a hook."""

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING
from typing import Any

import pytest

if TYPE_CHECKING:
    from fastramqpi._testing.database import TestDatabases

DATABASES: "pytest.StashKey[TestDatabases]" = pytest.StashKey()
"""The test's databases, on the test's node, once its copy of the template is made."""
EMULATOR_URL = pytest.StashKey[str]()
"""The URL of the test's own emulator, on the test's node."""
MO_SNAPSHOTS = pytest.StashKey[set[str]]()
"""The MOs (by URL) snapshotted this session, on the config."""
EMULATOR_REASON = pytest.StashKey[str]()
"""Why integration tests fell back to the emulator, on the config, for the run's summary."""


def installed(module: str) -> bool:
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


def needs(module: str, fixture: str, package: str) -> None:
    if not installed(module):
        pytest.fail(
            f"The `{fixture}` fixture needs {package}: pip install {package}",
            pytrace=False,
        )


# pytest-asyncio is optional: without it the async fixtures exist but fail with a message.
if installed("pytest_asyncio"):
    import pytest_asyncio

    async_fixture: Callable[..., Any] = pytest_asyncio.fixture
else:  # pragma: no cover - exercised only where pytest-asyncio is not installed

    def async_fixture(fn: Callable[..., Any]) -> Any:
        name = fn.__name__

        @pytest.fixture(name=name)
        def missing() -> None:
            needs("pytest_asyncio", name, "pytest-asyncio")

        return missing
