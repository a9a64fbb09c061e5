"""The tables whose rows are kept between changes (`db.changes.WATCHED`) change only by writes
to themselves: a commit that wrote none of them is not counted (db/changes.py), so no other
table's write may reach into them through a foreign key's action."""

from __future__ import annotations

from callplane.db import models  # noqa: F401  (every table in the metadata)
from callplane.db.base import Base
from callplane.db.changes import WATCHED


def test_every_action_into_a_kept_table_starts_at_a_kept_table() -> None:
    reached_from_elsewhere = [
        f"{table.name}.{fk.parent.name} -> {fk.column.table.name} ON DELETE {fk.ondelete}"
        for table in Base.metadata.sorted_tables
        if table.name in WATCHED
        for fk in table.foreign_keys
        if (fk.ondelete or fk.onupdate) and fk.column.table.name not in WATCHED
    ]
    assert reached_from_elsewhere == []


def test_every_kept_table_exists() -> None:
    assert set(WATCHED) <= set(Base.metadata.tables)
