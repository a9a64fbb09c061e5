"""voice-AI providers: credentials, registrations, provider trunks

Revision ID: 0007
Revises: 0004
Create Date: 2026-12-04 09:00:00

Provider credentials per tenant (`provider_accounts`), each number's registration at its provider
(`provider_registrations`), an agent's provider and provider agent id, and a `provider` column on
`trunks`: besides the tenant's own trunk (provider NULL) a tenant has one trunk per provider its
agents use, so the one-trunk-per-tenant unique constraint becomes unique per (tenant, provider).
The two new tables get PostgreSQL row-level security like 0004's (written by hand: policies are
not in the metadata).
"""

# callplane: hand-written migration (tools/regen_head_migration.py leaves it alone)
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import callplane.db.base

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen here: the tenant-owned tables this revision adds (test_rls gathers every revision's).
TENANT_TABLES = ("provider_accounts", "provider_registrations")
PLATFORM = "current_setting('callplane.scope', true) = 'platform'"
TENANT = "nullif(current_setting('callplane.tenant_id', true), '')::uuid"
ALLOWED = f"CASE WHEN {PLATFORM} THEN true ELSE tenant_id = {TENANT} END"
UTC = callplane.db.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "provider_accounts",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=16), nullable=False),
        sa.Column("api_key", sa.Text(), nullable=False),
        sa.Column("api_secret", sa.Text(), nullable=True),
        sa.Column("url", sa.String(length=2048), nullable=True),
        sa.Column("sip_host", sa.String(length=255), nullable=True),
        sa.Column("base_url", sa.String(length=2048), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.String(length=500), nullable=True),
        sa.Column("checked_at", UTC, nullable=False),
        sa.Column("refs", sa.JSON(), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_provider_accounts_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_accounts")),
        sa.UniqueConstraint("tenant_id", "name", name=op.f("uq_provider_accounts_tenant_id_name")),
    )
    with op.batch_alter_table("provider_accounts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_provider_accounts_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "provider_registrations",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("number_id", sa.Uuid(), nullable=False),
        sa.Column("phone_number", sa.String(length=20), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("provider_agent_id", sa.String(length=255), nullable=True),
        sa.Column("registration_id", sa.String(length=255), nullable=True),
        sa.Column("refs", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.String(length=1000), nullable=True),
        sa.Column("fingerprint", sa.String(length=64), nullable=True),
        sa.Column("synced_at", UTC, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["number_id"],
            ["phone_numbers.id"],
            name=op.f("fk_provider_registrations_number_id_phone_numbers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_provider_registrations_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_registrations")),
        sa.UniqueConstraint("number_id", name=op.f("uq_provider_registrations_number_id")),
    )
    with op.batch_alter_table("provider_registrations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_provider_registrations_tenant_id"), ["tenant_id"], unique=False
        )

    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("provider", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("provider_agent_id", sa.String(length=255), nullable=True))

    with op.batch_alter_table("trunks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("provider", sa.String(length=16), nullable=True))
        batch_op.drop_constraint(batch_op.f("uq_trunks_tenant_id"), type_="unique")
        batch_op.create_index(batch_op.f("ix_trunks_tenant_id"), ["tenant_id"], unique=False)
    op.create_index(
        "uq_trunks_tenant_provider",
        "trunks",
        ["tenant_id", sa.text("coalesce(provider, '')")],
        unique=True,
    )

    if op.get_bind().dialect.name == "postgresql":
        for table in TENANT_TABLES:
            op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
            op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            op.execute(
                f"CREATE POLICY callplane_scope ON {table} USING ({ALLOWED}) WITH CHECK ({ALLOWED})"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in reversed(TENANT_TABLES):
            op.execute(f"DROP POLICY IF EXISTS callplane_scope ON {table}")
    op.drop_index("uq_trunks_tenant_provider", table_name="trunks")
    # The tenant's own trunk only: provider trunks cannot stay under one trunk per tenant.
    op.execute("DELETE FROM trunks WHERE provider IS NOT NULL")
    with op.batch_alter_table("trunks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trunks_tenant_id"))
        batch_op.create_unique_constraint(batch_op.f("uq_trunks_tenant_id"), ["tenant_id"])
        batch_op.drop_column("provider")

    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.drop_column("provider_agent_id")
        batch_op.drop_column("provider")

    with op.batch_alter_table("provider_registrations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_provider_registrations_tenant_id"))
    op.drop_table("provider_registrations")
    with op.batch_alter_table("provider_accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_provider_accounts_tenant_id"))
    op.drop_table("provider_accounts")
