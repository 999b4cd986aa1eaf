# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""An in-process OS2mo for tests: the GraphQL event system and a Keycloak token endpoint."""

from .clock import Clock
from .clock import FakeClock
from .clock import SystemClock
from .emulator import Emulator
from .faults import Faults
from .server import serve_emulator
from .store import EventView

__all__ = [
    "Clock",
    "Emulator",
    "EventView",
    "FakeClock",
    "Faults",
    "SystemClock",
    "serve_emulator",
]
