# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Alembic's environment: migrate on the connection FastRAMQPI hands over.

FastRAMQPI opens the connection itself (async engine, advisory lock, one transaction), so this
script neither builds an engine nor commits.
"""

from alembic import context

if context.is_offline_mode():
    raise RuntimeError(
        "FastRAMQPI runs migrations against a database; --sql (offline) is not supported"
    )

_connection = context.config.attributes["connection"]
context.configure(
    connection=_connection,
    target_metadata=context.config.attributes.get("metadata"),
    render_as_batch=_connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
