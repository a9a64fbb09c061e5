"""Tenants' Twilio connections in the three account models of DESIGN section 2."""

from __future__ import annotations

import time
import uuid

from sqlalchemy.exc import IntegrityError
from twilio.base.exceptions import TwilioRestException

from callplane.connections.models import Connection
from callplane.connections.schemas import ConnectionPut
from callplane.db.audit import record_audit
from callplane.db.base import utcnow
from callplane.db.locks import named_lock
from callplane.db.uow import UnitOfWork
from callplane.errors import ApiError, Conflict, Unprocessable
from callplane.log import get_logger
from callplane.tenancy import TenantScope
from callplane.twilio.errors import call_twilio
from callplane.twilio.factory import TwilioCredentials

log = get_logger(__name__)

DEGRADED_AFTER_MS = 2000


class PlatformNotConfigured(Unprocessable):
    """The master and subaccount models need the platform account in settings."""

    code = "platform_account_not_configured"

    def __init__(self) -> None:
        super().__init__(
            "the platform Twilio account is not configured: set CALLPLANE_TWILIO_ACCOUNT_SID "
            "and CALLPLANE_TWILIO_AUTH_TOKEN"
        )


def _field(column: str) -> str:
    return f"connections.{column}"


def seal(uow: UnitOfWork, conn: Connection, column: str, value: str | None) -> None:
    """Store `value` encrypted in `column`, bound to this tenant and column."""
    setattr(conn, column, uow.runtime.secrets.seal(value, tenant_id=conn.tenant_id, field=_field(column)))


def unseal(uow: UnitOfWork, conn: Connection, column: str) -> str | None:
    """The plain value of an encrypted column."""
    return uow.runtime.secrets.open(
        getattr(conn, column), tenant_id=conn.tenant_id, field=_field(column)
    )


def _platform_credentials(uow: UnitOfWork) -> TwilioCredentials:
    creds = uow.runtime.twilio.platform_credentials
    if creds is None:
        raise PlatformNotConfigured()
    return creds


async def find_connection(*, uow: UnitOfWork, scope: TenantScope) -> Connection | None:
    """The tenant's stored connection, if any."""
    return await uow.repo(Connection, scope).find()


def default_connection(*, uow: UnitOfWork, scope: TenantScope) -> Connection:
    """The unsaved master-model connection a tenant has until it chooses one."""
    creds = uow.runtime.twilio.platform_credentials
    return Connection(
        id=uuid.uuid4(),
        tenant_id=scope.tenant_id,
        model="master",
        account_sid=creds.account_sid if creds else None,
        status="active" if creds else "pending",
    )


async def get_connection(*, uow: UnitOfWork, scope: TenantScope) -> Connection:
    """The tenant's connection (the default master one when none was chosen)."""
    return await find_connection(uow=uow, scope=scope) or default_connection(uow=uow, scope=scope)


async def _verify_account(
    uow: UnitOfWork, creds: TwilioCredentials, *, what: str
) -> None:
    """Fetch the account with these credentials; 422 invalid_credentials when Twilio says no."""
    client = uow.runtime.twilio.client(creds)

    async def fetch() -> object:
        return await client.api.v2010.accounts(creds.account_sid).fetch_async()

    try:
        account = await call_twilio(fetch, retry=True, action=f"verify {what}")
    except ApiError as exc:
        if exc.details.get("twilio_code") in (20003, 20404):
            raise Unprocessable(
                f"Twilio rejected the {what} for account {creds.account_sid}: check the account "
                "SID and the credential in the Twilio console",
                code="invalid_credentials",
                twilio_code=exc.details.get("twilio_code"),
            ) from exc
        raise
    status = getattr(account, "status", "active")
    if status != "active":
        raise Unprocessable(
            f"the Twilio account {creds.account_sid} is {status}", code="account_not_active"
        )


async def put_connection(*, uow: UnitOfWork, scope: TenantScope, data: ConnectionPut) -> Connection:
    """Choose the account model; byo credentials are verified at Twilio before anything is stored."""
    current = await find_connection(uow=uow, scope=scope)
    token = data.auth_token.get_secret_value() if data.auth_token else None
    key_secret = data.api_key_secret.get_secret_value() if data.api_key_secret else None

    if data.model == "byo":
        if not data.account_sid or not token:
            raise Unprocessable(
                "the byo model needs account_sid and auth_token (the auth token signs webhooks)",
                code="validation_error",
            )
        if bool(data.api_key_sid) != bool(key_secret):
            raise Unprocessable(
                "api_key_sid and api_key_secret go together", code="validation_error"
            )
        await _verify_account(
            uow, TwilioCredentials(account_sid=data.account_sid, auth_token=token), what="auth token"
        )
        if data.api_key_sid:
            await _verify_account(
                uow,
                TwilioCredentials(
                    account_sid=data.account_sid,
                    api_key_sid=data.api_key_sid,
                    api_key_secret=key_secret,
                ),
                what="API key",
            )
    else:
        if data.account_sid or token or data.api_key_sid or key_secret:
            raise Unprocessable(
                f"the {data.model} model takes no credentials", code="validation_error"
            )
        _platform_credentials(uow)

    if current is not None and current.status != "closed":
        target_sid = data.account_sid if data.model == "byo" else None
        moving = current.model != data.model or (
            data.model == "byo" and current.account_sid != target_sid
        )
        if moving:
            await _assert_movable(uow=uow, scope=scope, conn=current)

    conn = current or uow.repo(Connection, scope).add(
        Connection(id=uuid.uuid4(), model=data.model, status="pending")
    )
    rotated = False
    if data.model == "byo":
        same_account = conn.model == "byo" and conn.account_sid == data.account_sid
        if same_account and conn.auth_token and unseal(uow, conn, "auth_token") != token:
            # Keep the old token for the grace period: webhooks already in flight carry it.
            conn.previous_auth_token = None
            seal(uow, conn, "previous_auth_token", unseal(uow, conn, "auth_token"))
            conn.token_rotated_at = utcnow()
            rotated = True
        elif not same_account:
            conn.previous_auth_token = None
            conn.token_rotated_at = None
        conn.model = "byo"
        conn.account_sid = data.account_sid
        seal(uow, conn, "auth_token", token)
        conn.api_key_sid = data.api_key_sid
        seal(uow, conn, "api_key_secret", key_secret)
        conn.status = "active"
    elif data.model == "master":
        conn.model = "master"
        conn.account_sid = _platform_credentials(uow).account_sid
        conn.auth_token = conn.previous_auth_token = conn.api_key_secret = None
        conn.api_key_sid = None
        conn.status = "active"
    elif conn.model != "subaccount" or conn.status == "closed":
        # The subaccount itself is made on first need (ensure_account).
        conn.model = "subaccount"
        conn.account_sid = None
        conn.auth_token = conn.previous_auth_token = conn.api_key_secret = None
        conn.api_key_sid = None
        conn.status = "pending"
    conn.region = data.region
    conn.edge = data.edge
    record_audit(
        uow=uow, actor=scope.actor, action="connection.put", tenant_id=scope.tenant_id,
        target=conn.id,
        detail={"model": data.model, "account_sid": conn.account_sid, "token_rotated": rotated},
    )
    await uow.commit()
    return conn


async def _assert_movable(*, uow: UnitOfWork, scope: TenantScope, conn: Connection) -> None:
    """A tenant moves between account models only when nothing of it lives in the old account."""
    from callplane.connections.usage import resources_in_account  # late: feature modules register

    in_use = await resources_in_account(uow=uow, scope=scope)
    if in_use:
        raise Conflict(
            "the tenant still has resources in its current Twilio account "
            f"({', '.join(in_use)}); release or move them first",
            code="connection_in_use",
        )


async def ensure_account(*, uow: UnitOfWork, scope: TenantScope) -> Connection:
    """The tenant's connection with a usable account; a pending subaccount is created now."""
    conn = await find_connection(uow=uow, scope=scope)
    if conn is not None and conn.status == "active":
        return conn
    if conn is not None and conn.status == "closed":
        raise Conflict("the tenant's Twilio account is closed", code="connection_closed")
    # Concurrent first uses must make one row and one subaccount, not two.
    async with named_lock(uow, f"connection:{scope.tenant_id}"):
        conn = await find_connection(uow=uow, scope=scope)
        if conn is None:
            _platform_credentials(uow)
            conn = uow.repo(Connection, scope).add(default_connection(uow=uow, scope=scope))
            try:
                await uow.commit()
            except IntegrityError:  # another process inserted it first
                await uow.rollback()
                conn = await find_connection(uow=uow, scope=scope)
                assert conn is not None
            return conn
        await uow.session.refresh(conn)
        if conn.status == "closed":
            raise Conflict("the tenant's Twilio account is closed", code="connection_closed")
        if conn.status == "active":
            return conn
        if conn.model == "subaccount":
            await _create_subaccount(uow=uow, scope=scope, conn=conn)
        elif conn.model == "master":
            conn.account_sid = _platform_credentials(uow).account_sid
            conn.status = "active"
        await uow.commit()
    return conn


def subaccount_friendly_name(tenant_id: uuid.UUID) -> str:
    """The name that lets a lost subaccount be found again."""
    return f"callplane tenant {tenant_id}"


async def _create_subaccount(*, uow: UnitOfWork, scope: TenantScope, conn: Connection) -> None:
    client = uow.runtime.twilio.client(_platform_credentials(uow))
    name = subaccount_friendly_name(scope.tenant_id)

    async def find_existing() -> list[object]:
        return await client.api.v2010.accounts.list_async(friendly_name=name, status="active")

    # Creating is not idempotent at Twilio: look for one made before a crash first.
    existing = await call_twilio(find_existing, retry=True, action="find subaccount")
    if existing:
        account = existing[0]
    else:
        async def create() -> object:
            return await client.api.v2010.accounts.create_async(friendly_name=name)

        account = await call_twilio(create, retry=False, action="create subaccount")
    conn.account_sid = account.sid  # type: ignore[attr-defined]
    seal(uow, conn, "auth_token", account.auth_token)  # type: ignore[attr-defined]
    conn.status = "active"
    record_audit(
        uow=uow, actor=scope.actor, action="connection.subaccount_created",
        tenant_id=scope.tenant_id, target=conn.account_sid,
    )
    log.info("subaccount ready", tenant_id=str(scope.tenant_id), account_sid=conn.account_sid)


def credentials(uow: UnitOfWork, conn: Connection) -> TwilioCredentials:
    """Credentials for REST calls in the connection's account."""
    if conn.model == "master":
        return _platform_credentials(uow)
    if conn.account_sid is None:
        raise Conflict("the tenant's Twilio account is not ready", code="connection_pending")
    return TwilioCredentials(
        account_sid=conn.account_sid,
        auth_token=unseal(uow, conn, "auth_token"),
        api_key_sid=conn.api_key_sid,
        api_key_secret=unseal(uow, conn, "api_key_secret"),
        region=conn.region,
        edge=conn.edge,
    )


async def check_health(*, uow: UnitOfWork, scope: TenantScope) -> Connection:
    """Fetch the account once and record HEALTHY, DEGRADED, DOWN or NOT_CONFIGURED."""
    conn = await find_connection(uow=uow, scope=scope)
    if conn is None:
        conn = uow.repo(Connection, scope).add(default_connection(uow=uow, scope=scope))
    status, latency, detail = await probe(uow=uow, conn=conn)
    conn.health_status, conn.health_latency_ms, conn.health_detail = status, latency, detail
    conn.health_checked_at = utcnow()
    await uow.commit()
    return conn


async def probe(*, uow: UnitOfWork, conn: Connection) -> tuple[str, int | None, str | None]:
    """(status, latency_ms, detail) of one account fetch with the connection's credentials."""
    if conn.status in ("pending",) or (conn.model == "master" and not uow.runtime.twilio.platform_credentials):
        return "NOT_CONFIGURED", None, "no Twilio account yet"
    if conn.status == "closed":
        return "DOWN", None, "the Twilio account is closed"
    creds = credentials(uow, conn)
    client = uow.runtime.twilio.client(creds)
    started = time.perf_counter()
    try:
        account = await client.api.v2010.accounts(creds.account_sid).fetch_async()
    except TwilioRestException as exc:
        latency = int((time.perf_counter() - started) * 1000)
        if exc.status in (401, 403) or exc.code in (20003, 20005, 20404):
            return "DOWN", latency, f"Twilio refused the credentials ({exc.code})"
        return "DEGRADED", latency, f"Twilio answered an error ({exc.code})"
    except Exception as exc:  # transport failures: record them, a health check never raises
        latency = int((time.perf_counter() - started) * 1000)
        return "DOWN", latency, f"Twilio unreachable: {type(exc).__name__}"
    latency = int((time.perf_counter() - started) * 1000)
    if account.status != "active":
        return "DOWN", latency, f"the Twilio account is {account.status}"
    if latency > DEGRADED_AFTER_MS:
        return "DEGRADED", latency, f"slow: {latency} ms"
    return "HEALTHY", latency, None


async def close_account(*, uow: UnitOfWork, scope: TenantScope) -> None:
    """On offboarding: close a subaccount at Twilio (a closed one releases its numbers)."""
    conn = await find_connection(uow=uow, scope=scope)
    if conn is None or conn.model != "subaccount" or conn.account_sid is None or conn.status == "closed":
        return
    client = uow.runtime.twilio.client(_platform_credentials(uow))
    sid = conn.account_sid

    async def close() -> object:
        return await client.api.v2010.accounts(sid).update_async(status="closed")

    try:
        await call_twilio(close, retry=True, action="close subaccount")
    except ApiError as exc:
        if exc.details.get("twilio_code") != 20404:
            raise
    conn.status = "closed"
    record_audit(
        uow=uow, actor=scope.actor, action="connection.subaccount_closed",
        tenant_id=scope.tenant_id, target=sid,
    )
    await uow.commit()


__all__ = [
    "check_health",
    "close_account",
    "credentials",
    "ensure_account",
    "get_connection",
    "put_connection",
]
