# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Kept for the import paths integrations use (``fastramqpi.ramqp.depends``); AMQP is gone."""
