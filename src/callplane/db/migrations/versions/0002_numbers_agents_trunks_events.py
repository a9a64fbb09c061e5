"""numbers agents trunks events

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-20 22:44:09.314451
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import callplane.db.base

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cloned_bundles",
        sa.Column("source_bundle_sid", sa.String(length=34), nullable=False),
        sa.Column("account_sid", sa.String(length=34), nullable=False),
        sa.Column("bundle_sid", sa.String(length=34), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", callplane.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cloned_bundles")),
        sa.UniqueConstraint(
            "source_bundle_sid",
            "account_sid",
            name=op.f("uq_cloned_bundles_source_bundle_sid_account_sid"),
        ),
    )
    op.create_table(
        "copied_addresses",
        sa.Column("source_address_sid", sa.String(length=34), nullable=False),
        sa.Column("account_sid", sa.String(length=34), nullable=False),
        sa.Column("address_sid", sa.String(length=34), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", callplane.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_copied_addresses")),
        sa.UniqueConstraint(
            "source_address_sid",
            "account_sid",
            name=op.f("uq_copied_addresses_source_address_sid_account_sid"),
        ),
    )
    op.create_table(
        "agents",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("voice_mode", sa.String(length=16), nullable=False),
        sa.Column("stream_url", sa.String(length=2048), nullable=True),
        sa.Column("stream_parameters", sa.JSON(), nullable=False),
        sa.Column("sip_uri", sa.String(length=2048), nullable=True),
        sa.Column("forward_to", sa.String(length=20), nullable=True),
        sa.Column("caller_id", sa.String(length=20), nullable=True),
        sa.Column("whisper", sa.String(length=1000), nullable=True),
        sa.Column("greeting", sa.String(length=1000), nullable=True),
        sa.Column("record", sa.Boolean(), nullable=False),
        sa.Column("sms_mode", sa.String(length=16), nullable=False),
        sa.Column("sms_url", sa.String(length=2048), nullable=True),
        sa.Column("sms_reply", sa.String(length=1600), nullable=True),
        sa.Column("events_url", sa.String(length=2048), nullable=True),
        sa.Column("events_secret", sa.Text(), nullable=True),
        sa.Column("updated_at", callplane.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", callplane.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_agents_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agents")),
    )
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agents_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "compliance_profiles",
        sa.Column("tenant_id", sa.Uuid(), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("number_type", sa.String(length=16), nullable=False),
        sa.Column("bundle_sid", sa.String(length=34), nullable=True),
        sa.Column("address_sid", sa.String(length=34), nullable=True),
        sa.Column("emergency_address_sid", sa.String(length=34), nullable=True),
        sa.Column("updated_at", callplane.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", callplane.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_compliance_profiles_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compliance_profiles")),
    )
    with op.batch_alter_table("compliance_profiles", schema=None) as batch_op:
        batch_op.create_index(
            "uq_compliance_profiles_platform",
            ["country", "number_type"],
            unique=True,
            postgresql_where=sa.text("tenant_id IS NULL"),
            sqlite_where=sa.text("tenant_id IS NULL"),
        )
        batch_op.create_index(
            "uq_compliance_profiles_tenant",
            ["tenant_id", "country", "number_type"],
            unique=True,
            postgresql_where=sa.text("tenant_id IS NOT NULL"),
            sqlite_where=sa.text("tenant_id IS NOT NULL"),
        )

    op.create_table(
        "trunks",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("connection_id", sa.Uuid(), nullable=True),
        sa.Column("account_sid", sa.String(length=34), nullable=False),
        sa.Column("twilio_sid", sa.String(length=34), nullable=False),
        sa.Column("friendly_name", sa.String(length=64), nullable=False),
        sa.Column("domain_name", sa.String(length=255), nullable=False),
        sa.Column("origination_uri", sa.String(length=2048), nullable=True),
        sa.Column("origination_url_sid", sa.String(length=34), nullable=True),
        sa.Column("credential_list_sid", sa.String(length=34), nullable=True),
        sa.Column("credential_sid", sa.String(length=34), nullable=True),
        sa.Column("sip_username", sa.String(length=64), nullable=True),
        sa.Column("sip_password", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("updated_at", callplane.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", callplane.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connections.id"],
            name=op.f("fk_trunks_connection_id_connections"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_trunks_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trunks")),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_trunks_tenant_id")),
    )
    with op.batch_alter_table("trunks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trunks_twilio_sid"), ["twilio_sid"], unique=False)

    op.create_table(
        "phone_numbers",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("connection_id", sa.Uuid(), nullable=True),
        sa.Column("account_sid", sa.String(length=34), nullable=False),
        sa.Column("e164", sa.String(length=20), nullable=False),
        sa.Column("twilio_sid", sa.String(length=34), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("capabilities", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("agent_id", sa.Uuid(), nullable=True),
        sa.Column("trunk_id", sa.Uuid(), nullable=True),
        sa.Column("managed", sa.Boolean(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("bundle_sid", sa.String(length=34), nullable=True),
        sa.Column("address_sid", sa.String(length=34), nullable=True),
        sa.Column("monthly_price", sa.Numeric(precision=10, scale=4), nullable=True),
        sa.Column("price_unit", sa.String(length=3), nullable=True),
        sa.Column("idempotency_key", sa.String(length=255), nullable=True),
        sa.Column("purchased_at", callplane.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("released_at", callplane.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("release_reason", sa.String(length=32), nullable=True),
        sa.Column("failure_reason", sa.String(length=500), nullable=True),
        sa.Column("failure_code", sa.String(length=64), nullable=True),
        sa.Column("updated_at", callplane.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", callplane.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.id"],
            name=op.f("fk_phone_numbers_agent_id_agents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connections.id"],
            name=op.f("fk_phone_numbers_connection_id_connections"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_phone_numbers_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["trunk_id"],
            ["trunks.id"],
            name=op.f("fk_phone_numbers_trunk_id_trunks"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phone_numbers")),
        sa.UniqueConstraint("tenant_id", "idempotency_key", name="uq_phone_numbers_idempotency"),
    )
    with op.batch_alter_table("phone_numbers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_phone_numbers_account_e164", ["account_sid", "e164"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_phone_numbers_agent_id"), ["agent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_phone_numbers_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_phone_numbers_trunk_id"), ["trunk_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_phone_numbers_twilio_sid"), ["twilio_sid"], unique=False
        )
        batch_op.create_index(
            "uq_phone_numbers_e164_held",
            ["e164"],
            unique=True,
            postgresql_where=sa.text("status IN ('pending', 'active', 'releasing')"),
            sqlite_where=sa.text("status IN ('pending', 'active', 'releasing')"),
        )

    op.create_table(
        "events",
        sa.Column("tenant_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("sid", sa.String(length=34), nullable=True),
        sa.Column("account_sid", sa.String(length=34), nullable=True),
        sa.Column("from_number", sa.String(length=32), nullable=True),
        sa.Column("to_number", sa.String(length=32), nullable=True),
        sa.Column("number_id", sa.Uuid(), nullable=True),
        sa.Column("agent_id", sa.Uuid(), nullable=True),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=True),
        sa.Column("idempotency_token", sa.String(length=255), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.Column("received_at", callplane.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_events_agent_id_agents"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["number_id"],
            ["phone_numbers.id"],
            name=op.f("fk_events_number_id_phone_numbers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_events_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        sa.UniqueConstraint("idempotency_token", name=op.f("uq_events_idempotency_token")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index("ix_events_sid", ["sid"], unique=False)
        batch_op.create_index(
            "ix_events_tenant_received", ["tenant_id", "received_at"], unique=False
        )

    op.create_table(
        "outbox",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("agent_id", sa.Uuid(), nullable=True),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", callplane.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", callplane.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("created_at", callplane.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agents.id"], name=op.f("fk_outbox_agent_id_agents"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_outbox_event_id_events"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_outbox_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_due", ["delivered_at", "next_attempt_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_tenant_id"), ["tenant_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_tenant_id"))
        batch_op.drop_index("ix_outbox_due")

    op.drop_table("outbox")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_tenant_received")
        batch_op.drop_index("ix_events_sid")

    op.drop_table("events")
    with op.batch_alter_table("phone_numbers", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_phone_numbers_e164_held",
            postgresql_where=sa.text("status IN ('pending', 'active', 'releasing')"),
            sqlite_where=sa.text("status IN ('pending', 'active', 'releasing')"),
        )
        batch_op.drop_index(batch_op.f("ix_phone_numbers_twilio_sid"))
        batch_op.drop_index(batch_op.f("ix_phone_numbers_trunk_id"))
        batch_op.drop_index(batch_op.f("ix_phone_numbers_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_phone_numbers_agent_id"))
        batch_op.drop_index("ix_phone_numbers_account_e164")

    op.drop_table("phone_numbers")
    with op.batch_alter_table("trunks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trunks_twilio_sid"))

    op.drop_table("trunks")
    with op.batch_alter_table("compliance_profiles", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_compliance_profiles_tenant",
            postgresql_where=sa.text("tenant_id IS NOT NULL"),
            sqlite_where=sa.text("tenant_id IS NOT NULL"),
        )
        batch_op.drop_index(
            "uq_compliance_profiles_platform",
            postgresql_where=sa.text("tenant_id IS NULL"),
            sqlite_where=sa.text("tenant_id IS NULL"),
        )

    op.drop_table("compliance_profiles")
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agents_tenant_id"))

    op.drop_table("agents")
    op.drop_table("copied_addresses")
    op.drop_table("cloned_bundles")
