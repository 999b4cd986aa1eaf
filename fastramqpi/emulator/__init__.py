# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""An in-process OS2mo for tests: the GraphQL event system and a Keycloak token endpoint.

`Clock`, `EventView` and `Faults` are public because they are the types of `Emulator`'s
parameters, results and attributes; everything in an underscore module may change.
"""

import warnings
from typing import Any

from ._clock import Clock
from ._clock import FakeClock
from ._emulator import Emulator
from ._faults import Faults
from ._model import EventView
from ._server import serve_emulator

__all__ = [
    "Clock",
    "Emulator",
    "EventView",
    "FakeClock",
    "Faults",
    "serve_emulator",
]


def __getattr__(name: str) -> Any:
    if name == "SystemClock":
        from .._warnings import FastRAMQPIDeprecationWarning
        from ._clock import SystemClock

        warnings.warn(
            "fastramqpi.emulator.SystemClock is deprecated: it is the default, so leave "
            "Emulator's clock unset",
            FastRAMQPIDeprecationWarning,
            stacklevel=2,
        )
        return SystemClock
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
