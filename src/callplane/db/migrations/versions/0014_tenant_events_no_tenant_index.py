"""tenant events lose their tenant index: no read asks for a tenant's events by tenant alone
(an event is read by its id, the fan-out and retention by their own indexes, tenants are never
deleted), and every webhook paid for it

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 23:00:00
"""

# callplane: hand-written migration (tools/regen_head_migration.py leaves it alone)
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tenant_events", schema=None) as batch_op:
        batch_op.drop_index("ix_tenant_events_tenant_id")


def downgrade() -> None:
    with op.batch_alter_table("tenant_events", schema=None) as batch_op:
        batch_op.create_index("ix_tenant_events_tenant_id", ["tenant_id"], unique=False)
