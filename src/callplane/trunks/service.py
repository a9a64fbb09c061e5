"""Per-tenant Elastic SIP trunks (DESIGN section 7), isolated even in a shared Twilio account:
the operations of the API (set up, read, rotate the SIP password, delete, put numbers on it).

Setting a trunk up is `ensure` (find it with `locate`, adopt or create it, `converge` it); the
numbers on a trunk are `numbers`; the Twilio calls are `remote`; `migrate` moves numbers off
legacy shared trunks.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from callplane.connections import access
from callplane.connections import service as connections
from callplane.db.audit import record_audit
from callplane.db.locks import named_lock
from callplane.db.uow import UnitOfWork
from callplane.errors import Conflict, NotFound
from callplane.log import get_logger
from callplane.numbers.models import PhoneNumber
from callplane.tenancy import TenantScope
from callplane.trunks import naming, recording
from callplane.trunks.converge import (
    TrunkAccess,
    TrunkResult,
    converge_credentials,
    numbers_on,
    seal_password,
)
from callplane.trunks.ensure import (
    InvalidOriginationUri,
    ensure_with,
    load_row,
    lock_name,
    resolve_origination,
    trunk_access,
)
from callplane.trunks.locate import tagged_trunk
from callplane.trunks.models import Trunk
from callplane.trunks.numbers import put_number_on_trunk
from callplane.trunks.remote import TwilioTrunking

log = get_logger(__name__)


async def ensure_trunk(
    *, uow: UnitOfWork, scope: TenantScope, origination_sip_uri: str | None = None
) -> TrunkResult:
    """The tenant's one trunk: found, re-found, adopted or created; converged; stored."""
    desired, explicit = resolve_origination(
        origination_sip_uri, default=uow.runtime.settings.origination_sip_uri
    )
    result = await ensure_with(uow=uow, scope=scope, origination=desired, explicit=explicit)
    await recording.sync_recording(uow=uow, scope=scope)
    return result


async def get_trunk(*, uow: UnitOfWork, scope: TenantScope) -> TrunkResult:
    """The tenant's stored trunk (no Twilio call); 404 when it has none."""
    row = await uow.repo(Trunk, scope).find(Trunk.provider.is_(None))
    if row is None:
        raise NotFound("trunk")
    return TrunkResult(trunk=row, outcome="existing", numbers=await numbers_on(uow, scope, row))


async def _access(uow: UnitOfWork, scope: TenantScope) -> TrunkAccess:
    """Trunk work in the account of the tenant's connection as it is (none made here)."""
    conn = await connections.find_connection(
        uow=uow, scope=scope
    ) or connections.default_connection(uow=uow, scope=scope)
    return trunk_access(uow, conn, access.credentials(uow, conn))


access_for = _access  # the same, for the tenant's provider trunks (providers/trunks.py)


async def rotate_credentials(*, uow: UnitOfWork, scope: TenantScope) -> TrunkResult:
    """Set a new SIP password on the trunk's credential; the answer carries it, once."""
    access = await _access(uow, scope)
    async with named_lock(uow, lock_name(scope.tenant_id)):
        row = await load_row(uow, scope)
        if row is None:
            raise NotFound("trunk")
        if row.account_sid != access.tw.account_sid:
            raise Conflict("the trunk lives in another account", code="trunk_in_other_account")
        remote = await access.tw.fetch_trunk(row.twilio_sid)
        if remote is None:
            raise Conflict(
                f"the trunk {row.twilio_sid} no longer exists at Twilio: "
                "PUT trunk to set it up again",
                code="trunk_missing_at_twilio",
            )
        creds = await converge_credentials(
            access=access, scope=scope, remote=remote, row=row, force_new_password=True
        )
        assert creds.password is not None
        creds.store(row)
        seal_password(access.secrets, row, creds.password)
        record_audit(
            uow=uow,
            actor=scope.actor,
            action="trunk.credentials_rotated",
            tenant_id=scope.tenant_id,
            target=row.twilio_sid,
            detail={"sip_username": creds.username},
        )
        await uow.commit()
    from callplane.providers.hooks import tenant_credentials_changed

    await tenant_credentials_changed(uow, scope)  # every provider needs the new password
    return TrunkResult(
        trunk=row,
        outcome="existing",
        sip_password=creds.password,
        numbers=await numbers_on(uow, scope, row),
    )


@dataclass
class DeleteReport:
    """What deleting a trunk did."""

    trunk_sid: str
    numbers_detached: int
    deleted_at_twilio: bool


async def delete_trunk(*, uow: UnitOfWork, scope: TenantScope) -> DeleteReport:
    """Detach the trunk's numbers, delete its credential list and the trunk at Twilio, and the row.

    Without a stored row, a trunk carrying the tenant's tag is deleted (a lost row); nothing at
    all is a 404. A row whose trunk lives in another account (the connection moved) goes; the
    trunk there is left alone, with a warning.
    """
    from callplane.providers.service import before_trunk_delete

    await before_trunk_delete(uow=uow, scope=scope)  # provider trunks use its credential list
    access = await _access(uow, scope)
    tw = access.tw
    async with named_lock(uow, lock_name(scope.tenant_id)):
        row = await load_row(uow, scope)
        reachable = row is None or row.account_sid == tw.account_sid
        remote = await _remote_to_delete(access, scope, row) if reachable else None
        if remote is None and row is None:
            raise NotFound("trunk")
        lists = {row.credential_list_sid} if row is not None and row.credential_list_sid else set()
        detached = 0
        if remote is not None:
            detached = await _empty_trunk(access, scope, remote, lists)
        if reachable:
            for cl_sid in sorted(lists):
                await tw.delete_credential_list(cl_sid)
        deleted = remote is not None and await tw.delete_trunk(remote.sid)
        if row is not None:
            await uow.repo(PhoneNumber, scope).update(PhoneNumber.trunk_id == row.id, trunk_id=None)
            await uow.repo(Trunk, scope).delete(row)
            if not reachable:
                log.warning(
                    "trunk row removed but the trunk is in another account and was not deleted there",
                    tenant_id=str(scope.tenant_id),
                    trunk_sid=row.twilio_sid,
                )
        sid = remote.sid if remote is not None else row.twilio_sid if row is not None else ""
        record_audit(
            uow=uow,
            actor=scope.actor,
            action="trunk.delete",
            tenant_id=scope.tenant_id,
            target=sid,
            detail={
                "numbers_detached": detached,
                "deleted_at_twilio": deleted,
                "credential_lists_deleted": sorted(lists) if reachable else [],
            },
        )
        await uow.commit()
    return DeleteReport(trunk_sid=sid, numbers_detached=detached, deleted_at_twilio=deleted)


async def _remote_to_delete(access: TrunkAccess, scope: TenantScope, row: Trunk | None) -> Any:
    """The stored trunk at Twilio; else (a lost row, or gone) a trunk with the tenant's tag."""
    if row is not None:
        remote = await access.tw.fetch_trunk(row.twilio_sid)
        if remote is not None:
            return remote
    return tagged_trunk(await access.tw.list_trunks(), access.prefix, scope)


async def _empty_trunk(
    access: TrunkAccess, scope: TenantScope, remote: Any, lists: set[str]
) -> int:
    """Take every number off the trunk (how many were); add callplane's lists on it to `lists`."""
    tw = access.tw
    detached = 0
    for n in await tw.list_trunk_numbers(remote.sid):
        if await tw.disassociate_number(remote.sid, n.sid):
            detached += 1
    for cl in await tw.list_trunk_credential_lists(remote.sid):
        if cl.sid in lists or naming.is_tagged_for(
            cl.friendly_name, access.prefix, scope.tenant_id
        ):
            lists.add(cl.sid)
    return detached


# -- numbers on the trunk ---------------------------------------------------------------------


async def attach_number(
    *, uow: UnitOfWork, scope: TenantScope, number_id: uuid.UUID
) -> tuple[PhoneNumber, str | None]:
    """Put one of the tenant's held numbers on its trunk (another tenant's number is a 404)."""
    number = await uow.repo(PhoneNumber, scope).get(number_id)
    if number.status != "active" or not number.twilio_sid:
        raise Conflict(
            f"the number is {number.status}; only active numbers go on a trunk",
            code="phone_number_not_active",
        )
    from callplane.providers.hooks import check_trunk_attach

    await check_trunk_attach(uow, scope, number_id)
    access = await _access(uow, scope)
    tw = access.tw
    async with named_lock(uow, lock_name(scope.tenant_id)):
        row = await load_row(uow, scope)
        if row is None:
            raise NotFound("trunk", hint="PUT /v1/tenants/{tid}/trunk first")
        await uow.session.refresh(number)
        if number.account_sid != row.account_sid:
            raise Conflict(
                f"the number lives in account {number.account_sid}, the trunk in {row.account_sid}",
                code="account_mismatch",
            )
        address = await put_number_on_trunk(
            uow=uow, scope=scope, tw=tw, conn_model=access.conn.model, trunk=row, number=number
        )
        record_audit(
            uow=uow,
            actor=scope.actor,
            action="trunk.number_attach",
            tenant_id=scope.tenant_id,
            target=number.id,
            detail={
                "phone_number": number.e164,
                "trunk_sid": row.twilio_sid,
                "emergency_address_sid": address,
            },
        )
        await uow.commit()
    await recording.sync_recording(uow=uow, scope=scope)
    return number, address


async def detach_number(
    *, uow: UnitOfWork, scope: TenantScope, number_id: uuid.UUID
) -> PhoneNumber:
    """Take a tenant's number off its trunk (idempotent); its voice URL routes it again."""
    number = await uow.repo(PhoneNumber, scope).get(number_id)
    from callplane.providers.hooks import check_trunk_attach

    await check_trunk_attach(uow, scope, number_id)  # a provider trunk's number stays there
    tw = (await _access(uow, scope)).tw
    async with named_lock(uow, lock_name(scope.tenant_id)):
        row = await load_row(uow, scope)
        await uow.session.refresh(number)
        trunk_sid = row.twilio_sid if row is not None else None
        if (
            trunk_sid
            and number.twilio_sid
            and row is not None
            and row.account_sid == tw.account_sid
        ):
            await tw.disassociate_number(trunk_sid, number.twilio_sid)
        if number.trunk_id is not None:
            number.trunk_id = None
            record_audit(
                uow=uow,
                actor=scope.actor,
                action="trunk.number_detach",
                tenant_id=scope.tenant_id,
                target=number.id,
                detail={"phone_number": number.e164, "trunk_sid": trunk_sid},
            )
        await uow.commit()
    await recording.sync_recording(uow=uow, scope=scope)
    return number


# -- a tenant with a trunk does not change its account model ----------------------------------


async def trunk_in_account(*, uow: UnitOfWork, scope: TenantScope) -> str | None:
    """Blocks a model change while the tenant has a trunk in its current account."""
    rows = await uow.repo(Trunk, scope).all(order_by=(Trunk.provider.is_not(None),))
    row = rows[0] if rows else None
    if row is None:
        return None
    return f"SIP trunk {row.twilio_sid} (DELETE /v1/tenants/{scope.tenant_id}/trunk first)"


__all__ = [
    "DeleteReport",
    "InvalidOriginationUri",
    "TrunkResult",
    "TwilioTrunking",
    "attach_number",
    "delete_trunk",
    "detach_number",
    "ensure_trunk",
    "get_trunk",
    "rotate_credentials",
    "trunk_in_account",
]
