# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""An opinionated framework for OS2mo integrations."""

from fastramqpi._warnings import FastRAMQPIDeprecationWarning

__all__ = ["FastRAMQPIDeprecationWarning"]
