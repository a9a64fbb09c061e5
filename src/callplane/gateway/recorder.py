"""Recording webhook events: once per Twilio idempotency token, state forward only, with the
outbox rows in the same transaction (group commit).

Every webhook hands its event to `EventWriter.record` and waits for the commit before Twilio
gets its answer, so an answered webhook is a recorded one (a crash loses nothing Twilio will not
send again). Concurrent webhooks share one transaction: one commit per flush, not per request.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection as SyncConnection
from sqlalchemy import bindparam, case, insert, select, text, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import IntegrityError

from callplane.gateway.batching import Batcher
from callplane.gateway.models import Event, OutboxMessage
from callplane.gateway.decision import CALL_KINDS, CALL_STATE_RANK, MESSAGE_KINDS, MESSAGE_STATE_RANK
from callplane.gateway.store import GatewayStore
from callplane.log import get_logger
from callplane.runtime import Runtime

log = get_logger(__name__)
# A foreign key refusing an insert: SQLAlchemy's, or the stdlib driver's on SQLite's hot path.
_INTEGRITY = (IntegrityError, sqlite3.IntegrityError)


@dataclass
class Advance:
    """Move the call (or message) `sid` of `account_sid` to `state`, if that is forward."""

    sid: str
    account_sid: str
    state: str
    messages: bool = False  # message states instead of call states

    @property
    def ranks(self) -> dict[str, int]:
        return MESSAGE_STATE_RANK if self.messages else CALL_STATE_RANK

    @property
    def kinds(self) -> tuple[str, ...]:
        return MESSAGE_KINDS if self.messages else CALL_KINDS


@dataclass
class Draft:
    """One event to record, the outbox rows that go with it, and an optional state change.

    `outbox` rows are written only when the event is new and, for a state change, only when
    the state moved forward (a late "ringing" after "completed" is recorded, marked stale and
    not forwarded).
    """

    event: dict[str, Any]
    outbox: list[dict[str, Any]] = field(default_factory=list)
    advance: Advance | None = None
    id: uuid.UUID = field(init=False)

    def __post_init__(self) -> None:
        self.id = event_id(self.event.get("account_sid"), self.event.get("idempotency_token"))
        self.event["id"] = self.id
        for row in self.outbox:
            row["event_id"] = self.id


_EVENT_IDS = uuid.UUID("6f1c1f4e-3a52-4f0b-9c55-5a8e3c2f7d01")


def event_id(account_sid: str | None, token: str | None) -> uuid.UUID:
    """The event's id: derived from Twilio's idempotency token (within its account), so that a
    retried webhook meets its first recording's primary key; random without a token."""
    if not token:
        return uuid.uuid4()
    return uuid.uuid5(_EVENT_IDS, f"{account_sid}:{token}")


@dataclass(frozen=True)
class Recorded:
    """What happened to a draft."""

    event_id: uuid.UUID
    new: bool  # False: a retry of an event already recorded (same idempotency token)
    stale: bool = False  # a state change that arrived after a later state
    outbox: int = 0  # outbox rows written


def _rank_expr(column: Any, ranks: dict[str, int]) -> Any:
    return case({name: rank for name, rank in ranks.items()}, value=column, else_=-1)


# Statements are built once: SQLAlchemy then reuses their cache keys and compiled forms.
_events = Event.__table__.c
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
    messages: update(Event.__table__)
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
_INSERT_OUTBOX = insert(OutboxMessage.__table__)
_SQLITE_INSERT_EVENTS = sqlite.insert(Event.__table__).on_conflict_do_nothing()


class _SqliteInsert:
    """A plain-driver INSERT for SQLite with SQLAlchemy's own conversions of each column type
    (UUIDs, UTC timestamps, JSON), so the rows read back exactly as if SQLAlchemy wrote them."""

    def __init__(self, table: Any, keys: list[str], conflict: bool = False) -> None:
        self.table = table
        self.keys = keys
        self.sql = (
            f"INSERT INTO {table.name} ({', '.join(keys)}) VALUES ({', '.join('?' * len(keys))})"
            + (" ON CONFLICT DO NOTHING" if conflict else "")
        )
        self._processors: list[Any] | None = None

    @property
    def processors(self) -> list[Any]:
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
        return tuple(
            proc(values[key]) if proc is not None else values[key]
            for key, proc in zip(self.keys, self.processors, strict=True)
        )


_EVENT_KEYS = [
    "id", "tenant_id", "kind", "sid", "account_sid", "from_number", "to_number", "number_id",
    "agent_id", "decision", "state", "idempotency_token", "detail", "received_at",
]
_OUTBOX_KEYS = [
    "id", "tenant_id", "event_id", "agent_id", "url", "payload", "purpose", "attempts",
    "next_attempt_at", "created_at",
]
_SQLITE_EVENTS = _SqliteInsert(Event.__table__, _EVENT_KEYS, conflict=True)
_SQLITE_OUTBOX = _SqliteInsert(OutboxMessage.__table__, _OUTBOX_KEYS)

# PostgreSQL: the whole batch as one array per column, so the statement's text (and its
# server-side prepared plan) is the same for any batch size; RETURNING says what was new.
_PG_EVENT_TYPES = {
    "id": "uuid", "tenant_id": "uuid", "kind": "varchar", "sid": "varchar",
    "account_sid": "varchar", "from_number": "varchar", "to_number": "varchar",
    "number_id": "uuid", "agent_id": "uuid", "decision": "varchar", "state": "varchar",
    "idempotency_token": "varchar", "detail": "json", "received_at": "timestamptz",
}
_PG_INSERT_EVENTS = text(
    f"INSERT INTO events ({', '.join(_EVENT_KEYS)}) SELECT * FROM unnest("
    + ", ".join(f"CAST(:{key} AS {_PG_EVENT_TYPES[key]}[])" for key in _EVENT_KEYS)
    + ") ON CONFLICT DO NOTHING RETURNING id"
)


def _pg_columns(events: list[dict[str, Any]]) -> dict[str, list[Any]]:
    columns: dict[str, list[Any]] = {key: [e[key] for e in events] for key in _EVENT_KEYS}
    columns["detail"] = [json.dumps(d) if d is not None else None for d in columns["detail"]]
    return columns


class EventWriter:
    """Group-committing event writer for one process."""

    def __init__(
        self, runtime: Runtime, store: GatewayStore, on_outbox: Callable[[], None] | None = None
    ) -> None:
        self.runtime = runtime
        self.store = store
        self.on_outbox = on_outbox
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
                        kind=draft.event.get("kind"), sid=draft.event.get("sid"),
                        error=type(one_exc).__name__,
                    )
                    if len(drafts) == 1:
                        raise
        if self.on_outbox is not None and any(r.outbox for r in result.values()):
            self.on_outbox()
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
            draft.event["detail"] = {**(draft.event.get("detail") or {}), step: True}
            try:
                recorded = await self._write([draft])
            except _INTEGRITY:
                continue
            log.warning(
                "event recorded without a row deleted meanwhile",
                kind=draft.event.get("kind"), sid=draft.event.get("sid"), reason=step,
            )
            return recorded
        return await self._write([draft])

    async def _write(self, drafts: list[Draft]) -> dict[uuid.UUID, Recorded]:
        # Events alone (no outbox rows, no state to move) are one INSERT: atomic by itself.
        alone = not any(d.outbox or d.advance for d in drafts)
        return await self.store.write(
            lambda conn: self._write_in(conn, drafts), single_statement=alone
        )

    def _write_in(self, conn: SyncConnection, drafts: list[Draft]) -> dict[uuid.UUID, Recorded]:
        """The whole batch, inside the store's transaction."""
        if self._dialect == "sqlite" and not any(d.advance for d in drafts):
            return self._write_sqlite_plain(conn, drafts)
        return self._write_general(conn, drafts)

    def _write_sqlite_plain(
        self, conn: SyncConnection, drafts: list[Draft]
    ) -> dict[uuid.UUID, Recorded]:
        """The hot path on SQLite (calls and messages, no state to move): the driver's cursor,
        one INSERT per event whose row count says whether it was new (the batch holds the
        write lock), the outbox rows of the new ones in one executemany."""
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            result: dict[uuid.UUID, Recorded] = {}
            outbox: list[tuple[Any, ...]] = []
            for draft in drafts:
                if draft.id in result:
                    continue
                cursor.execute(_SQLITE_EVENTS.sql, _SQLITE_EVENTS.params(draft.event))
                new = cursor.rowcount == 1
                if new and draft.outbox:
                    outbox.extend(_SQLITE_OUTBOX.params(row) for row in draft.outbox)
                result[draft.id] = Recorded(
                    event_id=draft.id, new=new, outbox=len(draft.outbox) if new else 0
                )
            if outbox:
                cursor.executemany(_SQLITE_OUTBOX.sql, outbox)
            return result
        finally:
            cursor.close()

    def _write_general(self, conn: SyncConnection, drafts: list[Draft]) -> dict[uuid.UUID, Recorded]:
        """Any batch, through SQLAlchemy Core (state changes, PostgreSQL)."""
        # 1. Retries: recorded before (same id: same account and idempotency token), or twice
        # in this batch. On SQLite the batch holds the write lock, so this is exact; on
        # PostgreSQL the INSERT's RETURNING has the last word (another replica may race).
        ids = [d.id for d in drafts]
        known: set[uuid.UUID] = set()
        if self._dialect != "postgresql" or any(d.advance for d in drafts):
            known = {r[0] for r in conn.execute(_KNOWN_IDS, {"ids": ids})}
        fresh: list[Draft] = []
        seen: set[uuid.UUID] = set()
        duplicates: list[Draft] = []
        for draft in drafts:
            if draft.id in known or draft.id in seen:
                duplicates.append(draft)
                continue
            seen.add(draft.id)
            fresh.append(draft)

        # 2. State changes: compare with the current states, in arrival order.
        stale: set[uuid.UUID] = set()
        final: dict[tuple[str, str, bool], str] = {}
        advancing = [d for d in fresh if d.advance]
        if advancing:
            current: dict[tuple[str, str, bool], str | None] = {}
            for messages in (False, True):
                sids = list({d.advance.sid for d in advancing if d.advance.messages is messages})  # type: ignore[union-attr]
                if not sids:
                    continue
                rows = conn.execute(_CURRENT[messages], {"sids": sids})
                for sid, account_sid, state in rows:
                    current.setdefault((sid, account_sid, messages), state)
            for draft in advancing:
                adv = draft.advance
                assert adv is not None
                key = (adv.sid, adv.account_sid, adv.messages)
                now = final.get(key, current.get(key))
                new_rank = adv.ranks.get(adv.state)
                now_rank = adv.ranks.get(now, -1) if now else -1
                if new_rank is None or new_rank <= now_rank:
                    stale.add(draft.id)
                    draft.event["detail"] = {
                        **(draft.event.get("detail") or {}),
                        "stale": True,
                        "current_state": now,
                    }
                else:
                    final[key] = adv.state

        # 3. The events (a concurrent replica may have taken a token meanwhile).
        inserted: set[uuid.UUID] = set()
        if fresh and self._dialect == "postgresql":
            result = conn.execute(_PG_INSERT_EVENTS, _pg_columns([d.event for d in fresh]))
            inserted = {r[0] for r in result}
        elif fresh:
            # SQLite: the batch holds the write lock, so what is new was known beforehand.
            conn.execute(_SQLITE_INSERT_EVENTS, [d.event for d in fresh])
            inserted = {d.id for d in fresh}

        # 4. Calls and messages move forward only, even against another replica.
        for (sid, account_sid, messages), state in final.items():
            ranks = MESSAGE_STATE_RANK if messages else CALL_STATE_RANK
            conn.execute(
                _ADVANCE[messages],
                {"b_sid": sid, "b_account_sid": account_sid, "b_state": state, "b_rank": ranks[state]},
            )

        # 5. The outbox rows of new, forward-moving events.
        outbox: list[dict[str, Any]] = []
        counts: dict[uuid.UUID, int] = {}
        for draft in fresh:
            if draft.id in inserted and draft.id not in stale and draft.outbox:
                outbox.extend(draft.outbox)
                counts[draft.id] = len(draft.outbox)
        if outbox:
            conn.execute(_INSERT_OUTBOX, outbox)

        result = {
            d.id: Recorded(
                event_id=d.id,
                new=d.id in inserted,
                stale=d.id in stale,
                outbox=counts.get(d.id, 0),
            )
            for d in fresh
        }
        for draft in duplicates:
            result[draft.id] = Recorded(event_id=draft.id, new=False)
        return result
