"""Per-tenant Elastic SIP trunks (DESIGN section 7), isolated even in a shared Twilio account.

`ensure_trunk` finds or makes the tenant's one trunk, in this order:
  1. the stored trunk SID, if Twilio still has it;
  2. a trunk of the account whose friendly name begins `{prefix}_{tag}_` (a lost database row);
  3. exactly one legacy trunk (`{prefix}...` without a tag) holding at least one number, every
     number on it held by this tenant in callplane's database: adopted, with a warning and an
     audit row;
  4. else a new `{prefix}_{tag}_{random6}` trunk with its own credential list.
Whatever was found is then converged: a credential list with one SIP credential attached, the
origination URL, and the numbers' `trunk_id`. Every step looks before it creates, so a crash
between two Twilio calls is repaired by the next call, and the per-tenant lock (PostgreSQL
advisory lock, or an asyncio lock on SQLite) plus the find-by-tag step make concurrent calls
settle on one trunk.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_
from sqlalchemy.exc import IntegrityError

from callplane.connections import access
from callplane.connections import service as connections
from callplane.connections.models import Connection
from callplane.db.audit import record_audit
from callplane.db.locks import named_lock
from callplane.db.uow import UnitOfWork
from callplane.errors import ApiError, Conflict, NotFound, Unprocessable
from callplane.log import get_logger
from callplane.numbers.models import ComplianceProfile, CopiedAddress, PhoneNumber
from callplane.numbers.states import HELD_STATUSES
from callplane.security.crypto import DecryptionError
from callplane.tenancy import TenantScope
from callplane.tenants.models import Tenant
from callplane.trunks import naming
from callplane.trunks.models import Trunk
from callplane.trunks.remote import TwilioTrunking, twilio_code
from callplane.twilio.factory import TwilioCredentials

log = get_logger(__name__)

PASSWORD_FIELD = "trunks.sip_password"
DOMAIN_IN_USE = 21232
CREATE_ATTEMPTS = 3


class InvalidOriginationUri(Unprocessable):
    """The origination URI is not a SIP URI (checked before anything is created at Twilio)."""

    code = "invalid_origination_uri"


def lock_name(tenant_id: uuid.UUID) -> str:
    """The named lock that serialises trunk work for one tenant."""
    return f"trunk:{tenant_id}"


@dataclass
class TrunkResult:
    """What `ensure_trunk` (or a rotation) did; the plain password only when one was issued."""

    trunk: Trunk
    outcome: str  # existing | found | adopted | created
    sip_password: str | None = None
    password_reissued: bool = False
    numbers: list[str] = field(default_factory=list)

    @property
    def created(self) -> bool:
        """A new trunk was made at Twilio."""
        return self.outcome == "created"


# -- inputs and the connection ----------------------------------------------------------------


def resolve_origination(uow: UnitOfWork, requested: str | None) -> tuple[str | None, bool]:
    """(the origination SIP URI to use, whether the caller asked for it explicitly); 422 if bad."""
    if requested is not None:
        uri = requested.strip()
        problem = naming.sip_uri_problem(uri)
        if problem:
            raise InvalidOriginationUri(
                f"origination_sip_uri {problem}", field="origination_sip_uri"
            )
        return naming.normalise_sip_uri(uri), True
    default = (uow.runtime.settings.origination_sip_uri or "").strip()
    if not default:
        return None, False
    problem = naming.sip_uri_problem(default)
    if problem:
        raise InvalidOriginationUri(f"CALLPLANE_ORIGINATION_SIP_URI {problem}")
    return naming.normalise_sip_uri(default), False


async def _assert_tenant_active(uow: UnitOfWork, scope: TenantScope) -> None:
    tenant = await uow.session.get(Tenant, scope.tenant_id)
    if tenant is None:
        raise NotFound("tenant")
    if tenant.status == "offboarded":
        raise Conflict("this tenant is offboarded", code="tenant_offboarded")


async def ready_connection(
    *, uow: UnitOfWork, scope: TenantScope
) -> tuple[Connection, TwilioCredentials]:
    """The tenant's usable connection and its credentials, or a clear 4xx before any Twilio write.

    422 `platform_account_not_configured` (master/subaccount without the platform account),
    409 `connection_pending` / `connection_closed`. A subaccount chosen but not made yet is made
    now, as for any first need of the account (docs/decisions.md).
    """
    stored = await connections.find_connection(uow=uow, scope=scope)
    if stored is not None and stored.status == "closed":
        # Checked here: ensure_account would make a NEW subaccount for a closed one.
        raise Conflict("the tenant's Twilio account is closed", code="connection_closed")
    try:
        conn = await connections.ensure_account(uow=uow, scope=scope)
    except IntegrityError:
        # Two first needs raced to store the default connection; the other one won.
        await uow.rollback()
        conn = await connections.ensure_account(uow=uow, scope=scope)
    if conn.status == "closed":
        raise Conflict("the tenant's Twilio account is closed", code="connection_closed")
    if conn.status != "active" and conn.model != "master":
        raise Conflict("the tenant's Twilio account is not ready", code="connection_pending")
    return conn, access.credentials(uow, conn)


async def _load_row(uow: UnitOfWork, scope: TenantScope) -> Trunk | None:
    """The tenant's trunk row, read fresh (another transaction may have just written it)."""
    stmt = uow.repo(Trunk, scope).select().execution_options(populate_existing=True)
    return (await uow.session.execute(stmt)).scalar_one_or_none()


def _open_password(uow: UnitOfWork, row: Trunk) -> str | None:
    try:
        return uow.runtime.secrets.open(
            row.sip_password, tenant_id=row.tenant_id, field=PASSWORD_FIELD
        )
    except DecryptionError:  # a key that left the ring: the password cannot be recovered
        log.warning("stored SIP password cannot be decrypted", tenant_id=str(row.tenant_id))
        return None


def _seal_password(uow: UnitOfWork, row: Trunk, password: str) -> None:
    row.sip_password = uow.runtime.secrets.seal(
        password, tenant_id=row.tenant_id, field=PASSWORD_FIELD
    )


# -- numbers and their owners -----------------------------------------------------------------


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


async def _emergency_address(
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

    Registers the compliance profile's emergency address on the number first where one is set
    (Twilio's Elastic SIP trunking takes emergency addresses per number, not per trunk).
    Answers the emergency address SID applied, if any.
    """
    if not number.twilio_sid:
        raise Conflict("the number is not active at Twilio yet", code="phone_number_not_active")
    address = None
    if number.managed:  # an unmanaged number's configuration is the tenant's own business
        address = await _emergency_address(
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


# -- lookup -----------------------------------------------------------------------------------


@dataclass
class Located:
    """A trunk found at Twilio for a tenant, and how."""

    remote: Any | None
    outcome: str | None  # existing | found | adopted | None (none: create)
    trunks: list[Any] | None = None  # the account's trunks, when listed


def _oldest(items: list[Any]) -> Any:
    return min(items, key=lambda t: (t.date_created is None, t.date_created, t.sid))


async def locate(
    *, uow: UnitOfWork, scope: TenantScope, tw: TwilioTrunking, row: Trunk | None
) -> Located:
    """Steps 1-3 of DESIGN section 7, read-only (a dry run can ask what would happen)."""
    prefix = uow.runtime.settings.trunk_prefix
    if row is not None and row.account_sid == tw.account_sid:
        remote = await tw.fetch_trunk(row.twilio_sid)
        if remote is not None:
            return Located(remote, "existing")
        log.warning(
            "stored trunk is gone at Twilio",
            tenant_id=str(scope.tenant_id),
            trunk_sid=row.twilio_sid,
        )
    trunks = await tw.list_trunks()
    tagged = [t for t in trunks if naming.is_tagged_for(t.friendly_name, prefix, scope.tenant_id)]
    if tagged:
        chosen = _oldest(tagged)
        if len(tagged) > 1:
            log.warning(
                "several trunks carry the tenant's tag; using the oldest",
                tenant_id=str(scope.tenant_id),
                chosen=chosen.sid,
                others=[t.sid for t in tagged if t.sid != chosen.sid],
            )
        return Located(chosen, "found", trunks)
    candidates = []
    for legacy in (t for t in trunks if naming.is_legacy_name(t.friendly_name, prefix)):
        numbers = await tw.list_trunk_numbers(legacy.sid)
        if not numbers:
            continue  # an empty legacy trunk proves no ownership; it is never adopted
        owners = await number_owners(uow=uow, account_sid=tw.account_sid, remote_numbers=numbers)
        if all(n.sid in owners and owners[n.sid].tenant_id == scope.tenant_id for n in numbers):
            candidates.append(legacy)
    if len(candidates) == 1:
        return Located(candidates[0], "adopted", trunks)
    if len(candidates) > 1:
        log.warning(
            "several legacy trunks hold only this tenant's numbers; none adopted",
            tenant_id=str(scope.tenant_id),
            trunks=[t.sid for t in candidates],
        )
    return Located(None, None, trunks)


# -- ensure -----------------------------------------------------------------------------------


async def ensure_trunk(
    *, uow: UnitOfWork, scope: TenantScope, origination_sip_uri: str | None = None
) -> TrunkResult:
    """The tenant's one trunk: found, re-found, adopted or created; converged; stored."""
    desired, explicit = resolve_origination(uow, origination_sip_uri)
    return await ensure_with(uow=uow, scope=scope, origination=desired, explicit=explicit)


async def ensure_with(
    *, uow: UnitOfWork, scope: TenantScope, origination: str | None, explicit: bool
) -> TrunkResult:
    """`ensure_trunk` with a validated origination URI (`explicit`: replace the trunk's)."""
    await _assert_tenant_active(uow, scope)
    conn, creds = await ready_connection(uow=uow, scope=scope)
    tw = TwilioTrunking(uow, creds)
    async with named_lock(uow, lock_name(scope.tenant_id)):
        row = await _load_row(uow, scope)
        if row is not None and row.account_sid != tw.account_sid:
            raise Conflict(
                f"the tenant's trunk {row.twilio_sid} lives in account {row.account_sid}, not in "
                f"the connection's account {tw.account_sid}: delete the trunk first",
                code="trunk_in_other_account",
            )
        found = await locate(uow=uow, scope=scope, tw=tw, row=row)
        remote, outcome = found.remote, found.outcome
        extra: dict[str, Any] = {}
        if remote is None:
            remote = await _create_remote(uow, tw, scope.tenant_id)
            outcome = "created"
        elif outcome == "adopted":
            names = naming.new_trunk_names(uow.runtime.settings.trunk_prefix, scope.tenant_id)
            legacy_name = remote.friendly_name
            # The tagged name lets a lost row find it again; a trunk without a domain gets one
            # (the termination URI), an existing domain stays (providers are configured with it).
            remote = await tw.rename_trunk(
                remote.sid,
                names.friendly_name,
                None if remote.domain_name else names.domain_name,
            )
            shared = await _detach_shared_lists(tw, remote, found.trunks or [])
            extra = {"legacy_name": legacy_name, "shared_credential_lists_detached": shared}
            log.warning(
                "legacy trunk adopted: every number on it belongs to this tenant",
                tenant_id=str(scope.tenant_id),
                trunk_sid=remote.sid,
                legacy_name=legacy_name,
                new_name=names.friendly_name,
                shared_credential_lists_detached=shared,
            )
        assert outcome is not None
        if origination is None and row is not None and row.origination_uri:
            origination = row.origination_uri  # what the tenant had, e.g. on a recreated trunk
        result = await _converge(
            uow=uow,
            scope=scope,
            tw=tw,
            conn=conn,
            row=row,
            remote=remote,
            outcome=outcome,
            origination=origination,
            explicit=explicit,
            extra_detail=extra,
        )
        await uow.commit()
    log.info(
        "trunk ready",
        tenant_id=str(scope.tenant_id),
        trunk_sid=result.trunk.twilio_sid,
        outcome=result.outcome,
        credentials_reissued=result.password_reissued,
    )
    return result


async def _detach_shared_lists(tw: TwilioTrunking, remote: Any, trunks: list[Any]) -> list[str]:
    """Detach from an adopted trunk the credential lists other trunks use too.

    Shared legacy credentials would let whoever holds them (other tenants' providers) send calls
    through this tenant's trunk. A list used by this trunk alone stays, so the tenant's provider
    keeps working until it switches to the callplane credentials.
    """
    attached = await tw.list_trunk_credential_lists(remote.sid)
    if not attached:
        return []
    elsewhere: set[str] = set()
    for other in trunks:
        if other.sid != remote.sid:
            elsewhere |= {c.sid for c in await tw.list_trunk_credential_lists(other.sid)}
    shared = sorted(c.sid for c in attached if c.sid in elsewhere)
    for cl_sid in shared:
        await tw.detach_credential_list(remote.sid, cl_sid)
    return shared


async def _create_remote(uow: UnitOfWork, tw: TwilioTrunking, tenant_id: uuid.UUID) -> Any:
    prefix = uow.runtime.settings.trunk_prefix
    for attempt in range(CREATE_ATTEMPTS):
        names = naming.new_trunk_names(prefix, tenant_id)
        try:
            return await tw.create_trunk(names)
        except ApiError as exc:
            # Domains are unique across all of Twilio: draw another suffix.
            if twilio_code(exc) != DOMAIN_IN_USE or attempt == CREATE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


async def _converge_origination(
    *, tw: TwilioTrunking, remote: Any, known_sid: str | None, desired: str | None, explicit: bool
) -> tuple[str | None, str | None]:
    """(origination URL SID, SIP URI): the trunk's, replaced when the caller asked for another."""
    urls = await tw.list_origination_urls(remote.sid)
    if not urls:
        if desired is None:
            return None, None
        made = await tw.create_origination_url(
            remote.sid, remote.friendly_name or "callplane", desired
        )
        return made.sid, made.sip_url
    mine = (
        next((u for u in urls if u.sid == known_sid), None)
        or next((u for u in urls if desired and u.sip_url == desired), None)
        or min(urls, key=lambda u: (u.priority, -(u.weight or 0), u.sid))
    )
    if explicit and desired is not None and mine.sip_url != desired:
        mine = await tw.update_origination_url(remote.sid, mine.sid, desired)
    return mine.sid, mine.sip_url


@dataclass
class _Creds:
    list_sid: str
    credential_sid: str
    username: str
    password: str | None  # plain, when issued now
    list_created: bool


async def _converge_credentials(
    *,
    uow: UnitOfWork,
    scope: TenantScope,
    tw: TwilioTrunking,
    remote: Any,
    row: Trunk | None,
    force_new_password: bool = False,
) -> _Creds:
    """The trunk's callplane credential list and SIP credential; a password issued if needed."""
    prefix = uow.runtime.settings.trunk_prefix
    known_list = row.credential_list_sid if row is not None else None

    def ours(cl: Any) -> bool:
        return cl.sid == known_list or naming.is_tagged_for(
            cl.friendly_name, prefix, scope.tenant_id
        )

    attached = await tw.list_trunk_credential_lists(remote.sid)
    chosen = next((c for c in attached if c.sid == known_list), None) or next(
        (c for c in attached if ours(c)), None
    )
    list_created = False
    if chosen is None:
        # A list made before a crash (or kept from a trunk that was deleted at Twilio) is reused.
        existing = [c for c in await tw.list_credential_lists() if ours(c)]
        chosen = next((c for c in existing if c.sid == known_list), None) or (
            existing[0] if existing else None
        )
        if chosen is None:
            chosen = await tw.create_credential_list(remote.friendly_name)
            list_created = True
        await tw.attach_credential_list(remote.sid, chosen.sid)
    credentials = await tw.list_credentials(chosen.sid)
    known_user = row.sip_username if row is not None else None
    current = next((c for c in credentials if known_user and c.username == known_user), None)
    if (
        not force_new_password
        and current is not None
        and row is not None
        and row.credential_list_sid == chosen.sid
        and row.sip_password
        and _open_password(uow, row)
    ):
        return _Creds(chosen.sid, current.sid, current.username, None, list_created)
    password = naming.new_sip_password()
    target = current or (credentials[0] if credentials else None)
    if target is not None and await tw.set_password(chosen.sid, target.sid, password) is not None:
        return _Creds(chosen.sid, target.sid, target.username, password, list_created)
    username = naming.new_sip_username(prefix)
    made = await tw.create_credential(chosen.sid, username, password)
    return _Creds(chosen.sid, made.sid, made.username, password, list_created)


async def _converge(
    *,
    uow: UnitOfWork,
    scope: TenantScope,
    tw: TwilioTrunking,
    conn: Connection,
    row: Trunk | None,
    remote: Any,
    outcome: str,
    origination: str | None,
    explicit: bool,
    extra_detail: dict[str, Any] | None = None,
) -> TrunkResult:
    same_trunk = row is not None and row.twilio_sid == remote.sid
    ou_sid, ou_uri = await _converge_origination(
        tw=tw,
        remote=remote,
        known_sid=row.origination_url_sid if same_trunk and row is not None else None,
        desired=origination,
        explicit=explicit,
    )
    creds = await _converge_credentials(uow=uow, scope=scope, tw=tw, remote=remote, row=row)
    previous_uri = row.origination_uri if row is not None else None
    new_row = row is None
    if row is None:
        row = uow.repo(Trunk, scope).add(Trunk(id=uuid.uuid4(), tenant_id=scope.tenant_id))
    row.connection_id = conn.id
    row.account_sid = tw.account_sid
    row.twilio_sid = remote.sid
    row.friendly_name = remote.friendly_name or ""
    row.domain_name = remote.domain_name or ""
    row.origination_uri = ou_uri
    row.origination_url_sid = ou_sid
    row.credential_list_sid = creds.list_sid
    row.credential_sid = creds.credential_sid
    row.sip_username = creds.username
    row.status = "active"
    if outcome != "existing":
        row.origin = outcome
    if creds.password is not None:
        _seal_password(uow, row, creds.password)
    await uow.session.flush()
    if outcome != "existing" or not same_trunk:
        await _sync_numbers(
            uow=uow, scope=scope, tw=tw, conn=conn, row=row, remote=remote, relink=not new_row
        )
    reissued = creds.password is not None and outcome != "created"
    detail: dict[str, Any] = {
        "sid": remote.sid,
        "friendly_name": row.friendly_name,
        "domain_name": row.domain_name,
        "outcome": outcome,
        "origination_uri": ou_uri,
        "credentials_reissued": reissued,
        **(extra_detail or {}),
    }
    if outcome == "existing":
        if previous_uri != ou_uri or reissued:
            record_audit(
                uow=uow,
                actor=scope.actor,
                action="trunk.update",
                tenant_id=scope.tenant_id,
                target=remote.sid,
                detail=detail,
            )
    else:
        record_audit(
            uow=uow,
            actor=scope.actor,
            action=f"trunk.{outcome}",
            tenant_id=scope.tenant_id,
            target=remote.sid,
            detail=detail,
        )
    numbers = await uow.repo(PhoneNumber, scope).all(PhoneNumber.trunk_id == row.id)
    return TrunkResult(
        trunk=row,
        outcome=outcome,
        sip_password=creds.password,
        password_reissued=reissued,
        numbers=sorted(n.e164 for n in numbers),
    )


async def _sync_numbers(
    *,
    uow: UnitOfWork,
    scope: TenantScope,
    tw: TwilioTrunking,
    conn: Connection,
    row: Trunk,
    remote: Any,
    relink: bool,
) -> None:
    """Re-read which numbers are on a found/adopted/recreated trunk; put back the row's numbers."""
    on_trunk = await tw.list_trunk_numbers(remote.sid)
    owners = await number_owners(uow=uow, account_sid=tw.account_sid, remote_numbers=on_trunk)
    for n in on_trunk:
        owner = owners.get(n.sid)
        if owner is None or owner.tenant_id != scope.tenant_id:
            log.warning(
                "a number on the tenant's trunk is not held by the tenant",
                tenant_id=str(scope.tenant_id),
                trunk_sid=remote.sid,
                number_sid=n.sid,
            )
            continue
        owner.trunk_id = row.id
    if not relink:
        return
    on_sids = {n.sid for n in on_trunk}
    for number in await uow.repo(PhoneNumber, scope).all(
        PhoneNumber.trunk_id == row.id, PhoneNumber.status == "active"
    ):
        if (
            number.twilio_sid
            and number.twilio_sid not in on_sids
            and number.account_sid == tw.account_sid
        ):
            await put_number_on_trunk(
                uow=uow, scope=scope, tw=tw, conn_model=conn.model, trunk=row, number=number
            )


# -- read, rotate, delete ---------------------------------------------------------------------


async def get_trunk(*, uow: UnitOfWork, scope: TenantScope) -> TrunkResult:
    """The tenant's stored trunk (no Twilio call); 404 when it has none."""
    row = await uow.repo(Trunk, scope).find()
    if row is None:
        raise NotFound("trunk")
    numbers = await uow.repo(PhoneNumber, scope).all(PhoneNumber.trunk_id == row.id)
    return TrunkResult(trunk=row, outcome="existing", numbers=sorted(n.e164 for n in numbers))


async def _trunk_context(uow: UnitOfWork, scope: TenantScope) -> tuple[Connection, TwilioTrunking]:
    conn = await connections.find_connection(
        uow=uow, scope=scope
    ) or connections.default_connection(uow=uow, scope=scope)
    return conn, TwilioTrunking(uow, access.credentials(uow, conn))


async def rotate_credentials(*, uow: UnitOfWork, scope: TenantScope) -> TrunkResult:
    """Set a new SIP password on the trunk's credential; the answer carries it, once."""
    _, tw = await _trunk_context(uow, scope)
    async with named_lock(uow, lock_name(scope.tenant_id)):
        row = await _load_row(uow, scope)
        if row is None:
            raise NotFound("trunk")
        if row.account_sid != tw.account_sid:
            raise Conflict("the trunk lives in another account", code="trunk_in_other_account")
        remote = await tw.fetch_trunk(row.twilio_sid)
        if remote is None:
            raise Conflict(
                f"the trunk {row.twilio_sid} no longer exists at Twilio: "
                "PUT trunk to set it up again",
                code="trunk_missing_at_twilio",
            )
        creds = await _converge_credentials(
            uow=uow, scope=scope, tw=tw, remote=remote, row=row, force_new_password=True
        )
        assert creds.password is not None
        row.credential_list_sid = creds.list_sid
        row.credential_sid = creds.credential_sid
        row.sip_username = creds.username
        _seal_password(uow, row, creds.password)
        record_audit(
            uow=uow,
            actor=scope.actor,
            action="trunk.credentials_rotated",
            tenant_id=scope.tenant_id,
            target=row.twilio_sid,
            detail={"sip_username": creds.username},
        )
        await uow.commit()
    numbers = await uow.repo(PhoneNumber, scope).all(PhoneNumber.trunk_id == row.id)
    return TrunkResult(
        trunk=row,
        outcome="existing",
        sip_password=creds.password,
        numbers=sorted(n.e164 for n in numbers),
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
    all is a 404.
    """
    _, tw = await _trunk_context(uow, scope)
    prefix = uow.runtime.settings.trunk_prefix
    async with named_lock(uow, lock_name(scope.tenant_id)):
        row = await _load_row(uow, scope)
        reachable = row is None or row.account_sid == tw.account_sid
        remote: Any | None = None
        if row is not None and reachable:
            remote = await tw.fetch_trunk(row.twilio_sid)
        if remote is None and reachable:
            tagged = [
                t
                for t in await tw.list_trunks()
                if naming.is_tagged_for(t.friendly_name, prefix, scope.tenant_id)
            ]
            remote = _oldest(tagged) if tagged else None
        if row is None and remote is None:
            raise NotFound("trunk")
        detached = 0
        lists: set[str] = set()
        if row is not None and row.credential_list_sid:
            lists.add(row.credential_list_sid)
        if remote is not None:
            for n in await tw.list_trunk_numbers(remote.sid):
                if await tw.disassociate_number(remote.sid, n.sid):
                    detached += 1
            for cl in await tw.list_trunk_credential_lists(remote.sid):
                if cl.sid in lists or naming.is_tagged_for(
                    cl.friendly_name, prefix, scope.tenant_id
                ):
                    lists.add(cl.sid)
        if reachable:
            for cl_sid in sorted(lists):
                await tw.delete_credential_list(cl_sid)
        deleted = bool(remote is not None and await tw.delete_trunk(remote.sid))
        if row is not None:
            await uow.repo(PhoneNumber, scope).update(PhoneNumber.trunk_id == row.id, trunk_id=None)
            await uow.repo(Trunk, scope).delete(row)
        if not reachable:
            log.warning(
                "trunk row removed but the trunk is in another account and was not deleted there",
                tenant_id=str(scope.tenant_id),
                trunk_sid=row.twilio_sid if row else None,
            )
        sid = remote.sid if remote is not None else row.twilio_sid  # type: ignore[union-attr]
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
    conn, tw = await _trunk_context(uow, scope)
    async with named_lock(uow, lock_name(scope.tenant_id)):
        row = await _load_row(uow, scope)
        if row is None:
            raise NotFound("trunk", hint="PUT /v1/tenants/{tid}/trunk first")
        await uow.session.refresh(number)
        if number.account_sid != row.account_sid:
            raise Conflict(
                f"the number lives in account {number.account_sid}, the trunk in {row.account_sid}",
                code="account_mismatch",
            )
        address = await put_number_on_trunk(
            uow=uow, scope=scope, tw=tw, conn_model=conn.model, trunk=row, number=number
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
    return number, address


async def detach_number(
    *, uow: UnitOfWork, scope: TenantScope, number_id: uuid.UUID
) -> PhoneNumber:
    """Take a tenant's number off its trunk (idempotent); its voice URL routes it again."""
    number = await uow.repo(PhoneNumber, scope).get(number_id)
    _, tw = await _trunk_context(uow, scope)
    async with named_lock(uow, lock_name(scope.tenant_id)):
        row = await _load_row(uow, scope)
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
    return number


# -- a tenant with a trunk does not change its account model ----------------------------------


async def trunk_in_account(*, uow: UnitOfWork, scope: TenantScope) -> str | None:
    """Blocks a model change while the tenant has a trunk in its current account."""
    row = await uow.repo(Trunk, scope).find()
    if row is None:
        return None
    return f"SIP trunk {row.twilio_sid} (DELETE /v1/tenants/{scope.tenant_id}/trunk first)"


__all__ = [
    "TrunkResult",
    "attach_number",
    "delete_trunk",
    "detach_number",
    "ensure_trunk",
    "get_trunk",
    "locate",
    "rotate_credentials",
]
