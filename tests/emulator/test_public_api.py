# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""What users import from `fastramqpi.emulator`, and the docs that tell them."""

import re
import time
from pathlib import Path

import pytest

import fastramqpi.emulator
from fastramqpi import FastRAMQPIDeprecationWarning
from fastramqpi.emulator import Emulator
from fastramqpi.emulator._permissions import ROLE_OF_FIELD

from .client import MO

DOCS = Path(__file__).parents[2] / "docs" / "emulator.md"


def test_the_package_exports_the_documented_names() -> None:
    assert sorted(fastramqpi.emulator.__all__) == [
        "Clock",
        "Emulator",
        "EventView",
        "FakeClock",
        "Faults",
        "serve_emulator",
    ]
    for name in fastramqpi.emulator.__all__:
        assert getattr(fastramqpi.emulator, name).__module__.startswith(
            "fastramqpi.emulator"
        )


def test_pending_events_are_the_exported_event_view(emu: Emulator, mo: MO) -> None:
    mo.declare_listener("person")
    emu.emit("person", "p1")
    (pending,) = emu.pending()
    assert isinstance(pending, fastramqpi.emulator.EventView)
    assert isinstance(emu.faults, fastramqpi.emulator.Faults)


def test_system_clock_still_imports_with_a_deprecation_warning() -> None:
    with pytest.warns(FastRAMQPIDeprecationWarning, match="leave Emulator's clock"):
        from fastramqpi.emulator import SystemClock
    assert abs(SystemClock().now() - time.time()) < 60


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="Store"):
        fastramqpi.emulator.Store  # noqa: B018


def test_the_docs_list_the_role_of_every_field() -> None:
    section = DOCS.read_text().split("\n## Roles\n", 1)[1].split("\n## ", 1)[0]
    documented: dict[str, str] = {}
    for row in re.findall(r"^\| (.+) \| (.+) \|$", section, re.MULTILINE)[2:]:
        fields = re.findall(r"`([a-z_]+)`", row[0])
        roles = re.findall(r"`([a-z_]+)`", row[1])
        if len(roles) == 1:
            roles *= len(fields)
        documented.update(zip(fields, roles, strict=True))
    assert documented == ROLE_OF_FIELD
