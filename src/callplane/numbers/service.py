"""A tenant's numbers: list, read, attach to an agent, release.

Search and prices are `numbers.search`; buying, importing and pending purchases
`numbers.purchase`; every status change `numbers.lifecycle`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from callplane.connections import service as connections
from callplane.connections.clients import connection_client
from callplane.connections.models import ConnectionStatus
from callplane.db.audit import record_audit
from callplane.db.base import utcnow
from callplane.db.uow import UnitOfWork
from callplane.errors import Conflict
from callplane.log import get_logger
from callplane.numbers import lifecycle
from callplane.numbers.guards import check_agent, held_count
from callplane.numbers.lifecycle import AtTwilio, Change
from callplane.numbers.models import PhoneNumber
from callplane.numbers.purchase import PENDING_GRACE, resolve_pending
from callplane.numbers.remote import TwilioNumbers
from callplane.numbers.states import NumberStatus, ReleaseReason
from callplane.tenancy import TenantScope

log = get_logger(__name__)


async def list_numbers(
    *,
    uow: UnitOfWork,
    scope: TenantScope,
    statuses: Sequence[str] | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[PhoneNumber], str | None]:
    """A page of the tenant's numbers, oldest first."""
    where = [PhoneNumber.status.in_(statuses)] if statuses else []
    return await uow.repo(PhoneNumber, scope).page(*where, cursor=cursor, limit=limit)


async def get_number(*, uow: UnitOfWork, scope: TenantScope, number_id: uuid.UUID) -> PhoneNumber:
    """One number of the tenant (another tenant's is 404)."""
    return await uow.repo(PhoneNumber, scope).get(number_id)


async def set_agent(
    *, uow: UnitOfWork, scope: TenantScope, number_id: uuid.UUID, agent_id: uuid.UUID | None
) -> PhoneNumber:
    """Attach the number to one of the tenant's agents, or detach it (None)."""
    number = await uow.repo(PhoneNumber, scope).get(number_id)
    await check_agent(uow, scope, agent_id)
    if number.status not in (NumberStatus.pending, NumberStatus.active):
        raise Conflict(
            f"the number is {number.status}: only a held number takes an agent",
            code="phone_number_not_held",
        )
    previous = number.agent_id
    number.agent_id = agent_id
    record_audit(
        uow=uow,
        actor=scope.actor,
        action="phone_number.update",
        tenant_id=scope.tenant_id,
        target=number.id,
        detail={
            "agent_id": str(agent_id) if agent_id else None,
            "previous_agent_id": str(previous) if previous else None,
        },
    )
    await uow.commit()
    return number


async def release_number(
    *, uow: UnitOfWork, scope: TenantScope, number_id: uuid.UUID, reason: str
) -> PhoneNumber:
    """Release a number: Twilio takes it back, or it stays the tenant's there (handed back, as
    `lifecycle.release_at_twilio` decides); idempotent.

    `reason`: user | subscription_canceled | drift | offboarded. A crash midway leaves the row
    `releasing`, and calling this again finishes the job. Commits.
    """
    why = ReleaseReason(reason)  # ValueError for an unknown reason
    number = await uow.repo(PhoneNumber, scope).get(number_id)
    if number.status in (NumberStatus.released, NumberStatus.failed):
        return number
    if number.status == NumberStatus.pending:
        if utcnow() - number.created_at < PENDING_GRACE:
            raise Conflict(
                "the number is still being bought; release it once the purchase is done",
                code="purchase_in_progress",
            )
        number = await resolve_pending(uow=uow, number=number)
        if number.status != NumberStatus.active:
            return number
    if number.status == NumberStatus.active:
        lifecycle.apply(number, Change.begin_release(why))
        await uow.commit()
    deleted = await _release_at_twilio(uow, scope, number)
    lifecycle.apply(number, Change.end_release(number, why))
    record_audit(
        uow=uow,
        actor=scope.actor,
        action="phone_number.release",
        tenant_id=scope.tenant_id,
        target=number.id,
        detail={
            "phone_number": number.e164,
            "reason": why,
            "deleted_at_twilio": deleted,
            "managed": number.managed,
        },
    )
    await uow.commit()
    log.info(
        "number released", tenant_id=str(scope.tenant_id), phone_number=number.e164, reason=why
    )
    return number


async def _release_at_twilio(uow: UnitOfWork, scope: TenantScope, number: PhoneNumber) -> bool:
    """Whatever releasing does at Twilio; whether Twilio deleted the number just now.

    A Twilio failure raises (the row stays `releasing`; repeating the call finishes it).
    """
    if lifecycle.release_at_twilio(number) is AtTwilio.keep or not number.twilio_sid:
        return False
    conn = await connections.get_connection(uow=uow, scope=scope)
    if conn.status == ConnectionStatus.closed:  # a closed account released its numbers itself
        return False
    remote = TwilioNumbers(connection_client(uow, conn))
    return await remote.delete(number.twilio_sid, account_sid=number.account_sid)


async def numbers_in_account(*, uow: UnitOfWork, scope: TenantScope) -> str | None:
    """Held numbers keep a tenant in its account model (they live in that account)."""
    count = await held_count(uow=uow, scope=scope)
    return f"{count} phone number{'s' if count != 1 else ''}" if count else None
