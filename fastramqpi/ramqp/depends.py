# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The old import path of ``fastramqpi.depends``' context dependencies, kept for integrations."""

from fastramqpi.depends import Context
from fastramqpi.depends import State
from fastramqpi.depends import from_context
from fastramqpi.depends import get_context
from fastramqpi.depends import handle_exclusively
from fastramqpi.depends import handle_exclusively_decorator

__all__ = [
    "Context",
    "State",
    "from_context",
    "get_context",
    "handle_exclusively",
    "handle_exclusively_decorator",
]
