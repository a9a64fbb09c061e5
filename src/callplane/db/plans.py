"""Statements PostgreSQL plans at each execution: those that take a few rows from a table that
grows while the service runs (the events not fanned out yet, the deliveries due).

A prepared statement's generic plan is kept until the table's statistics next change (psycopg
prepares a statement from its fifth execution; the gateway's connections ask for generic plans
from the first). Planned while the table was small, or empty when it was last analyzed, the
cheapest plan was a sequential scan, and it stayed: where autovacuum does not analyze the table
again (off, as on the benchmark's machine, or behind on a busy one), each pass read every row
(50-76 ms a fan-out pass at 122,000 events, ten passes a second, with nothing to fan out).
Planning such a statement afresh costs a fraction of a millisecond, a few times a second, and
sizes the table by its pages now. What it cannot mend is statistics of no rows over pages that
have since filled (the table emptied, analyzed, then grown): only ANALYZE does (autovacuum).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, any_, func, text

_EACH_EXECUTION = text("SET LOCAL plan_cache_mode = force_custom_plan")


def plan_each_execution(conn: Connection) -> None:
    """PostgreSQL plans the rest of this transaction's statements at each execution, from the
    tables as they are then. SQLite has nothing to do: with no statistics of its own (nothing
    here analyzes it) it plans by the indexes, not by a table's size."""
    if conn.dialect.name == "postgresql":
        conn.execute(_EACH_EXECUTION)


def taken(pending: Select[Any], key: ColumnElement[Any], *, as_array: bool) -> ColumnElement[bool]:
    """Rows whose `key` is among `pending`'s (a select of keys, ordered and limited). On
    PostgreSQL (`as_array`) `= ANY(ARRAY(...))`: the keys are read once, then each row by its
    key. As `IN`, a join planned from statistics that counted the table small (taken during a
    burst, or while it was empty) walked the whole table and ran the select again for each
    row (a pass read every pending event again; a claim, every delivery ever made)."""
    if as_array:
        return key == any_(func.array(pending.scalar_subquery()))
    return key.in_(pending.scalar_subquery())
