# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""An opinionated framework for OS2mo integrations.

``from fastramqpi import FastRAMQPI, Settings, Event, Listener, GraphQLEvents, Namespace,
depends`` works, but each name is imported only when first asked for (PEP 562): the pytest
plugin, loaded in every pytest run of every project that installs FastRAMQPI, imports this
package and must stay cheap.
"""

import importlib
from typing import TYPE_CHECKING
from typing import Any

from fastramqpi._warnings import FastRAMQPIDeprecationWarning

if TYPE_CHECKING:
    from fastramqpi import depends as depends
    from fastramqpi.config import Settings as Settings
    from fastramqpi.events import Event as Event
    from fastramqpi.events import GraphQLEvents as GraphQLEvents
    from fastramqpi.events import Listener as Listener
    from fastramqpi.events import Namespace as Namespace
    from fastramqpi.main import FastRAMQPI as FastRAMQPI

__all__ = [
    "Event",
    "FastRAMQPI",
    "FastRAMQPIDeprecationWarning",
    "GraphQLEvents",
    "Listener",
    "Namespace",
    "Settings",
    "depends",
]

_LAZY = {
    "FastRAMQPI": "fastramqpi.main",
    "Settings": "fastramqpi.config",
    "Event": "fastramqpi.events",
    "GraphQLEvents": "fastramqpi.events",
    "Listener": "fastramqpi.events",
    "Namespace": "fastramqpi.events",
}


def __getattr__(name: str) -> Any:
    if name == "depends":
        return importlib.import_module("fastramqpi.depends")
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
