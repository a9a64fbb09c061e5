"""A tenant's trunk toward one provider (docs/decisions.md, "One trunk per tenant per provider").

Twilio sends a number's calls to its trunk's origination URL whatever the number: numbers of
agents at two providers cannot share one trunk. So besides its own trunk (`PUT trunk`), a tenant
has one trunk per provider its agents use: tagged with the tenant (`{prefix}_{tag}_{provider}_…`,
found again after a lost row), originating to that provider's SIP URI, and authenticating with
the tenant's one SIP credential: the credential list of its own trunk is attached to each of them,
so rotating, re-finding or adopting the tenant's trunk changes the password every provider must
present, and the registrations follow (providers/sync.py). Never shared between tenants.
"""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import Any

from callplane.db.audit import record_audit
from callplane.db.uow import UnitOfWork
from callplane.log import get_logger
from callplane.numbers.models import PhoneNumber
from callplane.tenancy import TenantScope
from callplane.trunks import naming
from callplane.trunks.converge import TrunkAccess, converge_origination
from callplane.trunks.ensure import create_trunk
from callplane.trunks.locate import oldest
from callplane.trunks.models import Trunk
from callplane.trunks.numbers import put_number_on_trunk

log = get_logger(__name__)


async def provider_trunk(uow: UnitOfWork, scope: TenantScope, provider: str) -> Trunk | None:
    """The tenant's stored trunk toward `provider`."""
    return await uow.repo(Trunk, scope).find(Trunk.provider == provider)


async def ensure(
    *,
    uow: UnitOfWork,
    scope: TenantScope,
    access: TrunkAccess,
    main: Trunk,
    provider: str,
    full: bool,
) -> Trunk:
    """The provider trunk, found, re-found by its tag or created, with the tenant's credential
    list attached (flushed with the unit of work, not committed).

    Without `full`, a stored row that already carries the tenant's current credential list is
    trusted (no Twilio call): the daily reconciliation and forced syncs look at Twilio.
    """
    tw = access.tw
    row = await provider_trunk(uow, scope, provider)
    current = (
        row is not None
        and row.account_sid == tw.account_sid
        and row.credential_list_sid == main.credential_list_sid
    )
    if row is not None and current and not full:
        return row
    remote = None
    if row is not None and row.account_sid == tw.account_sid:
        remote = await tw.fetch_trunk(row.twilio_sid)
    outcome = "existing"
    if remote is None:
        remote, outcome = _tagged(await tw.list_trunks(), access.prefix, scope, provider), "found"
    if remote is None:
        remote, outcome = await _create(access, scope, provider), "created"
    await _attach_tenant_list(access, scope, remote.sid, main)
    if row is None:
        row = uow.repo(Trunk, scope).add(
            Trunk(id=uuid.uuid4(), tenant_id=scope.tenant_id, provider=provider)
        )
    if row.twilio_sid != remote.sid:
        row.origination_uri = row.origination_url_sid = None
    row.connection_id = access.conn.id
    row.account_sid = tw.account_sid
    row.twilio_sid = remote.sid
    row.friendly_name = remote.friendly_name or ""
    row.domain_name = remote.domain_name or ""
    row.credential_list_sid = main.credential_list_sid
    row.credential_sid = main.credential_sid
    row.sip_username = main.sip_username
    row.status = "active"
    if outcome != "existing":
        row.origin = outcome
        record_audit(
            uow=uow,
            actor=scope.actor,
            action=f"trunk.provider_{outcome}",
            tenant_id=scope.tenant_id,
            target=remote.sid,
            detail={"provider": provider, "domain_name": row.domain_name},
        )
        log.info(
            "provider trunk ready",
            tenant_id=str(scope.tenant_id),
            provider=provider,
            trunk_sid=remote.sid,
            outcome=outcome,
        )
    return row


def _tagged(trunks: list[Any], prefix: str, scope: TenantScope, provider: str) -> Any | None:
    mine = [
        t
        for t in trunks
        if naming.provider_of_name(t.friendly_name, prefix, scope.tenant_id) == provider
    ]
    return oldest(mine) if mine else None


async def _create(access: TrunkAccess, scope: TenantScope, provider: str) -> Any:
    return await create_trunk(
        access, lambda: naming.new_provider_trunk_names(access.prefix, scope.tenant_id, provider)
    )


async def _attach_tenant_list(
    access: TrunkAccess, scope: TenantScope, trunk_sid: str, main: Trunk
) -> None:
    """The tenant's credential list on the trunk, and no older list of the tenant's."""
    tw = access.tw
    attached = await tw.list_trunk_credential_lists(trunk_sid)
    if main.credential_list_sid and all(c.sid != main.credential_list_sid for c in attached):
        await tw.attach_credential_list(trunk_sid, main.credential_list_sid)
    for cl in attached:
        if cl.sid != main.credential_list_sid and naming.is_tagged_for(
            cl.friendly_name, access.prefix, scope.tenant_id
        ):
            await tw.detach_credential_list(trunk_sid, cl.sid)


async def originate(*, access: TrunkAccess, row: Trunk, uri: str | None, full: bool) -> None:
    """The trunk's origination URL toward the provider's SIP URI (created or replaced)."""
    if uri is None or (not full and row.origination_uri == uri and row.origination_url_sid):
        return
    remote = SimpleNamespace(sid=row.twilio_sid, friendly_name=row.friendly_name)
    sid, sip_url = await converge_origination(
        tw=access.tw, remote=remote, known_sid=row.origination_url_sid, desired=uri, explicit=True
    )
    row.origination_url_sid, row.origination_uri = sid, sip_url


async def put_number(
    *,
    uow: UnitOfWork,
    scope: TenantScope,
    access: TrunkAccess,
    row: Trunk,
    number: PhoneNumber,
    full: bool,
) -> None:
    """The number on the provider trunk (moved off whatever trunk of the tenant it was on)."""
    if number.trunk_id == row.id and not full:
        return
    previous = None
    if number.trunk_id is not None and number.trunk_id != row.id:
        found = await uow.repo(Trunk, scope).find(Trunk.id == number.trunk_id)
        previous = found.twilio_sid if found is not None else None
    await put_number_on_trunk(
        uow=uow,
        scope=scope,
        tw=access.tw,
        conn_model=access.conn.model,
        trunk=row,
        number=number,
        from_trunk_sid=previous,
    )


async def take_off(
    *, uow: UnitOfWork, scope: TenantScope, access: TrunkAccess, number: PhoneNumber, provider: str
) -> None:
    """The number off the provider's trunk (at Twilio, and here when the row says it is on it)."""
    row = await provider_trunk(uow, scope, provider)
    if row is None:
        return
    if number.twilio_sid and row.account_sid == access.tw.account_sid:
        await access.tw.disassociate_number(row.twilio_sid, number.twilio_sid)
    if number.trunk_id == row.id:
        number.trunk_id = None


async def delete_all(*, uow: UnitOfWork, scope: TenantScope, access: TrunkAccess) -> list[str]:
    """Delete every provider trunk of the tenant (numbers taken off first); their SIDs.

    The credential list stays: it is the tenant's own trunk's.
    """
    tw = access.tw
    deleted: list[str] = []
    rows = await uow.repo(Trunk, scope).all(Trunk.provider.is_not(None))
    sids = {r.twilio_sid for r in rows if r.account_sid == tw.account_sid}
    # A lost row's trunk too: every trunk tagged for the tenant and a provider.
    for t in await tw.list_trunks():
        if naming.provider_of_name(t.friendly_name, access.prefix, scope.tenant_id):
            sids.add(t.sid)
    for sid in sorted(sids):
        for n in await tw.list_trunk_numbers(sid):
            await tw.disassociate_number(sid, n.sid)
        for cl in await tw.list_trunk_credential_lists(sid):
            await tw.detach_credential_list(sid, cl.sid)
        if await tw.delete_trunk(sid):
            deleted.append(sid)
    for row in rows:
        await uow.repo(PhoneNumber, scope).update(PhoneNumber.trunk_id == row.id, trunk_id=None)
        await uow.repo(Trunk, scope).delete(row)
    if deleted:
        record_audit(
            uow=uow,
            actor=scope.actor,
            action="trunk.provider_trunks_deleted",
            tenant_id=scope.tenant_id,
            target=scope.tenant_id,
            detail={"trunks": deleted},
        )
    return deleted
