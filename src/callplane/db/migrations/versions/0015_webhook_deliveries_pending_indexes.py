"""the deliveries still to try indexed alone, by when they are due
(ix_webhook_deliveries_pending replaces ix_webhook_deliveries_due) and by endpoint and call
(ix_webhook_deliveries_pending_order): a claim reads the deliveries it may take, and an
earlier one of the same call among those still tried, not every delivery an endpoint ever had,
whatever the statistics say

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08 03:00:00
"""

# callplane: hand-written migration (tools/regen_head_migration.py leaves it alone)
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING = sa.text("delivered_at IS NULL AND failed_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_webhook_deliveries_pending",
            ["next_attempt_at"],
            unique=False,
            postgresql_where=PENDING,
            sqlite_where=PENDING,
        )
        batch_op.create_index(
            "ix_webhook_deliveries_pending_order",
            ["endpoint_id", "order_key"],
            unique=False,
            postgresql_where=PENDING,
            sqlite_where=PENDING,
        )
        batch_op.drop_index("ix_webhook_deliveries_due")


def downgrade() -> None:
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_webhook_deliveries_due", ["delivered_at", "failed_at"], unique=False
        )
        batch_op.drop_index("ix_webhook_deliveries_pending_order")
        batch_op.drop_index("ix_webhook_deliveries_pending")
