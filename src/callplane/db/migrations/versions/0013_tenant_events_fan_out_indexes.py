"""the tenant events still to fan out indexed alone, oldest first (ix_tenant_events_to_fan_out),
and those fanned out alone (ix_tenant_events_fanned_out replaces ix_tenant_events_pending): a
fan-out pass reads its share, not the whole backlog, whatever the statistics say

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 18:00:00
"""

# callplane: hand-written migration (tools/regen_head_migration.py leaves it alone)
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TO_FAN_OUT = sa.text("fanned_out_at IS NULL")
FANNED_OUT = sa.text("fanned_out_at IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table("tenant_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_tenant_events_to_fan_out",
            ["created_at"],
            unique=False,
            postgresql_where=TO_FAN_OUT,
            sqlite_where=TO_FAN_OUT,
        )
        batch_op.create_index(
            "ix_tenant_events_fanned_out",
            ["fanned_out_at"],
            unique=False,
            postgresql_where=FANNED_OUT,
            sqlite_where=FANNED_OUT,
        )
        batch_op.drop_index("ix_tenant_events_pending")


def downgrade() -> None:
    with op.batch_alter_table("tenant_events", schema=None) as batch_op:
        batch_op.create_index("ix_tenant_events_pending", ["fanned_out_at"], unique=False)
        batch_op.drop_index("ix_tenant_events_fanned_out")
        batch_op.drop_index("ix_tenant_events_to_fan_out")
