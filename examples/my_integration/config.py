# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""The integration's settings: FastRAMQPI's under ``FASTRAMQPI__*``, its own beside them."""

from fastramqpi.config import Settings as FastRAMQPISettings
from pydantic_settings import BaseSettings
from pydantic_settings import SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(frozen=True, env_nested_delimiter="__")

    fastramqpi: FastRAMQPISettings

    namespace: str = "my_integration"
    """Our own event namespace in MO, where ``/trigger`` sends events to ourselves."""
