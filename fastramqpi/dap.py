# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Remote debugging over DAP (debugpy), for attaching an editor to a running container.

Switched on by ``FASTRAMQPI__DAP`` or, as the seed README documents, by a plain ``DAP``.
debugpy is imported only then: importing it patches the interpreter and costs start-up time.
"""

import os
from collections.abc import Mapping

import structlog
from pydantic import TypeAdapter
from pydantic import ValidationError

from fastramqpi.config import Settings

logger = structlog.stdlib.get_logger(__name__)

ADDRESS = ("0.0.0.0", 5678)

_bool = TypeAdapter(bool)
_listening = False


def enabled(settings: Settings, environ: Mapping[str, str] = os.environ) -> bool:
    """Whether debugging is asked for; a ``DAP`` that is not a boolean is an error."""
    if settings.dap:
        return True
    raw = environ.get("DAP")
    if raw is None:
        return False
    try:
        return _bool.validate_python(raw)
    except ValidationError:
        raise ValueError(f"DAP: {raw!r} is not a boolean (use true or false)") from None


def start(settings: Settings, address: tuple[str, int] = ADDRESS) -> bool:
    """Listen for a debugger on ``address`` when enabled; return whether it listens.

    debugpy can listen only once per process, so later apps (a test suite) share it.
    """
    global _listening
    if not enabled(settings):
        return False
    if not _listening:
        import debugpy

        debugpy.listen(address)
        _listening = True
        logger.info("Debugger listening", host=address[0], port=address[1])
    return True
