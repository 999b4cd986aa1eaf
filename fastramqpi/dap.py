# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Remote debugging over DAP (debugpy), for attaching an editor to a running container.

Switched on by ``FASTRAMQPI__DAP`` or, as the original's README documents, a plain ``DAP``
(the settings read both). debugpy is imported only then: importing it patches the
interpreter and costs start-up time.
"""

import structlog

from fastramqpi.config import Settings

logger = structlog.stdlib.get_logger(__name__)

ADDRESS = ("0.0.0.0", 5678)

_listening = False


def start(settings: Settings, address: tuple[str, int] = ADDRESS) -> bool:
    """Listen for a debugger on ``address`` when enabled; return whether it listens.

    debugpy can listen only once per process, so later apps (a test suite) share it.
    """
    global _listening
    if not settings.dap:
        return False
    if not _listening:
        import debugpy

        debugpy.listen(address)
        _listening = True
        logger.info("Debugger listening", host=address[0], port=address[1])
    return True
