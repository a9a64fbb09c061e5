"""owned numbers: channels, original config, labels, default sender, fallbacks, hooks, recordings

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 08:58:42

Issue 15: a number's channels (manage_voice, manage_sms; `managed` stays their OR, and existing
rows keep what `managed` said), the Twilio configuration saved at import or take-over
(original_config), a label; a tenant's default SMS sender; an agent's voice fallback and
routing hook; the voice fallback marker on events; and the recordings table, which gets the
row-level security policy of 0004 (written by hand: policies are not in the metadata).
"""

# callplane: hand-written migration (tools/regen_head_migration.py leaves it alone)
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import callplane.db.base

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# New tenant-owned tables of this revision: 0004's policy, as 0004 writes it.
TENANT_TABLES = ("recordings",)
PLATFORM = "current_setting('callplane.scope', true) = 'platform'"
TENANT = "nullif(current_setting('callplane.tenant_id', true), '')::uuid"
ALLOWED = f"CASE WHEN {PLATFORM} THEN true ELSE tenant_id = {TENANT} END"


def upgrade() -> None:
    op.create_table(
        "recordings",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("account_sid", sa.String(length=34), nullable=False),
        sa.Column("call_sid", sa.String(length=34), nullable=False),
        sa.Column("recording_sid", sa.String(length=34), nullable=False),
        sa.Column("number_id", sa.Uuid(), nullable=True),
        sa.Column("phone_number", sa.String(length=20), nullable=True),
        sa.Column("duration_s", sa.Integer(), nullable=True),
        sa.Column("url", sa.String(length=2048), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("updated_at", callplane.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", callplane.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["number_id"],
            ["phone_numbers.id"],
            name=op.f("fk_recordings_number_id_phone_numbers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_recordings_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recordings")),
        sa.UniqueConstraint("recording_sid", name=op.f("uq_recordings_recording_sid")),
    )
    with op.batch_alter_table("recordings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recordings_call_sid"), ["call_sid"], unique=False)
        batch_op.create_index(
            "ix_recordings_tenant_created", ["tenant_id", "created_at"], unique=False
        )

    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hook_url", sa.String(length=2048), nullable=True))
        batch_op.add_column(sa.Column("hook_timeout_ms", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("voice_fallback", sa.JSON(), nullable=True))

    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("fallback_used", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("error_code", sa.String(length=16), nullable=True))

    with op.batch_alter_table("phone_numbers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("manage_voice", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("manage_sms", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.add_column(sa.Column("original_config", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("label", sa.String(length=100), nullable=True))

    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("default_sms_from", sa.String(length=20), nullable=True))

    op.execute("UPDATE phone_numbers SET manage_voice = managed, manage_sms = managed")
    if op.get_bind().dialect.name == "postgresql":
        for table in TENANT_TABLES:
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            op.execute(
                f"CREATE POLICY callplane_scope ON {table} USING ({ALLOWED}) WITH CHECK ({ALLOWED})"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TENANT_TABLES:
            op.execute(f"DROP POLICY IF EXISTS callplane_scope ON {table}")
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.drop_column("default_sms_from")

    with op.batch_alter_table("phone_numbers", schema=None) as batch_op:
        batch_op.drop_column("label")
        batch_op.drop_column("original_config")
        batch_op.drop_column("manage_sms")
        batch_op.drop_column("manage_voice")

    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("error_code")
        batch_op.drop_column("fallback_used")

    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.drop_column("voice_fallback")
        batch_op.drop_column("hook_timeout_ms")
        batch_op.drop_column("hook_url")

    with op.batch_alter_table("recordings", schema=None) as batch_op:
        batch_op.drop_index("ix_recordings_tenant_created")
        batch_op.drop_index(batch_op.f("ix_recordings_call_sid"))

    op.drop_table("recordings")
