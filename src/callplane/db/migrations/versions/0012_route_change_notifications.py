"""PostgreSQL: the agents, trunks, subscriptions and connections a number's route is read with
notify `callplane_changed` too (the gateway's route cache follows them, as SQLite's follows
PRAGMA data_version)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 12:00:00
"""

# callplane: hand-written migration (tools/regen_head_migration.py leaves it alone)
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out rather than imported: a migration keeps the shape it had when it was written.
TABLES = ("agents", "trunks", "subscriptions", "connections")


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    # The function of migration 0010: one notification per statement, sent at commit.
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
