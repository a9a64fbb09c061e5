"""Importing many numbers of the tenant's Twilio account at once (`POST .../import/batch`).

What one import does per number (`importing.import_number`: the number is in the account, no
other tenant holds it, the quota fits; a row is claimed, the owned channels are wired at Twilio,
the number is active, or failed when Twilio refuses the wiring) is done here for a list, or for
every number the account holds, at the cost of the work rather than of as many requests:

- the account is read once, page by page (1,000 numbers a page, raw JSON), instead of one
  lookup per number;
- the rows held anywhere are read in one statement per chunk; rows are claimed a chunk per
  transaction (under the tenant's numbers lock, the quota checked for the whole chunk);
- the wiring calls run a few at a time, and their outcomes are written a chunk per commit.

All or nothing per number: a number that cannot be imported is reported with the code a single
import answers and nothing of it is written (a number whose wiring Twilio refuses is left failed,
as a single import leaves it); the others are imported.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy.exc import IntegrityError

from callplane.connections.clients import TenantTwilio, tenant_client
from callplane.db.locks import named_lock
from callplane.db.uow import UnitOfWork
from callplane.errors import ApiError
from callplane.numbers import channels, guards, lifecycle
from callplane.numbers.importing import (
    activate_if_wired,
    check_may_import,
    claim,
    imported_row,
    record_import,
)
from callplane.numbers.lifecycle import Change
from callplane.numbers.models import PhoneNumber
from callplane.numbers.remote import TwilioNumbers
from callplane.numbers.rows import activation
from callplane.numbers.schemas import (
    ImportItemError,
    ImportItemOut,
    NumberImport,
    NumberImportBatch,
)
from callplane.numbers.states import HELD_STATUSES, NumberStatus
from callplane.phone import InvalidPhoneNumber, normalize_e164
from callplane.tenancy import TenantScope
from callplane.twilio.errors import call_twilio

PAGE_SIZE = 1000  # Twilio's largest page
CHUNK = 200  # rows claimed (and outcomes written) per transaction
WIRING_CONCURRENCY = 8  # Twilio calls in flight


@dataclass
class _Item:
    asked: str
    e164: str | None = None
    error: ImportItemError | None = None
    number: PhoneNumber | None = None
    result: str = "failed"
    found: Any = None

    def fail(self, code: str, message: str, *, keep: bool = False) -> None:
        """Not imported; `keep`: its row stays (failed), as a single import leaves it."""
        self.error = ImportItemError(code=code, message=message)
        self.result = "failed"
        if not keep:
            self.number = None


async def import_many(
    *, uow: UnitOfWork, scope: TenantScope, data: NumberImportBatch
) -> list[ImportItemOut]:
    """Import a list of numbers (or every free number) of the tenant's account, per number."""
    await check_may_import(uow=uow, scope=scope, agent_id=data.agent_id)
    tw = await tenant_client(uow=uow, scope=scope)
    remote = TwilioNumbers(tw)
    account = await account_numbers(tw)
    items = _asked(data, account, tw.account_sid)
    await _check_holders(uow, scope, items)
    todo = [i for i in items if i.result == "imported"]
    for start in range(0, len(todo), CHUNK):
        await _claim_chunk(uow, scope, remote, data, todo[start : start + CHUNK])
    await _wire(uow, remote, [i for i in todo if i.number is not None])
    created = [i.number.id for i in todo if i.number is not None and data.agent_id is not None]
    if created:
        from callplane.providers.hooks import numbers_changed

        await numbers_changed(uow, scope, created)
    return [_out(i) for i in items]


async def account_numbers(tw: TenantTwilio) -> dict[str, Any]:
    """Every IncomingPhoneNumber of the tenant's account by E.164 (one call per 1,000)."""
    version = tw.client.api.v2010
    uri = f"/Accounts/{tw.account_sid}/IncomingPhoneNumbers.json"
    found: dict[str, Any] = {}
    next_url: str | None = None
    while True:

        async def page(url: str | None = next_url) -> Any:
            if url is None:
                resp = await version.page_async("GET", uri, params={"PageSize": PAGE_SIZE})
            else:
                resp = await version.domain.twilio.request_async("GET", url)
            if resp.status_code != 200:
                raise version.exception("GET", url or uri, resp, "Unable to fetch page")
            return resp

        resp = await call_twilio(page, retry=True, action="list numbers")
        payload = json.loads(resp.text)
        for record in payload.get("incoming_phone_numbers") or []:
            if record.get("phone_number"):
                # What the rest of the import reads of an SDK record, by attribute.
                found[record["phone_number"]] = SimpleNamespace(**record)
        nxt = payload.get("next_page_uri")
        if not nxt:
            return found
        next_url = version.domain.absolute_url(nxt)


def _asked(data: NumberImportBatch, account: dict[str, Any], account_sid: str) -> list[_Item]:
    """The numbers asked for, normalised, each once, each in the account (or why not)."""
    items: list[_Item] = []
    seen: set[str] = set()
    for asked in data.phone_numbers if data.phone_numbers is not None else sorted(account):
        item = _Item(asked)
        items.append(item)
        try:
            item.e164 = normalize_e164(asked, country=data.country)
        except InvalidPhoneNumber as exc:
            item.fail(exc.code, exc.message)
            continue
        if item.e164 in seen:
            item.fail("validation_error", f"{item.e164} is in the list more than once")
            continue
        seen.add(item.e164)
        item.found = account.get(item.e164)
        if item.found is None:
            # Checked before the other tenants' numbers: nobody learns what another account holds.
            item.fail(
                "phone_number_not_in_account",
                f"{item.e164} in the Twilio account {account_sid} not found",
            )
            continue
        item.result = "imported"
    return items


async def _check_holders(uow: UnitOfWork, scope: TenantScope, items: list[_Item]) -> None:
    """Numbers already held: the tenant's are reported as held, another tenant's refused."""
    wanted = [i for i in items if i.result == "imported" and i.e164]
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = await uow.platform_repo(PhoneNumber).all(
            PhoneNumber.e164.in_([i.e164 for i in chunk]),
            PhoneNumber.status.in_(HELD_STATUSES),
        )
        held = {r.e164: r for r in rows}
        for item in chunk:
            row = held.get(item.e164 or "")
            if row is None:
                continue
            if row.tenant_id == scope.tenant_id:
                item.result, item.number = "already_held", row
            else:
                item.fail("phone_number_owned_elsewhere", f"{item.e164} belongs to another tenant")


async def _claim_chunk(
    uow: UnitOfWork,
    scope: TenantScope,
    remote: TwilioNumbers,
    data: NumberImportBatch,
    chunk: list[_Item],
) -> None:
    """Rows for a chunk, in one transaction under the numbers lock; past the quota, refused."""
    chosen = data.channels
    rows: list[tuple[_Item, PhoneNumber]] = []
    for item in chunk:
        number = await imported_row(
            remote=remote,
            e164=item.e164 or "",
            found=item.found,
            agent_id=data.agent_id,
            manage=chosen,
        )
        rows.append((item, number))
    try:
        async with named_lock(uow, f"numbers:{scope.tenant_id}"):
            quota = await _room(uow, scope)
            for n, (item, number) in enumerate(rows):
                if n >= quota:
                    item.fail(
                        guards.QuotaExceeded.code,
                        "the plan's phone number quota is reached: release a number or "
                        "upgrade the plan",
                    )
                    continue
                uow.repo(PhoneNumber, scope).add(number)
                activate_if_wired(remote=remote, number=number, found=item.found)
                record_import(
                    uow=uow,
                    scope=scope,
                    number=number,
                    voice=chosen.voice,
                    sms=chosen.sms,
                    batch=True,
                )
                item.number = number
            await uow.commit()
    except IntegrityError:
        # Another request claimed one of them meanwhile: one number at a time, as a single
        # import would (the chunk's rows were not written).
        await uow.rollback()
        for item, _ in rows:
            item.number = None
            if item.result == "imported":
                await _claim_one(uow, scope, remote, data, item)


async def _claim_one(
    uow: UnitOfWork,
    scope: TenantScope,
    remote: TwilioNumbers,
    data: NumberImportBatch,
    item: _Item,
) -> None:
    single = NumberImport(
        phone_number=item.e164 or "", manage=data.channels, agent_id=data.agent_id
    )
    try:
        await guards.check_quota(uow, scope)
        number, created = await claim(
            uow=uow, scope=scope, remote=remote, data=single, e164=item.e164 or "", found=item.found
        )
    except ApiError as exc:
        await uow.rollback()
        item.fail(exc.code, exc.message)
        return
    if created:
        item.number = number
    else:
        item.result, item.number = "already_held", number


async def _room(uow: UnitOfWork, scope: TenantScope) -> int:
    """How many more numbers the plan allows."""
    from callplane.tenants import service as tenants

    quota = await tenants.phone_number_quota(uow=uow, scope=scope)
    return max(0, quota - await guards.held_count(uow=uow, scope=scope))


async def _wire(uow: UnitOfWork, remote: TwilioNumbers, items: list[_Item]) -> None:
    """Point the owned channels of each pending number at callplane, a few calls at a time;
    each number active, or failed when Twilio refuses (as a single import leaves it)."""
    pending = [i for i in items if i.number is not None and i.number.status == NumberStatus.pending]
    gate = asyncio.Semaphore(WIRING_CONCURRENCY)

    async def wire(item: _Item) -> Any:
        number = item.number
        assert number is not None
        async with gate:
            try:
                return await remote.update(item.found.sid, channels.of(number, remote.wiring))
            except ApiError as exc:
                return exc

    outcomes = await asyncio.gather(*(wire(i) for i in pending))
    for start in range(0, len(pending), CHUNK):
        for item, outcome in zip(
            pending[start : start + CHUNK], outcomes[start : start + CHUNK], strict=True
        ):
            number = item.number
            assert number is not None
            if isinstance(outcome, ApiError):
                reason = f"could not wire the number to callplane: {outcome.message}"
                lifecycle.apply(number, Change.fail(code=outcome.code, reason=reason))
                item.fail(outcome.code, reason, keep=True)
            else:
                lifecycle.apply(number, activation(outcome))
        await uow.commit()


def _out(item: _Item) -> ImportItemOut:
    number = item.number
    return ImportItemOut(
        phone_number=item.e164 or item.asked,
        result=item.result,  # type: ignore[arg-type]
        id=number.id if number is not None else None,
        status=NumberStatus(number.status) if number is not None else None,
        error=item.error,
    )
