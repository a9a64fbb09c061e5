"""the rows that point at an event indexed by it: retention deletes events, and each delete
looks for the outbox rows, deliveries and attempts that point at the event

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 06:00:00
"""

# callplane: hand-written migration (tools/regen_head_migration.py leaves it alone)
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_event_id", ["event_id"], unique=False)
    with op.batch_alter_table("webhook_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_webhook_attempts_event_id", ["event_id"], unique=False)
        batch_op.create_index("ix_webhook_attempts_delivery_id", ["delivery_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("webhook_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_webhook_attempts_delivery_id")
        batch_op.drop_index("ix_webhook_attempts_event_id")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_event_id")
