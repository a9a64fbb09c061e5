"""PostgreSQL: a notification on `callplane_changed` when tenants, API keys, numbers or their
provider registrations change (the API's answers kept between changes follow it)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 17:00:00
"""

# callplane: hand-written migration (tools/regen_head_migration.py leaves it alone)
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out rather than imported: a migration keeps the shape it had when it was written.
CHANNEL = "callplane_changed"
TABLES = ("tenants", "api_keys", "phone_numbers", "provider_registrations")


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return  # SQLite's kept answers follow PRAGMA data_version
    # One notification per statement (and PostgreSQL folds a transaction's identical ones
    # into one), sent when the transaction commits, never for one rolled back.
    op.execute(
        f"""
        CREATE FUNCTION callplane_notify_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('{CHANNEL}', '');
            RETURN NULL;
        END
        $$
        """
    )
    for table in TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION callplane_notify_changed()"
        )


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    for table in TABLES:
        op.execute(f"DROP TRIGGER {table}_changed ON {table}")
    op.execute("DROP FUNCTION callplane_notify_changed()")
