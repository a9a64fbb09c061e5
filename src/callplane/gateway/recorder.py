"""Recording webhook events: once per Twilio idempotency token, state forward only, with the
outbox rows in the same transaction (group commit).

Every webhook hands its event to `EventWriter.record` and waits for the commit before Twilio
gets its answer, so an answered webhook is a recorded one (a crash loses nothing Twilio will not
send again). Concurrent webhooks share one transaction: one commit per flush, not per request.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from callplane.gateway.batching import Batcher
from callplane.gateway.models import Event, OutboxMessage
from callplane.gateway.routing import CALL_KINDS, CALL_STATE_RANK, MESSAGE_KINDS, MESSAGE_STATE_RANK
from callplane.log import get_logger
from callplane.runtime import Runtime

log = get_logger(__name__)


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
    id: uuid.UUID = field(default_factory=uuid.uuid4)

    def __post_init__(self) -> None:
        self.event["id"] = self.id


@dataclass(frozen=True)
class Recorded:
    """What happened to a draft."""

    event_id: uuid.UUID
    new: bool  # False: a retry of an event already recorded (same idempotency token)
    stale: bool = False  # a state change that arrived after a later state
    outbox: int = 0  # outbox rows written


def _rank_expr(column: Any, ranks: dict[str, int]) -> Any:
    return case({name: rank for name, rank in ranks.items()}, value=column, else_=-1)


class EventWriter:
    """Group-committing event writer for one process."""

    def __init__(self, runtime: Runtime, on_outbox: Callable[[], None] | None = None) -> None:
        self.runtime = runtime
        self.on_outbox = on_outbox
        self._dialect = runtime.engine.dialect.name
        # SQLite has one writer at a time anyway; PostgreSQL takes a few transactions at once.
        concurrency = 1 if self._dialect == "sqlite" else 3
        self._batcher: Batcher[uuid.UUID, Recorded] = Batcher(
            self._flush, concurrency=concurrency, max_batch=500
        )

    async def record(self, draft: Draft) -> Recorded:
        """Record `draft` (waits for the commit)."""
        return await self._batcher.load(draft.id, draft)

    async def drain(self) -> None:
        """Wait for every pending flush."""
        await self._batcher.drain()

    def _insert_events(self) -> Any:
        table = Event.__table__
        if self._dialect == "postgresql":
            stmt: Any = postgresql.insert(table)
        elif self._dialect == "sqlite":
            stmt = sqlite.insert(table)
        else:  # pragma: no cover - only the two supported databases
            raise RuntimeError(f"unsupported database {self._dialect}")
        return stmt.on_conflict_do_nothing(index_elements=["idempotency_token"]).returning(table.c.id)

    async def _flush(self, batch: dict[uuid.UUID, Draft]) -> dict[uuid.UUID, Recorded]:
        drafts = list(batch.values())
        try:
            result = await self._write(drafts)
        except Exception as exc:
            if len(drafts) == 1:
                raise
            # One bad draft (say, its tenant was deleted a moment ago) must not fail the others.
            log.warning("event batch failed; recording one by one", error=type(exc).__name__)
            result = {}
            for draft in drafts:
                try:
                    result.update(await self._write([draft]))
                except Exception as one_exc:  # noqa: BLE001
                    log.error(
                        "event could not be recorded",
                        kind=draft.event.get("kind"), sid=draft.event.get("sid"),
                        error=type(one_exc).__name__,
                    )
        if self.on_outbox is not None and any(r.outbox for r in result.values()):
            self.on_outbox()
        missing = [d for d in drafts if d.id not in result]
        if missing and len(drafts) == 1:
            raise RuntimeError("event not recorded")
        return result

    async def _write(self, drafts: list[Draft]) -> dict[uuid.UUID, Recorded]:
        async with self.runtime.engine.begin() as conn:
            # 1. Duplicates by idempotency token: already recorded, or twice in this batch.
            tokens = [d.event.get("idempotency_token") for d in drafts]
            known: set[str] = set()
            if any(d.advance for d in drafts) and any(tokens):
                rows = await conn.execute(
                    select(Event.idempotency_token).where(
                        Event.idempotency_token.in_([t for t in tokens if t])
                    )
                )
                known = {r[0] for r in rows}
            fresh: list[Draft] = []
            seen: set[str] = set()
            duplicates: list[Draft] = []
            for draft, token in zip(drafts, tokens, strict=True):
                if token and (token in known or token in seen):
                    duplicates.append(draft)
                    continue
                if token:
                    seen.add(token)
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
                    kinds = MESSAGE_KINDS if messages else CALL_KINDS
                    rows = await conn.execute(
                        select(Event.sid, Event.account_sid, Event.state)
                        .where(Event.sid.in_(sids), Event.kind.in_(kinds))
                        .order_by(Event.received_at)
                    )
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
            if fresh:
                rows = await conn.execute(self._insert_events(), [d.event for d in fresh])
                inserted = {r[0] for r in rows}

            # 4. Calls and messages move forward only, even against another replica.
            for (sid, account_sid, messages), state in final.items():
                ranks = MESSAGE_STATE_RANK if messages else CALL_STATE_RANK
                kinds = MESSAGE_KINDS if messages else CALL_KINDS
                events = Event.__table__.c
                await conn.execute(
                    update(Event.__table__)
                    .where(
                        events.sid == sid,
                        events.account_sid == account_sid,
                        events.kind.in_(kinds),
                        events.state.is_(None) | (_rank_expr(events.state, ranks) < ranks[state]),
                    )
                    .values(state=state)
                )

            # 5. The outbox rows of new, forward-moving events.
            outbox: list[dict[str, Any]] = []
            counts: dict[uuid.UUID, int] = {}
            for draft in fresh:
                if draft.id in inserted and draft.id not in stale and draft.outbox:
                    outbox.extend(draft.outbox)
                    counts[draft.id] = len(draft.outbox)
            if outbox:
                await conn.execute(insert(OutboxMessage.__table__), outbox)

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
