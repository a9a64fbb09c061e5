"""`ensure`: the tenant's one trunk, found, re-found, adopted or created, then converged.

`locate` finds it (DESIGN section 7, steps 1-3); an adopted legacy trunk is renamed to the
tenant's tag and loses the credential lists it shares with other trunks; else (step 4) a new
`{prefix}_{tag}_{random6}` trunk is made; `converge` does the rest. The per-tenant lock
(PostgreSQL advisory lock, or an asyncio lock on SQLite) plus the find-by-tag step make
concurrent calls settle on one trunk.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import IntegrityError

from callplane.connections import access
from callplane.connections import service as connections
from callplane.connections.models import Connection
from callplane.db.locks import named_lock
from callplane.db.uow import UnitOfWork
from callplane.errors import ApiError, Conflict, NotFound, Unprocessable
from callplane.log import get_logger
from callplane.tenancy import TenantScope
from callplane.tenants.models import Tenant
from callplane.trunks import naming
from callplane.trunks.converge import TrunkAccess, TrunkResult, converge
from callplane.trunks.locate import locate
from callplane.trunks.models import Trunk
from callplane.trunks.remote import TwilioTrunking, twilio_code
from callplane.twilio.factory import TwilioCredentials

log = get_logger(__name__)

DOMAIN_IN_USE = 21248  # "Trunk Domain already taken" (Twilio error 21248)
CREATE_ATTEMPTS = 3


class InvalidOriginationUri(Unprocessable):
    """The origination URI is not a SIP URI (checked before anything is created at Twilio)."""

    code = "invalid_origination_uri"


def lock_name(tenant_id: uuid.UUID) -> str:
    """The named lock that serialises trunk work for one tenant."""
    return f"trunk:{tenant_id}"


def resolve_origination(requested: str | None, *, default: str | None) -> tuple[str | None, bool]:
    """(the origination SIP URI to use, whether the caller asked for it explicitly); 422 if bad.

    `default` is CALLPLANE_ORIGINATION_SIP_URI, used when nothing is requested.
    """
    if requested is not None:
        uri = requested.strip()
        problem = naming.sip_uri_problem(uri)
        if problem:
            raise InvalidOriginationUri(
                f"origination_sip_uri {problem}", field="origination_sip_uri"
            )
        return naming.normalise_sip_uri(uri), True
    fallback = (default or "").strip()
    if not fallback:
        return None, False
    problem = naming.sip_uri_problem(fallback)
    if problem:
        raise InvalidOriginationUri(f"CALLPLANE_ORIGINATION_SIP_URI {problem}")
    return naming.normalise_sip_uri(fallback), False


def trunk_access(uow: UnitOfWork, conn: Connection, creds: TwilioCredentials) -> TrunkAccess:
    """Trunk work in the account of `creds`, with the configured name prefix and secrets."""
    runtime = uow.runtime
    return TrunkAccess(
        conn=conn,
        tw=TwilioTrunking(runtime.twilio, creds),
        prefix=runtime.settings.trunk_prefix,
        secrets=runtime.secrets,
    )


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


async def load_row(uow: UnitOfWork, scope: TenantScope) -> Trunk | None:
    """The tenant's trunk row, read fresh (another transaction may have just written it)."""
    stmt = (
        uow.repo(Trunk, scope)
        .select()
        .where(Trunk.provider.is_(None))  # its own trunk, not a provider's (providers/trunks.py)
        .execution_options(populate_existing=True)
    )
    return (await uow.session.execute(stmt)).scalar_one_or_none()


async def ensure_with(
    *, uow: UnitOfWork, scope: TenantScope, origination: str | None, explicit: bool
) -> TrunkResult:
    """`ensure_trunk` with a validated origination URI (`explicit`: replace the trunk's)."""
    await _assert_tenant_active(uow, scope)
    conn, creds = await ready_connection(uow=uow, scope=scope)
    access = trunk_access(uow, conn, creds)
    tw = access.tw
    async with named_lock(uow, lock_name(scope.tenant_id)):
        row = await load_row(uow, scope)
        if row is not None and row.account_sid != tw.account_sid:
            raise Conflict(
                f"the tenant's trunk {row.twilio_sid} lives in account {row.account_sid}, not in "
                f"the connection's account {tw.account_sid}: delete the trunk first",
                code="trunk_in_other_account",
            )
        found = await locate(uow=uow, scope=scope, tw=tw, prefix=access.prefix, row=row)
        extra: dict[str, Any] = {}
        if found.remote is None:
            remote, outcome = await _create_remote(access, scope.tenant_id), "created"
        elif found.outcome == "adopted":
            remote, extra = await _adopt(access, scope, found.remote, found.trunks or [])
            outcome = "adopted"
        else:
            remote, outcome = found.remote, str(found.outcome)
        if origination is None and row is not None and row.origination_uri:
            origination = row.origination_uri  # what the tenant had, e.g. on a recreated trunk
        result = await converge(
            uow=uow,
            scope=scope,
            access=access,
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
    if result.outcome != "existing" or result.password_reissued:
        # Found again, adopted or made anew: a new password the providers must be given.
        from callplane.providers.hooks import tenant_credentials_changed

        await tenant_credentials_changed(uow, scope)
    return result


async def _adopt(
    access: TrunkAccess, scope: TenantScope, legacy: Any, trunks: list[Any]
) -> tuple[Any, dict[str, Any]]:
    """Step 3's legacy trunk, made the tenant's: (the renamed trunk, detail for the audit)."""
    names = naming.new_trunk_names(access.prefix, scope.tenant_id)
    legacy_name = legacy.friendly_name
    # The tagged name lets a lost row find it again; a trunk without a domain gets one
    # (the termination URI), an existing domain stays (providers are configured with it).
    remote = await access.tw.rename_trunk(
        legacy.sid, names.friendly_name, None if legacy.domain_name else names.domain_name
    )
    shared = await _detach_shared_lists(access.tw, remote, trunks)
    log.warning(
        "legacy trunk adopted: every number on it belongs to this tenant",
        tenant_id=str(scope.tenant_id),
        trunk_sid=remote.sid,
        legacy_name=legacy_name,
        new_name=names.friendly_name,
        shared_credential_lists_detached=shared,
    )
    return remote, {"legacy_name": legacy_name, "shared_credential_lists_detached": shared}


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


async def _create_remote(access: TrunkAccess, tenant_id: uuid.UUID) -> Any:
    """Step 4: a new tagged trunk at Twilio."""
    return await create_trunk(access, lambda: naming.new_trunk_names(access.prefix, tenant_id))


async def create_trunk(access: TrunkAccess, names_of: Callable[[], naming.TrunkNames]) -> Any:
    """A new trunk named by `names_of` (drawn again while its domain is taken)."""
    for attempt in range(CREATE_ATTEMPTS):
        names = names_of()
        try:
            return await access.tw.create_trunk(names)
        except ApiError as exc:
            # Domains are unique across all of Twilio: draw another suffix.
            if twilio_code(exc) != DOMAIN_IN_USE or attempt == CREATE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover
