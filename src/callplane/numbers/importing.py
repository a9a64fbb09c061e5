"""Importing a number the tenant's Twilio account already holds (`POST .../phone-numbers/import`).

Written as a purchase is (numbers/purchase.py): a `pending` row claimed under the tenant's quota
lock, the channels callplane takes over wired at Twilio, then `active` (failed when Twilio refuses
the wiring). What the number was at Twilio is saved first: a give-back or a release restores it
(callplane never deletes a number it did not buy). Many at once: bulk_import.py.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.exc import IntegrityError

from callplane.connections import service as connections
from callplane.connections.clients import tenant_client
from callplane.db.audit import record_audit
from callplane.db.locks import named_lock
from callplane.db.uow import UnitOfWork
from callplane.errors import ApiError, Conflict, Forbidden, NotFound
from callplane.numbers import channels, guards, lifecycle
from callplane.numbers.lifecycle import Change
from callplane.numbers.models import PhoneNumber
from callplane.numbers.remote import TwilioNumbers, capabilities_of
from callplane.numbers.rows import activation, new_row, provider_hook
from callplane.numbers.schemas import Manage, NumberImport
from callplane.numbers.states import NumberOrigin, NumberStatus
from callplane.phone import normalize_e164
from callplane.tenancy import TenantScope


class OwnedElsewhere(Conflict):
    """Another tenant holds this number."""

    code = "phone_number_owned_elsewhere"


async def check_may_import(
    *, uow: UnitOfWork, scope: TenantScope, agent_id: uuid.UUID | None
) -> None:
    """What an import (one number or many) needs before the account is asked: the agent is the
    tenant's, the tenant active, and in the master account model a platform key."""
    await guards.check_agent(uow, scope, agent_id)
    await guards.require_active_tenant(uow, scope)
    conn = await connections.get_connection(uow=uow, scope=scope)
    if conn.model == "master" and not scope.actor.is_platform:
        raise Forbidden(
            "in the master account model numbers live in the platform's Twilio account: only a "
            "platform key may import one into a tenant"
        )


async def import_number(
    *, uow: UnitOfWork, scope: TenantScope, data: NumberImport
) -> tuple[PhoneNumber, bool]:
    """Claim a number already in the tenant's account; returns (row, created)."""
    e164 = normalize_e164(data.phone_number, country=data.country)
    await check_may_import(uow=uow, scope=scope, agent_id=data.agent_id)
    holder = await guards.holder(uow, e164)
    if holder is not None and holder.tenant_id == scope.tenant_id:
        return holder, False
    await guards.check_quota(uow, scope)
    tw = await tenant_client(uow=uow, scope=scope)
    remote = TwilioNumbers(tw)
    found = await remote.find(e164)
    if found is None:
        # Checked before the other tenants' numbers: nobody learns what another account holds.
        raise NotFound(
            f"{e164} in the Twilio account {tw.account_sid}",
            code="phone_number_not_in_account",
        )
    if holder is not None:
        raise OwnedElsewhere(f"{e164} belongs to another tenant")
    number, created = await claim(
        uow=uow, scope=scope, remote=remote, data=data, e164=e164, found=found
    )
    if created:
        await _wire(uow, remote, number, found)
        await provider_hook(uow, scope, number)
    return number, created


async def claim(
    *,
    uow: UnitOfWork,
    scope: TenantScope,
    remote: TwilioNumbers,
    data: NumberImport,
    e164: str,
    found: Any,
) -> tuple[PhoneNumber, bool]:
    """The imported number's row, written under the quota lock (or the tenant's, if it won)."""
    chosen = data.channels
    number = await imported_row(
        remote=remote, e164=e164, found=found, agent_id=data.agent_id, manage=chosen
    )
    number.label = data.label
    try:
        async with named_lock(uow, f"numbers:{scope.tenant_id}"):
            await guards.check_quota(uow, scope)
            uow.repo(PhoneNumber, scope).add(number)
            activate_if_wired(remote=remote, number=number, found=found)
            record_import(uow=uow, scope=scope, number=number, voice=chosen.voice, sms=chosen.sms)
            await uow.commit()
    except IntegrityError:
        await uow.rollback()
        holder = await guards.holder(uow, e164)
        if holder is not None and holder.tenant_id == scope.tenant_id:
            return holder, False
        raise OwnedElsewhere(f"{e164} belongs to another tenant") from None
    return number, True


async def imported_row(
    *, remote: TwilioNumbers, e164: str, found: Any, agent_id: uuid.UUID | None, manage: Manage
) -> PhoneNumber:
    """A new row for `found`, a number of the tenant's account, pending (`activate_if_wired`
    once it is added); its Twilio settings saved."""
    number = await new_row(
        remote.tw,
        e164,
        NumberOrigin.imported,
        agent_id=agent_id,
        twilio_sid=found.sid,
        capabilities=capabilities_of(found.capabilities),
    )
    channels.set_manage(number, voice=manage.voice, sms=manage.sms)
    # What the number was: restored when callplane gives a channel back or releases it.
    number.original_config = channels.snapshot(found)
    return number


def activate_if_wired(*, remote: TwilioNumbers, number: PhoneNumber, found: Any) -> None:
    """An added import row made active at once when its channels already point where callplane
    would point them (nothing to change at Twilio): in its transaction, with its event."""
    if channels.is_wired(found, channels.of(number, remote.wiring)):
        lifecycle.apply(number, activation(found))


async def _wire(uow: UnitOfWork, remote: TwilioNumbers, number: PhoneNumber, found: Any) -> None:
    """Point the channels callplane takes over at it, then make the number active (failed if
    Twilio refuses)."""
    if number.status != NumberStatus.pending:
        return
    try:
        found = await remote.update(found.sid, channels.of(number, remote.wiring))
    except ApiError as exc:
        await uow.session.refresh(number)
        lifecycle.apply(
            number,
            Change.fail(
                code=exc.code, reason=f"could not wire the number to callplane: {exc.message}"
            ),
        )
        await uow.commit()
        raise
    await uow.session.refresh(number)
    lifecycle.apply(number, activation(found))
    await uow.commit()


def record_import(
    *,
    uow: UnitOfWork,
    scope: TenantScope,
    number: PhoneNumber,
    voice: bool,
    sms: bool,
    **extra: Any,
) -> None:
    """Audit an imported number: what it was at Twilio and which channels callplane took."""
    record_audit(
        uow=uow,
        actor=scope.actor,
        action="phone_number.import",
        tenant_id=scope.tenant_id,
        target=number.id,
        detail={
            "phone_number": number.e164,
            "twilio_sid": number.twilio_sid,
            "manage": {"voice": voice, "sms": sms},
            "original_config": number.original_config,
            **extra,
        },
    )
