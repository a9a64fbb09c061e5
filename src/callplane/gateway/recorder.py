"""Recording webhook events: once per Twilio idempotency token, state forward only, with the
outbox rows and tenant events in the same transaction (group commit).

Every webhook hands its event to `EventWriter.record` and waits for the commit before Twilio
gets its answer, so an answered webhook is a recorded one (a crash loses nothing Twilio will not
send again). Concurrent webhooks share one transaction: one commit per flush, not per request.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import psycopg
from sqlalchemy import Connection as SyncConnection
from sqlalchemy import Table, bindparam, case, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from callplane.gateway import pg_insert
from callplane.gateway.batching import Batcher
from callplane.gateway.events import (
    CALL_KINDS,
    CALL_STATE_RANK,
    EVENT_COLUMNS,
    EVENTS,
    MESSAGE_KINDS,
    MESSAGE_STATE_RANK,
    OUTBOX,
    OUTBOX_COLUMNS,
    TENANT_EVENT_COLUMNS,
    TENANT_EVENTS,
    fanned_out_unless_wanted,
    fanned_out_unless_wanted_sql,
)
from callplane.gateway.store import GatewayStore
from callplane.log import get_logger

log = get_logger(__name__)
# A foreign key refusing an insert: SQLAlchemy's, or the driver's own on the hot paths (the
# stdlib's on SQLite, psycopg's on PostgreSQL).
_INTEGRITY = (IntegrityError, sqlite3.IntegrityError, psycopg.IntegrityError)


@dataclass
class Advance:
    """Move the call (or message) `sid` of `account_sid` to `state`, if that is forward."""

    sid: str
    account_sid: str
    state: str
    messages: bool = False  # message states instead of call states

    @property
    def ranks(self) -> dict[str, int]:
        """The order of the states this one is compared with."""
        return MESSAGE_STATE_RANK if self.messages else CALL_STATE_RANK


@dataclass
class Draft:
    """One event to record (`events.event_row`), the outbox rows and tenant events that go
    with it (`events.outbox_rows`, `events.tenant_event_rows`), and an optional state change.

    `outbox` rows and `tenant_events` are written only when the event is new and, for a state
    change, only when the state moved forward (a late "ringing" after "completed" is recorded,
    marked stale and not forwarded).
    """

    event: dict[str, Any]
    outbox: list[dict[str, Any]] = field(default_factory=list)
    tenant_events: list[dict[str, Any]] = field(default_factory=list)
    advance: Advance | None = None

    @property
    def id(self) -> uuid.UUID:
        """The event's id (derived from its idempotency token: a retry has the same)."""
        return self.event["id"]  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Recorded:
    """What happened to a draft."""

    event_id: uuid.UUID
    new: bool  # False: a retry of an event already recorded (same idempotency token)
    stale: bool = False  # a state change that arrived after a later state
    outbox: int = 0  # outbox rows written
    tenant_events: int = 0  # tenant events written


def _rank_expr(column: Any, ranks: dict[str, int]) -> Any:
    return case({name: rank for name, rank in ranks.items()}, value=column, else_=-1)


# Statements are built once: SQLAlchemy then reuses their cache keys and compiled forms.
_events = EVENTS.c
_KNOWN_IDS = select(_events.id).where(_events.id.in_(bindparam("ids", expanding=True)))
_CURRENT = {
    messages: select(_events.sid, _events.account_sid, _events.state)
    .where(
        _events.sid.in_(bindparam("sids", expanding=True)),
        _events.kind.in_(MESSAGE_KINDS if messages else CALL_KINDS),
    )
    .order_by(_events.received_at)
    for messages in (False, True)
}
# The call (or message) moves to `state` only from an earlier one (or none).
_ADVANCE = {
    messages: update(EVENTS)
    .where(
        _events.sid == bindparam("b_sid"),
        _events.account_sid == bindparam("b_account_sid"),
        _events.kind.in_(MESSAGE_KINDS if messages else CALL_KINDS),
        _events.state.is_(None)
        | (
            _rank_expr(_events.state, MESSAGE_STATE_RANK if messages else CALL_STATE_RANK)
            < bindparam("b_rank")
        ),
    )
    .values(state=bindparam("b_state"))
    for messages in (False, True)
}
_INSERT_OUTBOX = insert(OUTBOX)
_SQLITE_INSERT_EVENTS = sqlite.insert(EVENTS).on_conflict_do_nothing()
# A tenant event's id is its gateway event's (or derived from it): new with it. Should one be
# there all the same, it stays as it was (the endpoints pass once carried them this way).
# A tenant event no enabled endpoint of its tenant can want is written already fanned out
# (`fanned_out_unless_wanted`), on every path below; each parameter typed by its column when
# compiled, as in `events.carry`.
_AT = TENANT_EVENTS.c.created_at.type
_TENANT_EVENT_VALUES: dict[str, Any] = {
    c.name: bindparam(c.name) for c in TENANT_EVENTS.columns
} | {
    "fanned_out_at": fanned_out_unless_wanted(
        tenant_id=bindparam("tenant_id"),
        fanned_out_at=bindparam("fanned_out_at", type_=_AT),
        created_at=bindparam("created_at", type_=_AT),
    )
}
_INSERT_TENANT_EVENTS = {
    "sqlite": sqlite.insert(TENANT_EVENTS).values(_TENANT_EVENT_VALUES).on_conflict_do_nothing(),
    "postgresql": postgresql.insert(TENANT_EVENTS)
    .values(_TENANT_EVENT_VALUES)
    .on_conflict_do_nothing(),
}


class _SqliteInsert:
    """A plain-driver INSERT of every column for SQLite, with SQLAlchemy's own conversions of
    each column type (UUIDs, UTC timestamps, JSON), so the rows read back exactly as if
    SQLAlchemy wrote them."""

    def __init__(
        self,
        table: Table,
        keys: tuple[str, ...],
        conflict: bool = False,
        computed: dict[str, Callable[[dict[str, str]], str]] | None = None,
    ) -> None:
        """`computed`: SQL for some columns' values, from the parameter of each column."""
        self.table = table
        self.keys = keys
        own = {key: f"?{i}" for i, key in enumerate(keys, start=1)}
        computed = computed or {}
        values = [computed[key](own) if key in computed else own[key] for key in keys]
        self.sql = f"INSERT INTO {table.name} ({', '.join(keys)}) VALUES ({', '.join(values)})" + (
            " ON CONFLICT DO NOTHING" if conflict else ""
        )
        self._processors: list[Any] | None = None

    @property
    def processors(self) -> list[Any]:
        """Each column's bind conversion (None: the value as is)."""
        # Built on first use: a foreign key column learns its type once every table is known.
        if self._processors is None:
            from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect

            dialect = sqlite_dialect()
            self._processors = [
                self.table.c[key].type.dialect_impl(dialect).bind_processor(dialect)
                for key in self.keys
            ]
        return self._processors

    def params(self, values: dict[str, Any]) -> tuple[Any, ...]:
        """The driver's parameters for one row."""
        return tuple(
            proc(values[key]) if proc is not None else values[key]
            for key, proc in zip(self.keys, self.processors, strict=True)
        )


_SQLITE_EVENTS = _SqliteInsert(EVENTS, EVENT_COLUMNS, conflict=True)
_SQLITE_OUTBOX = _SqliteInsert(OUTBOX, OUTBOX_COLUMNS)
_SQLITE_TENANT_EVENTS = _SqliteInsert(
    TENANT_EVENTS,
    TENANT_EVENT_COLUMNS,
    conflict=True,
    computed={
        "fanned_out_at": lambda own: fanned_out_unless_wanted_sql(
            sqlite.dialect(),
            tenant_id=own["tenant_id"],
            fanned_out_at=own["fanned_out_at"],
            created_at=own["created_at"],
        )
    },
)


class EventWriter:
    """Group-committing event writer for one process."""

    def __init__(
        self,
        store: GatewayStore,
        on_written: Callable[[frozenset[str], bool], None] | None = None,
    ) -> None:
        self.store = store
        # Told after each flush: the purposes of the outbox rows written, whether tenant events.
        self.on_written = on_written
        self._dialect = store.dialect_name
        # One flush at a time: under load, the next one commits everyone who queued meanwhile
        # (SQLite has one writer anyway; on PostgreSQL fewer, larger transactions cost less).
        self._batcher: Batcher[uuid.UUID, Recorded] = Batcher(
            self._flush, concurrency=1, max_batch=500
        )

    async def record(self, draft: Draft) -> Recorded:
        """Record `draft` (waits for the commit)."""
        return await self._batcher.load(draft.id, draft)

    async def drain(self) -> None:
        """Wait for every pending flush."""
        await self._batcher.drain()

    async def _flush(self, batch: dict[uuid.UUID, Draft]) -> dict[uuid.UUID, Recorded]:
        drafts = list(batch.values())
        try:
            result = await self._write(drafts)
        except Exception as exc:  # noqa: BLE001 - each draft is tried on its own below
            if len(drafts) > 1:
                # One bad draft (say, its agent was deleted a moment ago) must not fail the
                # others.
                log.warning("event batch failed; recording one by one", error=type(exc).__name__)
            result = {}
            for draft in drafts:
                try:
                    result.update(await self._write_one(draft))
                except Exception as one_exc:
                    log.error(
                        "event could not be recorded",
                        kind=draft.event.get("kind"),
                        sid=draft.event.get("sid"),
                        error=type(one_exc).__name__,
                    )
                    if len(drafts) == 1:
                        raise
        if self.on_written is not None:
            # Only the workers with rows to carry are woken: a pass that finds nothing still
            # costs a transaction, and at a steady rate it would run once per webhook.
            purposes = frozenset(
                row["purpose"]
                for d in drafts
                if d.id in result and result[d.id].outbox
                for row in d.outbox
            )
            told = any(d.id in result and result[d.id].tenant_events for d in drafts)
            if purposes or told:
                self.on_written(purposes, told)
        missing = [d for d in drafts if d.id not in result]
        if missing and len(drafts) == 1:
            raise RuntimeError("event not recorded")
        return result

    async def _write_one(self, draft: Draft) -> dict[uuid.UUID, Recorded]:
        """One draft; when a row it names vanished between the lookup and the write (an agent
        deleted, a tenant removed: a foreign key refuses the insert), it is recorded without
        that reference rather than lost, as the deletion would have left it had the event come
        first (`ON DELETE SET NULL`)."""
        try:
            return await self._write([draft])
        except _INTEGRITY:
            pass
        # The agent went: nothing to sign its outbox rows with, nothing to deliver them to.
        for step, columns in (
            ("agent_deleted", ("agent_id",)),
            ("number_deleted", ("agent_id", "number_id")),
            ("tenant_deleted", ("agent_id", "number_id", "tenant_id")),
        ):
            if all(draft.event.get(c) is None for c in columns):
                continue
            for column in columns:
                draft.event[column] = None
            draft.outbox = []
            draft.tenant_events = []
            draft.event["detail"] = {**(draft.event.get("detail") or {}), step: True}
            try:
                recorded = await self._write([draft])
            except _INTEGRITY:
                continue
            log.warning(
                "event recorded without a row deleted meanwhile",
                kind=draft.event.get("kind"),
                sid=draft.event.get("sid"),
                reason=step,
            )
            return recorded
        return await self._write([draft])

    async def _write(self, drafts: list[Draft]) -> dict[uuid.UUID, Recorded]:
        # No state to move: one statement (on SQLite, when there are no outbox rows either),
        # atomic by itself.
        plain = not any(d.advance for d in drafts)
        if plain and self._dialect == "postgresql":
            statement, params = _pg_plain(drafts)
            return _recorded(drafts, await self.store.execute_pg(statement, params))
        alone = plain and not any(d.outbox or d.tenant_events for d in drafts)
        return await self.store.write(
            lambda conn: self._write_in(conn, drafts), single_statement=alone
        )

    def _write_in(self, conn: SyncConnection, drafts: list[Draft]) -> dict[uuid.UUID, Recorded]:
        """The whole batch, inside the store's transaction (or, one statement, in autocommit);
        PostgreSQL's batches without state to move never come here (`_pg_plain`)."""
        if not any(d.advance for d in drafts) and self._dialect == "sqlite":
            return self._write_sqlite_plain(conn, drafts)
        return self._write_general(conn, drafts)

    def _write_sqlite_plain(
        self, conn: SyncConnection, drafts: list[Draft]
    ) -> dict[uuid.UUID, Recorded]:
        """The hot path on SQLite (calls and messages, no state to move): the driver's cursor,
        one INSERT per event whose row count says whether it was new (the batch holds the
        write lock), the outbox rows and the tenant events of the new ones in an executemany
        each."""
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            result: dict[uuid.UUID, Recorded] = {}
            outbox: list[tuple[Any, ...]] = []
            told: list[tuple[Any, ...]] = []
            for draft in drafts:
                if draft.id in result:
                    continue
                cursor.execute(_SQLITE_EVENTS.sql, _SQLITE_EVENTS.params(draft.event))
                new = cursor.rowcount == 1
                if new:
                    outbox.extend(_SQLITE_OUTBOX.params(row) for row in draft.outbox)
                    told.extend(_SQLITE_TENANT_EVENTS.params(row) for row in draft.tenant_events)
                result[draft.id] = _recorded_as(draft, new=new)
            if outbox:
                cursor.executemany(_SQLITE_OUTBOX.sql, outbox)
            if told:
                cursor.executemany(_SQLITE_TENANT_EVENTS.sql, told)
            return result
        finally:
            cursor.close()

    def _write_general(
        self, conn: SyncConnection, drafts: list[Draft]
    ) -> dict[uuid.UUID, Recorded]:
        """Any batch, through SQLAlchemy Core (state changes, PostgreSQL), in five steps."""
        fresh, duplicates = self._retries(conn, drafts)
        stale, final = _compare_states(conn, fresh)
        inserted = self._insert_events(conn, fresh)
        _advance_states(conn, final)
        forwarded = [d for d in fresh if d.id in inserted and d.id not in stale]
        _insert_carried(conn, forwarded)
        result = {d.id: _recorded_as(d, new=d.id in inserted, stale=d.id in stale) for d in fresh}
        for draft in duplicates:
            result[draft.id] = Recorded(event_id=draft.id, new=False)
        return result

    def _retries(
        self, conn: SyncConnection, drafts: list[Draft]
    ) -> tuple[list[Draft], list[Draft]]:
        """1. (fresh, duplicates): a duplicate was recorded before (same id: same account and
        idempotency token), or comes twice in this batch. On SQLite the batch holds the write
        lock, so this is exact; on PostgreSQL the INSERT's RETURNING has the last word (another
        replica may race)."""
        known: set[uuid.UUID] = set()
        if self._dialect != "postgresql" or any(d.advance for d in drafts):
            known = {r[0] for r in conn.execute(_KNOWN_IDS, {"ids": [d.id for d in drafts]})}
        fresh: list[Draft] = []
        duplicates: list[Draft] = []
        seen: set[uuid.UUID] = set()
        for draft in drafts:
            if draft.id in known or draft.id in seen:
                duplicates.append(draft)
            else:
                seen.add(draft.id)
                fresh.append(draft)
        return fresh, duplicates

    def _insert_events(self, conn: SyncConnection, fresh: list[Draft]) -> set[uuid.UUID]:
        """3. The events; the ids that were new (a concurrent replica may have taken a token)."""
        if not fresh:
            return set()
        if self._dialect == "postgresql":
            rows = conn.exec_driver_sql(
                pg_insert.INSERT_EVENTS, pg_insert.columns(EVENTS, [d.event for d in fresh])
            )
            return {r[0] for r in rows}
        # SQLite: the batch holds the write lock, so what is new was known beforehand.
        conn.execute(_SQLITE_INSERT_EVENTS, [d.event for d in fresh])
        return {d.id for d in fresh}


_StateKey = tuple[str, str, bool]  # (sid, account_sid, messages)


def _current_states(conn: SyncConnection, advancing: list[Advance]) -> dict[_StateKey, str | None]:
    """The recorded state of each call (or message) that `advancing` moves, first one first."""
    current: dict[_StateKey, str | None] = {}
    for messages in (False, True):
        sids = list({a.sid for a in advancing if a.messages is messages})
        if sids:
            for sid, account_sid, state in conn.execute(_CURRENT[messages], {"sids": sids}):
                current.setdefault((sid, account_sid, messages), state)
    return current


def _compare_states(
    conn: SyncConnection, fresh: list[Draft]
) -> tuple[set[uuid.UUID], dict[_StateKey, str]]:
    """2. (stale drafts, the state each call or message ends at): compared with the current
    states, in arrival order; a stale draft's detail says so."""
    stale: set[uuid.UUID] = set()
    final: dict[_StateKey, str] = {}
    advancing = [(d, d.advance) for d in fresh if d.advance is not None]
    if not advancing:
        return stale, final
    current = _current_states(conn, [a for _, a in advancing])
    for draft, adv in advancing:
        key = (adv.sid, adv.account_sid, adv.messages)
        now = final.get(key, current.get(key))
        new_rank = adv.ranks.get(adv.state)
        if new_rank is None or new_rank <= (adv.ranks.get(now, -1) if now else -1):
            stale.add(draft.id)
            draft.event["detail"] = {
                **(draft.event.get("detail") or {}),
                "stale": True,
                "current_state": now,
            }
        else:
            final[key] = adv.state
    return stale, final


def _advance_states(conn: SyncConnection, final: dict[_StateKey, str]) -> None:
    """4. Calls and messages move forward only, even against another replica."""
    for (sid, account_sid, messages), state in final.items():
        ranks = MESSAGE_STATE_RANK if messages else CALL_STATE_RANK
        conn.execute(
            _ADVANCE[messages],
            {"b_sid": sid, "b_account_sid": account_sid, "b_state": state, "b_rank": ranks[state]},
        )


def _insert_carried(conn: SyncConnection, forwarded: list[Draft]) -> None:
    """5. The outbox rows and tenant events of new, forward-moving events."""
    outbox = [row for d in forwarded for row in d.outbox]
    if outbox:
        conn.execute(_INSERT_OUTBOX, outbox)
    told = [row for d in forwarded for row in d.tenant_events]
    if told:
        conn.execute(_INSERT_TENANT_EVENTS[conn.dialect.name], told)


def _pg_plain(drafts: list[Draft]) -> tuple[str, dict[str, list[Any]]]:
    """The hot path on PostgreSQL (calls and messages, no state to move): the events, and the
    outbox rows and tenant events of the new ones, in one statement, and its parameters."""
    # A batch holds each id once (the batcher's key); a retry of an earlier one conflicts.
    outbox = [row for d in drafts for row in d.outbox]
    told = [(d.id, row) for d in drafts for row in d.tenant_events]
    params = pg_insert.columns(EVENTS, [d.event for d in drafts])
    if outbox:
        params |= pg_insert.columns(OUTBOX, outbox, pg_insert.OUTBOX_PREFIX)
    if told:
        params |= pg_insert.columns(
            TENANT_EVENTS, [row for _, row in told], pg_insert.TENANT_PREFIX
        )
        params[pg_insert.TENANT_EVENT_OF] = [event for event, _ in told]
    return pg_insert.INSERT_EVENTS_WITH[bool(outbox), bool(told)], params


def _recorded_as(draft: Draft, *, new: bool, stale: bool = False) -> Recorded:
    """What became of `draft`: what it wrote besides its event when new and not stale."""
    forwarded = new and not stale
    return Recorded(
        event_id=draft.id,
        new=new,
        stale=stale,
        outbox=len(draft.outbox) if forwarded else 0,
        tenant_events=len(draft.tenant_events) if forwarded else 0,
    )


def _recorded(drafts: list[Draft], returned: Iterable[Any]) -> dict[uuid.UUID, Recorded]:
    """What became of each draft, from the ids the insert returned (the new events)."""
    inserted = {r[0] for r in returned}
    return {d.id: _recorded_as(d, new=d.id in inserted) for d in drafts}
