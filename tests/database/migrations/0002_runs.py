# SPDX-FileCopyrightText: FastRAMQPI contributors
# SPDX-License-Identifier: MPL-2.0
"""Record which backend ran the migrations, slowly.

The pause keeps the transaction open long enough that a replica migrating without the
lock would collide with this one.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "migration_run", sa.Column("backend_pid", sa.Integer(), nullable=False)
    )
    op.execute("INSERT INTO migration_run SELECT pg_backend_pid()")
    op.execute("SELECT pg_sleep(0.3)")


def downgrade() -> None:
    op.drop_table("migration_run")
