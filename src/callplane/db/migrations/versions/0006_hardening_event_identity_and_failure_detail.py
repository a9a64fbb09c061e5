"""hardening: event identity per account, failed purchases keep their answer

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-04 09:03:06.749197

Issue 16: an event is (account, idempotency token), not the token alone (another account's
webhook with the same token erased this one's event); a failed purchase keeps the rest of its
first answer (`twilio_code`, HTTP status) for the replays of its Idempotency-Key.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_events_idempotency_token"), type_="unique")
        batch_op.create_unique_constraint(
            "uq_events_account_token", ["account_sid", "idempotency_token"]
        )

    with op.batch_alter_table("phone_numbers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failure_detail", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("phone_numbers", schema=None) as batch_op:
        batch_op.drop_column("failure_detail")

    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_constraint("uq_events_account_token", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_events_idempotency_token"), ["idempotency_token"]
        )
