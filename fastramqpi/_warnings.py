# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""FastRAMQPI's own warning classes, so a test suite can filter exactly ours."""


class FastRAMQPIDeprecationWarning(DeprecationWarning):
    """Something a deployment or integration still uses that FastRAMQPI no longer does."""
