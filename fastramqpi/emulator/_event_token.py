# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The opaque token a fetch hands out and an acknowledgement hands back: event and generation.

The generation changes when the event is sent again, so acknowledging an older fetch of it
is a no-op, as in MO.
"""

import base64
import binascii
from uuid import UUID


def encode_token(event: UUID, generation: UUID) -> str:
    return base64.b64encode(f"{event}.{generation}".encode()).decode()


def decode_token(token: str) -> tuple[UUID, UUID]:
    """Raises ValueError for anything that is not a token this emulator could have made."""
    try:
        text = base64.b64decode(token.encode(), validate=True).decode()
        event, generation = text.split(".")
        return UUID(event), UUID(generation)
    except (binascii.Error, UnicodeError, ValueError) as error:
        raise ValueError("Invalid event token") from error
