# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""``from fastramqpi import ...``: the short imports, loaded only when asked for."""

import subprocess
import sys

import pytest

import fastramqpi


def test_the_short_imports_are_the_documented_objects() -> None:
    from fastramqpi import Event
    from fastramqpi import FastRAMQPI
    from fastramqpi import GraphQLEvents
    from fastramqpi import Listener
    from fastramqpi import Namespace
    from fastramqpi import Settings
    from fastramqpi import config
    from fastramqpi import depends
    from fastramqpi import events
    from fastramqpi import main

    assert FastRAMQPI is main.FastRAMQPI
    assert Settings is config.Settings
    assert (Event, GraphQLEvents, Listener, Namespace) == (
        events.Event,
        events.GraphQLEvents,
        events.Listener,
        events.Namespace,
    )
    assert depends.Session is not None
    assert set(dir(fastramqpi)) == set(fastramqpi.__all__)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchThing"):
        fastramqpi.NoSuchThing  # noqa: B018


def test_importing_the_package_loads_none_of_them() -> None:
    probe = (
        "import sys, fastramqpi;"
        "print(sorted(m for m in ('fastramqpi.main', 'fastramqpi.events', 'fastapi',"
        " 'fastramqpi.config') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-W", "error", "-c", probe],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip() == "[]"
