"""The event writer's PostgreSQL statements: a whole batch as one array per column, so that a
statement's text (and its server-side prepared plan) is the same for any batch size.

They go to psycopg as they are (`GatewayStore.execute_pg`), their arrays bound in binary
(psycopg's `%(name)b`): in text, an array of strings is quoted and escaped element by element with a
regular expression, which for one webhook's JSON payload cost ~0.7 ms of CPU (binary: ~30 µs).
"""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import JSON, Table
from sqlalchemy.dialects import postgresql

from callplane.gateway.events import (
    EVENT_COLUMNS,
    EVENTS,
    OUTBOX,
    TENANT_EVENTS,
    fanned_out_unless_wanted_sql,
)

_DIALECT = postgresql.dialect()  # type: ignore[no-untyped-call]  # SQLAlchemy's is untyped
OUTBOX_PREFIX = "o_"  # the outbox's parameters, apart from the events' (both have an id)


def _array_type(column: Any) -> str:
    # The column's PostgreSQL type without a length: an explicit cast to varchar(n) would cut a
    # longer value silently, where the insert must refuse it.
    return re.sub(r"\(\d+\)", "", str(column.type.compile(dialect=_DIALECT)))


def _unnest(table: Table, prefix: str = "", extra: tuple[str, ...] = ()) -> str:
    """One array per column of `table`, then the `extra` arrays (typed, as `CAST(...)`)."""
    arrays = [f"CAST(%({prefix}{c.name})b AS {_array_type(c)}[])" for c in table.columns]
    return f"unnest({', '.join([*arrays, *extra])})"


# The events; RETURNING says which were new.
INSERT_EVENTS = (
    f"INSERT INTO {EVENTS.name} ({', '.join(EVENT_COLUMNS)}) SELECT * FROM {_unnest(EVENTS)}"
    " ON CONFLICT DO NOTHING RETURNING id"
)

TENANT_PREFIX = "t_"  # the tenant events' parameters
# Not a column: each tenant event's gateway event, whose being new lets it in.
TENANT_EVENT_OF = f"{TENANT_PREFIX}event_of"


def _insert_with_new_events(
    table: Table, prefix: str, key: str, extra: str = "", computed: dict[str, str] | None = None
) -> str:
    """Rows of `table` (one array per column, and the `extra` array named `key` when given)
    whose `key` is a new event; `computed`: SQL over the row `r` for some columns."""
    names = [c.name for c in table.columns]
    arrays = _unnest(table, prefix, (extra,) if extra else ())
    labels = ", ".join([*names, key] if extra else names)
    values = [(computed or {}).get(name, f"r.{name}") for name in names]
    return (
        f"INSERT INTO {table.name} ({', '.join(names)}) "
        f"SELECT {', '.join(values)} "
        f"FROM {arrays} AS r({labels}) WHERE r.{key} IN (SELECT id FROM new)"
    )


def _events_with(outbox: bool, tenant_events: bool) -> str:
    """The events, with the outbox rows and tenant events of the new ones, in one statement: in
    autocommit, atomic by itself, one round trip where a transaction took four or more (BEGIN,
    the INSERTs, COMMIT). Foreign keys are checked at the statement's end, when all are in."""
    parts = [f"new AS ({INSERT_EVENTS})"]
    if outbox:
        parts.append(f"carried AS ({_insert_with_new_events(OUTBOX, OUTBOX_PREFIX, 'event_id')})")
    if tenant_events:
        told = _insert_with_new_events(
            TENANT_EVENTS,
            TENANT_PREFIX,
            "event_of",
            f"CAST(%({TENANT_EVENT_OF})b AS uuid[])",
            computed={
                "fanned_out_at": fanned_out_unless_wanted_sql(
                    _DIALECT,
                    tenant_id="r.tenant_id",
                    fanned_out_at="r.fanned_out_at",
                    created_at="r.created_at",
                )
            },
        )
        parts.append(f"told AS ({told} ON CONFLICT DO NOTHING)")
    return f"WITH {', '.join(parts)} SELECT id FROM new" if len(parts) > 1 else INSERT_EVENTS


# By what a batch writes besides its events: (outbox rows, tenant events).
INSERT_EVENTS_WITH = {
    (outbox, tenant_events): _events_with(outbox, tenant_events)
    for outbox in (False, True)
    for tenant_events in (False, True)
}

_JSON_COLUMNS = {
    table.name: tuple(c.name for c in table.columns if isinstance(c.type, JSON))
    for table in (EVENTS, OUTBOX, TENANT_EVENTS)
}


def columns(table: Table, rows: list[dict[str, Any]], prefix: str = "") -> dict[str, list[Any]]:
    """`rows` as one list per column (JSON columns serialised), keyed as the statements bind."""
    found: dict[str, list[Any]] = {}
    for c in table.columns:
        values = [row[c.name] for row in rows]
        if c.name in _JSON_COLUMNS[table.name]:
            values = [json.dumps(v) if v is not None else None for v in values]
        found[prefix + c.name] = values
    return found
