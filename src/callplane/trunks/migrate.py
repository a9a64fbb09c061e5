"""`callplane trunks migrate`: from legacy shared trunks to one isolated trunk per tenant.

For every account callplane reaches (the platform account and each connection's account), every
legacy trunk (a name that begins with the prefix but carries no tenant tag) is read; each number
on it that a tenant holds in callplane's database moves to that tenant's own trunk
(`ensure_trunk` first: it may adopt the legacy trunk itself when every number on it belongs to
that tenant). Numbers nobody holds stay where they are and are reported. A legacy trunk that the
migration left empty is deleted. `dry_run` reads only and reports what would happen.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from callplane.connections import access
from callplane.connections import service as connections
from callplane.connections.models import Connection
from callplane.db.audit import record_audit
from callplane.db.locks import named_lock
from callplane.db.uow import UnitOfWork
from callplane.errors import ApiError, NotFound
from callplane.log import get_logger
from callplane.numbers.models import PhoneNumber
from callplane.settings import Settings
from callplane.tenancy import SYSTEM, Actor, TenantScope
from callplane.trunks import naming
from callplane.trunks.ensure import ensure_with, lock_name, resolve_origination
from callplane.trunks.locate import locate
from callplane.trunks.models import Trunk
from callplane.trunks.numbers import number_owners, put_number_on_trunk
from callplane.trunks.remote import TwilioTrunking
from callplane.twilio.factory import TwilioCredentials

log = get_logger(__name__)


@dataclass
class Move:
    """One number moved (or, in a dry run, to be moved) to its owner's trunk."""

    phone_number: str
    tenant_id: str
    from_trunk: str
    to_trunk: str  # a trunk SID, or "new trunk" in a dry run
    account_sid: str


@dataclass
class LegacyTrunk:
    """A legacy trunk as the migration found and left it."""

    sid: str
    friendly_name: str
    account_sid: str
    numbers: int
    outcome: str = "kept"  # kept | deleted | adopted | would delete | would adopt
    reason: str | None = None


@dataclass
class MigrationReport:
    """What `migrate_legacy_trunks` did (or would do)."""

    dry_run: bool
    accounts_checked: int = 0
    legacy_trunks: list[LegacyTrunk] = field(default_factory=list)
    moved: list[Move] = field(default_factory=list)
    unowned: list[dict[str, str]] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    tenant_trunks: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return asdict(self)

    def lines(self) -> list[str]:
        """The report for a person: one line per move and legacy trunk, then a summary."""
        verb = "would move" if self.dry_run else "moved"
        out = [
            f"{verb} {m.phone_number} (tenant {m.tenant_id}): {m.from_trunk} -> {m.to_trunk}"
            for m in self.moved
        ]
        for t in self.legacy_trunks:
            why = f" ({t.reason})" if t.reason else ""
            out.append(f"legacy trunk {t.sid} {t.friendly_name!r}: {t.outcome}{why}")
        out += [
            f"left {u['phone_number']} on {u['trunk_sid']}: no tenant holds it"
            for u in self.unowned
        ]
        out += [f"error: {e}" for e in self.errors]
        out.append(
            f"{'dry run: ' if self.dry_run else ''}{self.accounts_checked} account(s), "
            f"{len(self.legacy_trunks)} legacy trunk(s), {len(self.moved)} number(s) {verb}, "
            f"{len(self.deleted)} legacy trunk(s) deleted, {len(self.unowned)} unowned"
        )
        return out

    @property
    def deleted(self) -> list[str]:
        """SIDs of legacy trunks deleted."""
        return [t.sid for t in self.legacy_trunks if t.outcome == "deleted"]


async def _accounts(
    uow: UnitOfWork, tenant_id: uuid.UUID | None, platform: TwilioCredentials | None
) -> list[tuple[TwilioCredentials, str]]:
    """(credentials, model) for each distinct account to look into."""
    found: dict[str, tuple[TwilioCredentials, str]] = {}
    if tenant_id is not None:
        scope = TenantScope(tenant_id=tenant_id, actor=SYSTEM)
        conn = await connections.get_connection(uow=uow, scope=scope)
        if conn.status == "active" and (conn.account_sid or conn.model == "master"):
            creds = access.credentials(uow, conn)
            found[creds.account_sid] = (creds, conn.model)
        return list(found.values())
    if platform is not None:
        found[platform.account_sid] = (platform, "master")
    rows = await uow.repo(Connection, None).all(
        Connection.status == "active", order_by=(Connection.created_at,)
    )
    for conn in rows:
        if conn.model == "master" or not conn.account_sid or conn.account_sid in found:
            continue
        found[conn.account_sid] = (access.credentials(uow, conn), conn.model)
    return list(found.values())


async def migrate_legacy_trunks(
    *,
    uow: UnitOfWork,
    actor: Actor = SYSTEM,
    tenant_id: uuid.UUID | None = None,
    dry_run: bool = False,
) -> MigrationReport:
    """Move numbers off legacy shared trunks onto their owners' isolated trunks (see module doc).

    Per account, in two phases over one snapshot: first every owner's trunk is ensured (so a
    shared legacy trunk, which holds several tenants' numbers at that moment, is adopted by
    nobody), then the numbers move and emptied legacy trunks are deleted.
    """
    report = MigrationReport(dry_run=dry_run)
    runtime = uow.runtime
    twilio, settings = runtime.twilio, runtime.settings
    prefix = settings.trunk_prefix
    for creds, _model in await _accounts(uow, tenant_id, twilio.platform_credentials):
        report.accounts_checked += 1
        tw = TwilioTrunking(twilio, creds)
        try:
            trunks = await tw.list_trunks()
            snapshot = [
                await _read_legacy(uow=uow, tw=tw, legacy=t)
                for t in trunks
                if naming.is_legacy_name(t.friendly_name, prefix)
            ]
        except ApiError as exc:
            report.errors.append(
                {"account_sid": creds.account_sid, "error": exc.message, "code": exc.code}
            )
            log.warning(
                "trunk migration: account unreadable", account_sid=creds.account_sid, error=exc.code
            )
            continue
        # Phase 1: each owner's isolated trunk, once, in the order owners appear.
        for item in snapshot:
            for owner in item.owners.values():
                if tenant_id is not None and owner.tenant_id != tenant_id:
                    continue
                if str(owner.tenant_id) in report.tenant_trunks:
                    continue
                scope = TenantScope(tenant_id=owner.tenant_id, actor=actor)
                try:
                    await _tenant_trunk(
                        uow=uow,
                        scope=scope,
                        tw=tw,
                        settings=settings,
                        origination=item.origination,
                        dry_run=dry_run,
                        report=report,
                    )
                except ApiError as exc:
                    await uow.rollback()
                    report.tenant_trunks[str(owner.tenant_id)] = {"sid": None, "error": exc.code}
                    report.errors.append(
                        {"tenant_id": str(owner.tenant_id), "error": exc.message, "code": exc.code}
                    )
                    log.warning(
                        "trunk migration: no trunk for the owner",
                        tenant_id=str(owner.tenant_id),
                        error=exc.code,
                    )
        # Phase 2: the moves, then the emptied legacy trunks go.
        for item in snapshot:
            try:
                await _migrate_trunk(
                    uow=uow,
                    actor=actor,
                    tw=tw,
                    item=item,
                    tenant_id=tenant_id,
                    dry_run=dry_run,
                    report=report,
                )
            except ApiError as exc:
                await uow.rollback()
                report.errors.append(
                    {"trunk_sid": item.sid, "error": exc.message, "code": exc.code}
                )
                log.warning("trunk migration: trunk failed", trunk_sid=item.sid, error=exc.code)
    log.info(
        "trunk migration done",
        dry_run=dry_run,
        accounts=report.accounts_checked,
        legacy_trunks=len(report.legacy_trunks),
        moved=len(report.moved),
        deleted=len(report.deleted),
        unowned=len(report.unowned),
    )
    return report


@dataclass(frozen=True)
class _Owner:
    """Plain values: a rollback after one failed step must not expire what the loop reads."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    e164: str


@dataclass
class _Legacy:
    sid: str
    friendly_name: str
    numbers: list[tuple[str, str]]  # (number SID, E.164) at Twilio
    owners: dict[str, _Owner]  # by number SID, only the numbers a tenant holds
    origination: str | None


async def _read_legacy(*, uow: UnitOfWork, tw: TwilioTrunking, legacy: Any) -> _Legacy:
    numbers = await tw.list_trunk_numbers(legacy.sid)
    owners = await number_owners(uow=uow, account_sid=tw.account_sid, remote_numbers=numbers)
    return _Legacy(
        sid=legacy.sid,
        friendly_name=legacy.friendly_name or "",
        numbers=[(n.sid, n.phone_number) for n in numbers],
        owners={sid: _Owner(r.id, r.tenant_id, r.e164) for sid, r in owners.items()},
        origination=await _legacy_origination(tw, legacy.sid),
    )


async def _migrate_trunk(
    *,
    uow: UnitOfWork,
    actor: Actor,
    tw: TwilioTrunking,
    item: _Legacy,
    tenant_id: uuid.UUID | None,
    dry_run: bool,
    report: MigrationReport,
) -> None:
    entry = LegacyTrunk(
        sid=item.sid,
        friendly_name=item.friendly_name,
        account_sid=tw.account_sid,
        numbers=len(item.numbers),
    )
    report.legacy_trunks.append(entry)
    moved_here = 0
    for number_sid, e164 in item.numbers:
        owner = item.owners.get(number_sid)
        if owner is None:
            report.unowned.append(
                {"phone_number": e164, "trunk_sid": item.sid, "account_sid": tw.account_sid}
            )
            continue
        if tenant_id is not None and owner.tenant_id != tenant_id:
            report.skipped.append({"phone_number": e164, "tenant_id": str(owner.tenant_id)})
            continue
        target = report.tenant_trunks.get(str(owner.tenant_id), {}).get("sid")
        if target is None:
            continue  # phase 1 failed for this tenant (in report.errors); the number stays
        scope = TenantScope(tenant_id=owner.tenant_id, actor=actor)
        if target == item.sid:
            entry.outcome = "would adopt" if dry_run else "adopted"
            entry.reason = f"every number on it belongs to tenant {owner.tenant_id}"
            if not dry_run:
                await _mark_on_trunk(uow=uow, scope=scope, number_id=owner.id)
            continue
        report.moved.append(
            Move(
                phone_number=owner.e164,
                tenant_id=str(owner.tenant_id),
                from_trunk=item.sid,
                to_trunk=str(target),
                account_sid=tw.account_sid,
            )
        )
        moved_here += 1
        if not dry_run:
            await _move(uow=uow, scope=scope, tw=tw, number_id=owner.id, legacy_sid=item.sid)
    if entry.outcome in ("adopted", "would adopt"):
        return
    left = len(item.numbers) - moved_here
    if moved_here == 0:
        entry.reason = "no number of a callplane tenant to move" if item.numbers else "empty"
        return
    if dry_run:
        entry.outcome = "would delete" if left == 0 else "kept"
        entry.reason = None if left == 0 else f"{left} number(s) would stay on it"
        return
    remaining = await tw.list_trunk_numbers(item.sid)
    if remaining:
        entry.reason = f"{len(remaining)} number(s) stay on it"
        return
    await tw.delete_trunk(item.sid)
    entry.outcome = "deleted"
    record_audit(
        uow=uow,
        actor=actor,
        action="trunk.legacy_deleted",
        target=item.sid,
        detail={
            "friendly_name": item.friendly_name,
            "account_sid": tw.account_sid,
            "numbers_moved": moved_here,
        },
    )
    await uow.commit()
    log.info("legacy trunk emptied and deleted", trunk_sid=item.sid, account_sid=tw.account_sid)


async def _legacy_origination(tw: TwilioTrunking, trunk_sid: str) -> str | None:
    """The legacy trunk's origination URI: a new trunk keeps sending calls where they went."""
    urls = [u for u in await tw.list_origination_urls(trunk_sid) if u.enabled]
    if not urls:
        return None
    best = min(urls, key=lambda u: (u.priority, -(u.weight or 0), u.sid))
    uri = str(best.sip_url or "")
    return naming.normalise_sip_uri(uri) if uri and naming.sip_uri_problem(uri) is None else None


async def _tenant_trunk(
    *,
    uow: UnitOfWork,
    scope: TenantScope,
    tw: TwilioTrunking,
    settings: Settings,
    origination: str | None,
    dry_run: bool,
    report: MigrationReport,
) -> str:
    """The SID of the tenant's isolated trunk (ensured once per run), or what a dry run would do.

    The trunk's origination: CALLPLANE_ORIGINATION_SIP_URI, else the legacy trunk's.
    """
    key = str(scope.tenant_id)
    known = report.tenant_trunks.get(key)
    if known is not None:
        return str(known["sid"])
    if dry_run:
        row = await uow.repo(Trunk, scope).find(Trunk.provider.is_(None))
        located = await locate(uow=uow, scope=scope, tw=tw, prefix=settings.trunk_prefix, row=row)
        sid = located.remote.sid if located.remote is not None else "new trunk"
        report.tenant_trunks[key] = {"sid": sid, "outcome": located.outcome or "would create"}
        return sid
    default, _ = resolve_origination(None, default=settings.origination_sip_uri)
    result = await ensure_with(
        uow=uow, scope=scope, origination=default or origination, explicit=False
    )
    if result.trunk.account_sid != tw.account_sid:
        raise ApiError(
            f"tenant {scope.tenant_id} holds numbers in account {tw.account_sid} but its trunk is "
            f"in {result.trunk.account_sid}; move its connection back or release the numbers",
            code="trunk_in_other_account",
            status_code=409,
        )
    report.tenant_trunks[key] = {
        "sid": result.trunk.twilio_sid,
        "outcome": result.outcome,
        "domain_name": result.trunk.domain_name,
        # The password is never printed: POST .../trunk/credentials/rotate shows a fresh one.
        "credentials_issued": result.sip_password is not None,
    }
    return result.trunk.twilio_sid


async def _mark_on_trunk(*, uow: UnitOfWork, scope: TenantScope, number_id: uuid.UUID) -> None:
    row = await uow.repo(Trunk, scope).find(Trunk.provider.is_(None))
    number = await uow.repo(PhoneNumber, scope).get(number_id)
    if row is not None and number.trunk_id != row.id:
        number.trunk_id = row.id
        await uow.commit()


async def _move(
    *,
    uow: UnitOfWork,
    scope: TenantScope,
    tw: TwilioTrunking,
    number_id: uuid.UUID,
    legacy_sid: str,
) -> None:
    conn = await connections.get_connection(uow=uow, scope=scope)
    async with named_lock(uow, lock_name(scope.tenant_id)):
        row = await uow.repo(Trunk, scope).find(Trunk.provider.is_(None))
        if row is None:
            raise NotFound("trunk")
        number = await uow.repo(PhoneNumber, scope).get(number_id)
        await put_number_on_trunk(
            uow=uow,
            scope=scope,
            tw=tw,
            conn_model=conn.model,
            trunk=row,
            number=number,
            from_trunk_sid=legacy_sid,
        )
        record_audit(
            uow=uow,
            actor=scope.actor,
            action="trunk.number_migrated",
            tenant_id=scope.tenant_id,
            target=number.id,
            detail={
                "phone_number": number.e164,
                "from_trunk": legacy_sid,
                "to_trunk": row.twilio_sid,
            },
        )
        await uow.commit()
