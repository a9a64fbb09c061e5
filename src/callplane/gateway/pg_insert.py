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

from callplane.gateway.events import EVENT_COLUMNS, EVENTS, OUTBOX, OUTBOX_COLUMNS

_DIALECT = postgresql.dialect()  # type: ignore[no-untyped-call]  # SQLAlchemy's is untyped
OUTBOX_PREFIX = "o_"  # the outbox's parameters, apart from the events' (both have an id)


def _array_type(column: Any) -> str:
    # The column's PostgreSQL type without a length: an explicit cast to varchar(n) would cut a
    # longer value silently, where the insert must refuse it.
    return re.sub(r"\(\d+\)", "", str(column.type.compile(dialect=_DIALECT)))


def _unnest(table: Table, prefix: str = "") -> str:
    arrays = ", ".join(f"CAST(%({prefix}{c.name})b AS {_array_type(c)}[])" for c in table.columns)
    return f"unnest({arrays})"


# The events; RETURNING says which were new.
INSERT_EVENTS = (
    f"INSERT INTO {EVENTS.name} ({', '.join(EVENT_COLUMNS)}) SELECT * FROM {_unnest(EVENTS)}"
    " ON CONFLICT DO NOTHING RETURNING id"
)

# The events and the outbox rows of the new ones in one statement: in autocommit, atomic by
# itself, one round trip where a transaction took four (BEGIN, two INSERTs, COMMIT). The
# outbox's foreign key to its event is checked at the statement's end, when both are in.
INSERT_EVENTS_AND_OUTBOX = (
    f"WITH new AS ({INSERT_EVENTS}), carried AS ("
    f"INSERT INTO {OUTBOX.name} ({', '.join(OUTBOX_COLUMNS)}) "
    f"SELECT o.* FROM {_unnest(OUTBOX, OUTBOX_PREFIX)} AS o({', '.join(OUTBOX_COLUMNS)}) "
    "WHERE o.event_id IN (SELECT id FROM new)) SELECT id FROM new"
)

_JSON_COLUMNS = {
    table.name: tuple(c.name for c in table.columns if isinstance(c.type, JSON))
    for table in (EVENTS, OUTBOX)
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
