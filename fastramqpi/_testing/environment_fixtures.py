# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The environment a test runs in: empty for unit tests, plus what its markers set."""

import os

import pytest

from fastramqpi._testing.markers import ENVVAR
from fastramqpi._testing.markers import merged_envvars


@pytest.fixture
def empty_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Clear the environment (but PATH, HOME, locale and temp dirs) for the test."""
    from fastramqpi._testing.environment import essentials

    keep = essentials(os.environ)
    for name in list(os.environ):
        if name not in keep:
            monkeypatch.delenv(name)


@pytest.fixture
def load_marked_envvars(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """Set what the test's ``envvar`` markers ask for; returns those variables."""
    marks = request.node.iter_markers(ENVVAR)
    variables = merged_envvars((m.args, m.kwargs) for m in marks)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return variables
