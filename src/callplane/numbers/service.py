"""A tenant's numbers: list, read, change (agent, channels, label), release.

Search and prices are `numbers.search`; buying, importing and pending purchases
`numbers.purchase`; every status change `numbers.lifecycle`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from callplane.connections import service as connections
from callplane.connections.clients import connection_client, tenant_client
from callplane.connections.models import ConnectionStatus
from callplane.db.audit import record_audit
from callplane.db.base import utcnow
from callplane.db.uow import UnitOfWork
from callplane.errors import Conflict
from callplane.log import get_logger
from callplane.numbers import lifecycle, ownership
from callplane.numbers.guards import check_agent, held_count
from callplane.numbers.lifecycle import AtTwilio, Change
from callplane.numbers.models import PhoneNumber
from callplane.numbers.purchase import PENDING_GRACE, resolve_pending
from callplane.numbers.remote import TwilioNumbers
from callplane.numbers.schemas import NumberPatch
from callplane.numbers.states import NumberOrigin, NumberStatus, ReleaseReason
from callplane.phone import try_normalize_e164
from callplane.tenancy import TenantScope
from callplane.tenants.service import forget_default_sender
from callplane.trunks.recording import sync_recording as sync_trunk_recording

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


async def update_number(
    *, uow: UnitOfWork, scope: TenantScope, number_id: uuid.UUID, data: NumberPatch
) -> PhoneNumber:
    """Attach the number to an agent (or detach it), change the channels callplane owns, label
    it. Everything is checked before anything changes; Twilio first, then the row."""
    number = await uow.repo(PhoneNumber, scope).get(number_id)
    given = data.model_fields_set
    if number.status not in (NumberStatus.pending, NumberStatus.active):
        raise Conflict(
            f"the number is {number.status}: only a held number can be changed",
            code="phone_number_not_held",
        )
    if "agent_id" in given:
        await check_agent(uow, scope, data.agent_id)
    detail: dict[str, object] = {}
    if data.manage is not None:
        if number.status != NumberStatus.active:
            raise Conflict(
                "the number's purchase or import is not done: change its channels once it is "
                "active",
                code="phone_number_not_active",
            )
        voice = number.manage_voice if data.manage.voice is None else data.manage.voice
        sms = number.manage_sms if data.manage.sms is None else data.manage.sms
        tw = await tenant_client(uow=uow, scope=scope, ensure=False)
        detail["channels"] = await ownership.change_channels(
            TwilioNumbers(tw), number, voice=voice, sms=sms
        )
    if "agent_id" in given:
        detail["previous_agent_id"] = str(number.agent_id) if number.agent_id else None
        detail["agent_id"] = str(data.agent_id) if data.agent_id else None
        number.agent_id = data.agent_id
    if "label" in given:
        number.label = data.label or None
        detail["label"] = number.label
    record_audit(
        uow=uow,
        actor=scope.actor,
        action="phone_number.update",
        tenant_id=scope.tenant_id,
        target=number.id,
        detail=detail,
    )
    await uow.commit()
    if "agent_id" in given and number.trunk_id is not None:
        # The trunk records its calls for the agents that record (trunks.recording).
        await sync_trunk_recording(uow=uow, scope=scope)
    await _provider_hook(uow, scope, number)
    return number


async def _provider_hook(uow: UnitOfWork, scope: TenantScope, number: PhoneNumber) -> None:
    """Its provider registration follows the number (made, moved, removed: in the background)."""
    from callplane.providers.hooks import numbers_changed

    await numbers_changed(uow, scope, [number.id])


class ConfirmationRequired(Conflict):
    """Deleting an imported number at Twilio takes its E.164 as confirmation."""

    code = "confirmation_required"


def _check_confirmation(number: PhoneNumber, confirm: str | None) -> None:
    if number.origin != NumberOrigin.imported:
        return  # a bought number goes back to Twilio anyway
    if confirm is None or try_normalize_e164(confirm) != number.e164:
        raise ConfirmationRequired(
            f"{number.e164} was imported: it is the customer's own number and deleting it at "
            "Twilio cannot be undone. Repeat the request with "
            f'{{"confirm": "{number.e164}"}} in the body to delete it there',
            phone_number=number.e164,
        )


async def release_number(
    *,
    uow: UnitOfWork,
    scope: TenantScope,
    number_id: uuid.UUID,
    reason: str,
    delete_at_twilio: bool = False,
    confirm: str | None = None,
) -> PhoneNumber:
    """Release a number: Twilio takes it back, or (imported) it is handed back, its saved
    configuration restored (as `lifecycle.release_at_twilio` decides); idempotent.

    `reason`: user | subscription_canceled | drift | offboarded. `delete_at_twilio` (with the
    E.164 in `confirm`) deletes an imported number at Twilio too. A crash midway leaves the row
    `releasing`, and calling this again finishes the job (handing an imported number back unless
    the deletion is asked again). Commits.
    """
    why = ReleaseReason(reason)  # ValueError for an unknown reason
    number = await uow.repo(PhoneNumber, scope).get(number_id)
    if number.status in (NumberStatus.released, NumberStatus.failed):
        return number
    if delete_at_twilio:
        _check_confirmation(number, confirm)
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
    at_twilio = lifecycle.release_at_twilio(number, delete_confirmed=delete_at_twilio)
    done = await _release_at_twilio(uow, scope, number, at_twilio)
    lifecycle.apply(number, Change.end_release(at_twilio, why))
    await forget_default_sender(uow=uow, scope=scope, e164=number.e164)
    record_audit(
        uow=uow,
        actor=scope.actor,
        action="phone_number.release",
        tenant_id=scope.tenant_id,
        target=number.id,
        detail={
            "phone_number": number.e164,
            "reason": why,
            "origin": number.origin,
            "at_twilio": at_twilio,
            "manage": {"voice": number.manage_voice, "sms": number.manage_sms},
            **done,
        },
    )
    await uow.commit()
    log.info(
        "number released",
        tenant_id=str(scope.tenant_id),
        phone_number=number.e164,
        reason=why,
        at_twilio=at_twilio,
    )
    await _provider_hook(uow, scope, number)
    return number


async def _release_at_twilio(
    uow: UnitOfWork, scope: TenantScope, number: PhoneNumber, at_twilio: AtTwilio
) -> dict[str, Any]:
    """What releasing does at Twilio: delete the number, or hand it back (restore what callplane
    changed). What was done, for the audit.

    A Twilio failure raises (the row stays `releasing`; repeating the call finishes it).
    """
    if not number.twilio_sid:
        return {}
    conn = await connections.get_connection(uow=uow, scope=scope)
    if conn.status == ConnectionStatus.closed:  # a closed account released its numbers itself
        return {"account_closed": True}
    remote = TwilioNumbers(connection_client(uow, conn))
    if at_twilio is AtTwilio.keep:
        return {"handed_back": await ownership.hand_back(remote, number)}
    deleted = await remote.delete(number.twilio_sid, account_sid=number.account_sid)
    return {"deleted_at_twilio": deleted}


async def numbers_in_account(*, uow: UnitOfWork, scope: TenantScope) -> str | None:
    """Held numbers keep a tenant in its account model (they live in that account)."""
    count = await held_count(uow=uow, scope=scope)
    return f"{count} phone number{'s' if count != 1 else ''}" if count else None
