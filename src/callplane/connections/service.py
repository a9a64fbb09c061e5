"""Tenants' Twilio connections in the three account models of DESIGN section 2."""

from __future__ import annotations

import time
import uuid
from typing import Any

from sqlalchemy.exc import IntegrityError
from twilio.base.exceptions import TwilioRestException

from callplane.connections import access
from callplane.connections.models import Connection, ConnectionStatus
from callplane.connections.schemas import ConnectionPut
from callplane.db.audit import record_audit
from callplane.db.base import utcnow
from callplane.db.locks import named_lock
from callplane.db.uow import UnitOfWork
from callplane.errors import ApiError, Conflict, Unprocessable
from callplane.events.service import health_changed
from callplane.log import get_logger
from callplane.tenancy import TenantScope
from callplane.twilio.errors import call_twilio, create_once
from callplane.twilio.factory import TwilioCredentials

log = get_logger(__name__)

DEGRADED_AFTER_MS = 2000


async def find_connection(*, uow: UnitOfWork, scope: TenantScope) -> Connection | None:
    """The tenant's stored connection, if any."""
    return await uow.repo(Connection, scope).find()


def default_connection(*, uow: UnitOfWork, scope: TenantScope) -> Connection:
    """The unsaved master-model connection a tenant has until it chooses one."""
    creds = access.platform_credentials(uow)
    return Connection(
        id=uuid.uuid4(),
        tenant_id=scope.tenant_id,
        model="master",
        account_sid=creds.account_sid if creds else None,
        status=ConnectionStatus.active if creds else ConnectionStatus.pending,
    )


async def get_connection(*, uow: UnitOfWork, scope: TenantScope) -> Connection:
    """The tenant's connection (the default master one when none was chosen)."""
    return await find_connection(uow=uow, scope=scope) or default_connection(uow=uow, scope=scope)


async def _verify_account(uow: UnitOfWork, creds: TwilioCredentials, *, what: str) -> None:
    """Fetch the account with these credentials; 422 invalid_credentials when Twilio says no."""
    client = access.twilio_client(uow, creds)

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
        await _verify_byo(uow, data, token, key_secret)
    else:
        if data.account_sid or token or data.api_key_sid or key_secret:
            raise Unprocessable(
                f"the {data.model} model takes no credentials", code="validation_error"
            )
        access.require_platform(uow)
    if current is not None and _moves(current, data):
        await _assert_movable(uow=uow, scope=scope, conn=current)

    conn = current or uow.repo(Connection, scope).add(
        Connection(id=uuid.uuid4(), model=data.model, status=ConnectionStatus.pending)
    )
    rotated = False
    if data.model == "byo":
        rotated = _become_byo(uow, conn, data, token, key_secret)
    elif data.model == "master":
        conn.model = "master"
        conn.account_sid = access.require_platform(uow).account_sid
        _forget_credentials(conn)
        conn.status = ConnectionStatus.active
    elif conn.model != "subaccount" or conn.status == ConnectionStatus.closed:
        # The subaccount itself is made on first need (ensure_account).
        conn.model = "subaccount"
        conn.account_sid = None
        _forget_credentials(conn)
        conn.status = ConnectionStatus.pending
    conn.region = data.region
    conn.edge = data.edge
    record_audit(
        uow=uow,
        actor=scope.actor,
        action="connection.put",
        tenant_id=scope.tenant_id,
        target=conn.id,
        detail={"model": data.model, "account_sid": conn.account_sid, "token_rotated": rotated},
    )
    await uow.commit()
    return conn


async def _verify_byo(
    uow: UnitOfWork, data: ConnectionPut, token: str | None, key_secret: str | None
) -> None:
    """A byo connection's credentials, complete and accepted by Twilio (422 otherwise)."""
    if not data.account_sid or not token:
        raise Unprocessable(
            "the byo model needs account_sid and auth_token (the auth token signs webhooks)",
            code="validation_error",
        )
    if bool(data.api_key_sid) != bool(key_secret):
        raise Unprocessable("api_key_sid and api_key_secret go together", code="validation_error")
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


def _moves(current: Connection, data: ConnectionPut) -> bool:
    """Whether the change leaves the tenant's current (usable) account."""
    if current.status == ConnectionStatus.closed:
        return False
    target_sid = data.account_sid if data.model == "byo" else None
    return current.model != data.model or (
        data.model == "byo" and current.account_sid != target_sid
    )


def _become_byo(
    uow: UnitOfWork,
    conn: Connection,
    data: ConnectionPut,
    token: str | None,
    key_secret: str | None,
) -> bool:
    """Store verified byo credentials; whether the auth token was rotated."""
    rotated = False
    same_account = conn.model == "byo" and conn.account_sid == data.account_sid
    if same_account and conn.auth_token and access.unseal(uow, conn, "auth_token") != token:
        # Keep the old token for the grace period: webhooks already in flight carry it.
        conn.previous_auth_token = None
        access.seal(uow, conn, "previous_auth_token", access.unseal(uow, conn, "auth_token"))
        conn.token_rotated_at = utcnow()
        rotated = True
    elif not same_account:
        conn.previous_auth_token = None
        conn.token_rotated_at = None
    conn.model = "byo"
    conn.account_sid = data.account_sid
    access.seal(uow, conn, "auth_token", token)
    conn.api_key_sid = data.api_key_sid
    access.seal(uow, conn, "api_key_secret", key_secret)
    conn.status = ConnectionStatus.active
    return rotated


def _forget_credentials(conn: Connection) -> None:
    conn.auth_token = conn.previous_auth_token = conn.api_key_secret = None
    conn.api_key_sid = None


async def _assert_movable(*, uow: UnitOfWork, scope: TenantScope, conn: Connection) -> None:
    """A tenant moves between account models only when nothing of it lives in the old account."""
    from callplane.connections.usage import resources_in_account  # late: it reads the features

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
    if conn is not None and conn.status == ConnectionStatus.active:
        return conn
    if conn is not None and conn.status == ConnectionStatus.closed:
        raise Conflict("the tenant's Twilio account is closed", code="connection_closed")
    # Concurrent first uses must make one row and one subaccount, not two.
    async with named_lock(uow, f"connection:{scope.tenant_id}"):
        conn = await find_connection(uow=uow, scope=scope)
        if conn is None:
            access.require_platform(uow)
            conn = uow.repo(Connection, scope).add(default_connection(uow=uow, scope=scope))
            try:
                await uow.commit()
            except IntegrityError:  # another process inserted it first
                await uow.rollback()
                conn = await find_connection(uow=uow, scope=scope)
                assert conn is not None
            return conn
        await uow.session.refresh(conn)
        if conn.status == ConnectionStatus.closed:
            raise Conflict("the tenant's Twilio account is closed", code="connection_closed")
        if conn.status == ConnectionStatus.active:
            return conn
        if conn.model == "subaccount":
            await _create_subaccount(uow=uow, scope=scope, conn=conn)
        elif conn.model == "master":
            conn.account_sid = access.require_platform(uow).account_sid
            conn.status = ConnectionStatus.active
        await uow.commit()
    return conn


def subaccount_friendly_name(tenant_id: uuid.UUID) -> str:
    """The name that lets a lost subaccount be found again."""
    return f"callplane tenant {tenant_id}"


async def _made_subaccount(client: Any, tenant_id: uuid.UUID) -> Any | None:
    """The tenant's active subaccount at Twilio, found by its name, if one was made."""
    name = subaccount_friendly_name(tenant_id)

    async def find() -> list[Any]:
        found: list[Any] = await client.api.v2010.accounts.list_async(
            friendly_name=name, status="active"
        )
        return found

    found = await call_twilio(find, retry=True, action="find subaccount")
    return found[0] if found else None


async def _create_subaccount(*, uow: UnitOfWork, scope: TenantScope, conn: Connection) -> None:
    client = access.platform_client(uow)
    name = subaccount_friendly_name(scope.tenant_id)

    async def made() -> Any | None:
        return await _made_subaccount(client, scope.tenant_id)

    # Creating is not idempotent at Twilio: look for one made before a crash first, and again
    # when the create fails after Twilio may have made it.
    account: Any = await made()
    if account is None:

        async def create() -> Any:
            return await client.api.v2010.accounts.create_async(friendly_name=name)

        account = await create_once(create, find=made, action="create subaccount")
    conn.account_sid = account.sid
    access.seal(uow, conn, "auth_token", account.auth_token)
    conn.status = ConnectionStatus.active
    record_audit(
        uow=uow,
        actor=scope.actor,
        action="connection.subaccount_created",
        tenant_id=scope.tenant_id,
        target=conn.account_sid,
    )
    log.info("subaccount ready", tenant_id=str(scope.tenant_id), account_sid=conn.account_sid)


async def check_health(*, uow: UnitOfWork, scope: TenantScope) -> Connection:
    """Fetch the account once and record HEALTHY, DEGRADED, DOWN or NOT_CONFIGURED."""
    conn = await find_connection(uow=uow, scope=scope)
    if conn is None:
        conn = uow.repo(Connection, scope).add(default_connection(uow=uow, scope=scope))
    status, latency, detail = await probe(uow=uow, conn=conn)
    health_changed(
        uow, tenant_id=scope.tenant_id, previous=conn.health_status, status=status, detail=detail
    )
    conn.health_status, conn.health_latency_ms, conn.health_detail = status, latency, detail
    conn.health_checked_at = utcnow()
    await uow.commit()
    return conn


async def probe(*, uow: UnitOfWork, conn: Connection) -> tuple[str, int | None, str | None]:
    """(status, latency_ms, detail) of one account fetch with the connection's credentials."""
    unconfigured = conn.model == "master" and access.platform_credentials(uow) is None
    if conn.status == ConnectionStatus.pending or unconfigured:
        return "NOT_CONFIGURED", None, "no Twilio account yet"
    if conn.status == ConnectionStatus.closed:
        return "DOWN", None, "the Twilio account is closed"
    creds = access.credentials(uow, conn)
    client = access.twilio_client(uow, creds)
    started = time.perf_counter()
    try:
        account = await client.api.v2010.accounts(creds.account_sid).fetch_async()
    except TwilioRestException as exc:
        latency = int((time.perf_counter() - started) * 1000)
        if exc.status in (401, 403) or exc.code in (20003, 20005, 20404):
            return "DOWN", latency, f"Twilio refused the credentials ({exc.code})"
        return "DEGRADED", latency, f"Twilio answered an error ({exc.code})"
    except Exception as exc:  # noqa: BLE001 - a health check records failures, never raises
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
    if conn is None or conn.model != "subaccount" or conn.status == ConnectionStatus.closed:
        return
    if conn.account_sid is None and access.platform_credentials(uow) is None:
        return  # never made: nothing could make it
    client = access.platform_client(uow)
    sid = conn.account_sid
    if sid is None:
        # Still pending: a create may have failed after Twilio made the subaccount.
        made = await _made_subaccount(client, scope.tenant_id)
        if made is None:
            return
        sid = str(made.sid)

    async def close() -> object:
        return await client.api.v2010.accounts(sid).update_async(status="closed")

    try:
        await call_twilio(close, retry=True, action="close subaccount")
    except ApiError as exc:
        if exc.details.get("twilio_code") != 20404:
            raise
    conn.status = ConnectionStatus.closed
    record_audit(
        uow=uow,
        actor=scope.actor,
        action="connection.subaccount_closed",
        tenant_id=scope.tenant_id,
        target=sid,
    )
    await uow.commit()
