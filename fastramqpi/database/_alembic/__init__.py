# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Alembic's script directory, shared by every integration.

An integration's migrations directory holds only its revision files; the environment script
and the revision template live here, so authors write no Alembic boilerplate.
"""
