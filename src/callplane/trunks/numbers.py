"""Numbers on a tenant's trunk: who holds the numbers Twilio shows on a trunk, and putting a
held number on the trunk (with the emergency address Elastic SIP trunking takes per number)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import or_

from callplane.db.uow import UnitOfWork
from callplane.errors import Conflict
from callplane.numbers import channels
from callplane.numbers.models import ComplianceProfile, CopiedAddress, PhoneNumber
from callplane.numbers.states import HELD_STATUSES, NumberOrigin
from callplane.tenancy import TenantScope
from callplane.trunks.models import Trunk
from callplane.trunks.remote import TwilioTrunking


async def number_owners(
    *, uow: UnitOfWork, account_sid: str, remote_numbers: Iterable[Any]
) -> dict[str, PhoneNumber]:
    """Held numbers in callplane's database (any tenant) for Twilio's numbers, by Twilio SID.

    A platform-level read: ownership across tenants is exactly what must be checked before a
    legacy trunk is adopted or emptied.
    """
    remote = list(remote_numbers)
    if not remote:
        return {}
    sids = [n.sid for n in remote]
    e164s = [n.phone_number for n in remote if n.phone_number]
    async with uow.platform_scope():  # row-level security's explicit cross-tenant scope
        rows = await uow.repo(PhoneNumber, None).all(
            PhoneNumber.status.in_(HELD_STATUSES),
            PhoneNumber.account_sid == account_sid,
            or_(PhoneNumber.twilio_sid.in_(sids), PhoneNumber.e164.in_(e164s)),
        )
    by_sid = {r.twilio_sid: r for r in rows if r.twilio_sid}
    by_e164 = {r.e164: r for r in rows}
    found: dict[str, PhoneNumber] = {}
    for n in remote:
        row = by_sid.get(n.sid) or by_e164.get(n.phone_number)
        if row is not None:
            found[n.sid] = row
    return found


async def emergency_address(
    *, uow: UnitOfWork, scope: TenantScope, conn_model: str, number: PhoneNumber
) -> str | None:
    """The emergency address for this number's country and type from the compliance profile.

    The tenant's own profile first; then the platform's: as is in the master model, or as the
    copy the numbers service made in the tenant's subaccount (a byo account has only its own).
    """
    mine = await uow.repo(ComplianceProfile, scope).find(
        ComplianceProfile.country == number.country,
        ComplianceProfile.number_type == number.type,
    )
    if mine is not None and mine.emergency_address_sid:
        return mine.emergency_address_sid
    if conn_model == "byo":
        return None
    platform = await uow.repo(ComplianceProfile, None).find(
        ComplianceProfile.tenant_id.is_(None),
        ComplianceProfile.country == number.country,
        ComplianceProfile.number_type == number.type,
    )
    if platform is None or not platform.emergency_address_sid:
        return None
    if conn_model == "master":
        return platform.emergency_address_sid
    copy = await uow.repo(CopiedAddress, None).find(
        CopiedAddress.source_address_sid == platform.emergency_address_sid,
        CopiedAddress.account_sid == number.account_sid,
    )
    return copy.address_sid if copy is not None else None


async def put_number_on_trunk(
    *,
    uow: UnitOfWork,
    scope: TenantScope,
    tw: TwilioTrunking,
    conn_model: str,
    trunk: Trunk,
    number: PhoneNumber,
    from_trunk_sid: str | None = None,
) -> str | None:
    """Associate a held number with the tenant's trunk at Twilio and in the database.

    Registers the compliance profile's emergency address on a bought number first where one is
    set (Twilio's Elastic SIP trunking takes emergency addresses per number, not per trunk). An
    imported number's own configuration is the customer's: the trunk it was on is saved (a
    release puts it back) and its addresses are left alone. Answers the emergency address SID
    applied, if any.
    """
    if not number.twilio_sid:
        raise Conflict("the number is not active at Twilio yet", code="phone_number_not_active")
    address = None
    if number.origin == NumberOrigin.imported:
        current = await tw.fetch_number(number.twilio_sid)
        channels.take_trunk(number, current.trunk_sid if current is not None else None)
    elif number.managed:
        address = await emergency_address(
            uow=uow, scope=scope, conn_model=conn_model, number=number
        )
    if address:
        current = await tw.fetch_number(number.twilio_sid)
        if current is not None and current.emergency_address_sid:
            address = current.emergency_address_sid  # one set already (at purchase, by hand) stays
        else:
            await tw.set_emergency_address(number.twilio_sid, address)
    if from_trunk_sid and from_trunk_sid != trunk.twilio_sid:
        await tw.disassociate_number(from_trunk_sid, number.twilio_sid)
    await tw.associate_number(trunk.twilio_sid, number.twilio_sid)
    number.trunk_id = trunk.id
    return address
