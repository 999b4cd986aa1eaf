# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""An in-process OS2mo for tests: the GraphQL event system and a Keycloak token endpoint."""

from ._clock import Clock
from ._clock import FakeClock
from ._clock import SystemClock
from ._emulator import Emulator
from ._faults import Faults
from ._server import serve_emulator
from ._store import EventView

__all__ = [
    "Clock",
    "Emulator",
    "EventView",
    "FakeClock",
    "Faults",
    "SystemClock",
    "serve_emulator",
]
