"""Changes to the database, as the answers kept between them (gateway/store.py `Kept`) see them.

On PostgreSQL a statement-level trigger on the tables whose rows are kept (tenants, API keys,
numbers, their provider registrations: migration 0010; the agents, trunks, subscriptions and
connections a number's route is read with: migration 0012) notifies `CHANNEL` when a transaction
that changed them commits; each process listens (gateway/pg_changes.py). A notification reaches
the listener shortly after the commit; this process's own commits that wrote one of those tables
(`committed`, called by the unit of work when `wrote_watched` says so) count at once, so a
change made through this process is seen by its very next request. A commit that wrote none of
them (an endpoint made, an audit line, retention's deletions) keeps what is kept: every API
write emptied the route cache, so a deployment whose apps write a few times a second read
nearly every webhook's route again.
"""

from __future__ import annotations

from itertools import chain
from typing import Any

from sqlalchemy import Table, event, inspect
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from sqlalchemy.sql.dml import UpdateBase

CHANNEL = "callplane_changed"
# The tables whose rows are kept between changes (the triggers'; migrations 0010 and 0012).
WATCHED = (
    "tenants",
    "api_keys",
    "phone_numbers",
    "provider_registrations",
    "agents",
    "trunks",
    "subscriptions",
    "connections",
)

_commits = 0


def committed() -> None:
    """Count a commit (or an attempt whose outcome is unknown) made by this process."""
    global _commits
    _commits += 1


def commits() -> int:
    """How many commits this process has counted."""
    return _commits


# In a session's `info`: its transaction wrote (or may have written) a watched table.
_WROTE = "callplane.wrote_watched"


def track(session_class: type[Session]) -> None:
    """Note, in each session of `session_class`, whether its transaction wrote a watched table:
    the objects it flushed, and the statements it ran (a DML statement by its table; any other
    statement that is not a SELECT, such as text, counts as a write to be safe)."""
    event.listen(session_class, "after_flush", _flushed)
    event.listen(session_class, "do_orm_execute", _executed)


def wrote_watched(session: Any) -> bool:
    """Whether `session`'s transaction wrote a watched table since it was last asked; asking
    forgets it (call at each commit and rollback)."""
    return bool(session.info.pop(_WROTE, False))


def _flushed(session: Session, _flush: UOWTransaction) -> None:
    # Still the flush's own lists here (SQLAlchemy empties them after this event).
    for obj in chain(session.new, session.dirty, session.deleted):
        if any(table.name in WATCHED for table in inspect(obj).mapper.tables):
            session.info[_WROTE] = True
            return


def _executed(state: ORMExecuteState) -> None:
    if state.is_select:
        return
    statement = state.statement
    table = statement.table if isinstance(statement, UpdateBase) else None
    if not isinstance(table, Table) or table.name in WATCHED:
        state.session.info[_WROTE] = True
