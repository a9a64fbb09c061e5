"""The database's side of a reconciliation: the held numbers of the accounts to visit."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from callplane.jobs.reconcile.accounts import AccountTarget
from callplane.numbers.models import PhoneNumber
from callplane.numbers.states import HELD_STATUSES
from callplane.runtime import Runtime
from callplane.trunks.models import Trunk


@dataclass
class Row:
    """A held number as the database has it when its account's batch is read."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    e164: str
    status: str
    twilio_sid: str | None
    managed: bool
    trunk_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
    release_reason: str | None
    manage_voice: bool = True
    manage_sms: bool = True


ROWS_PER_BATCH = 20_000
STREAM_ROWS = 2_000
ACCOUNTS_PER_BATCH = 400


class RowCache:
    """The database's held numbers of the accounts to visit, read a batch of accounts at a time.

    One query per batch instead of one per account: with thousands of small accounts the
    per-account round trips, not Twilio, would set the pace. The batch an account belongs to is
    read when the first of its accounts asks for it (the next batch is read ahead meanwhile).
    What changes after a batch is read is caught by the conditional updates (a row is changed
    only if it is still as it was read) and by the orphan check.
    """

    def __init__(self, runtime: Runtime, accounts: list[AccountTarget]) -> None:
        self.runtime = runtime
        self.batches: list[list[str]] = []
        self.batch_of: dict[str, int] = {}
        current: list[str] = []
        size = 0
        for account in accounts:
            if current and (
                size + account.held > ROWS_PER_BATCH or len(current) >= ACCOUNTS_PER_BATCH
            ):
                self.batches.append(current)
                current, size = [], 0
            current.append(account.account_sid)
            size += account.held
        if current:
            self.batches.append(current)
        for index, batch in enumerate(self.batches):
            for sid in batch:
                self.batch_of[sid] = index
        self.loads: dict[int, asyncio.Task[dict[str, tuple[list[Row], dict[uuid.UUID, str]]]]] = {}

    def _load(self, index: int) -> asyncio.Task[dict[str, tuple[list[Row], dict[uuid.UUID, str]]]]:
        task = self.loads.get(index)
        if task is None:
            task = asyncio.get_running_loop().create_task(self._read(self.batches[index]))
            self.loads[index] = task
        return task

    async def get(self, account_sid: str) -> tuple[list[Row], dict[uuid.UUID, str]]:
        """The held rows of one account and the Twilio SIDs of the trunks they are on."""
        index = self.batch_of[account_sid]
        task = self._load(index)
        if index + 1 < len(self.batches):
            self._load(index + 1)  # read ahead
        rows = await task
        found = rows.pop(account_sid, None)
        if not rows and index in self.loads:
            del self.loads[index]  # every account of the batch served: let it go
        return found or ([], {})

    async def _read(self, sids: list[str]) -> dict[str, tuple[list[Row], dict[uuid.UUID, str]]]:
        out: dict[str, tuple[list[Row], dict[uuid.UUID, str]]] = {sid: ([], {}) for sid in sids}
        async with self.runtime.uow() as uow:
            # Streamed in parts, with a pause between parts: a big account's rows are many, and
            # the other accounts' calls must go on meanwhile.
            result = await uow.session.stream(
                select(
                    PhoneNumber.account_sid,
                    PhoneNumber.id,
                    PhoneNumber.tenant_id,
                    PhoneNumber.e164,
                    PhoneNumber.status,
                    PhoneNumber.twilio_sid,
                    PhoneNumber.managed,
                    PhoneNumber.trunk_id,
                    PhoneNumber.created_at,
                    PhoneNumber.updated_at,
                    PhoneNumber.release_reason,
                    PhoneNumber.manage_voice,
                    PhoneNumber.manage_sms,
                )
                .where(
                    PhoneNumber.account_sid.in_(sids),
                    PhoneNumber.status.in_(HELD_STATUSES),
                )
                .execution_options(yield_per=STREAM_ROWS)
            )
            trunk_ids: set[uuid.UUID] = set()
            async for part in result.partitions(STREAM_ROWS):
                for account_sid, *fields in part:
                    row = Row(*fields)
                    out[account_sid][0].append(row)
                    if row.trunk_id is not None:
                        trunk_ids.add(row.trunk_id)
                await asyncio.sleep(0)
            if trunk_ids:
                found = await uow.session.execute(
                    select(Trunk.id, Trunk.twilio_sid).where(Trunk.id.in_(trunk_ids))
                )
                trunks = {tid: sid for tid, sid in found}
                for rows, account_trunks in out.values():
                    for row in rows:
                        if row.trunk_id in trunks:
                            account_trunks[row.trunk_id] = trunks[row.trunk_id]
        return out
