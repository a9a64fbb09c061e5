"""Delivering tenant events to webhook endpoints: durable, signed, retried, in order per call.

Three steps per pass, each its own transaction in the platform database scope:

1. carry: outbox rows of purpose `endpoints` that a version before 2026-12-06 left (it carried
   the gateway's events here that way) become their tenant events;
2. fan out: each new tenant event gets one delivery per endpoint subscribed to its type at that
   moment (the gateway writes a webhook's tenant events in the webhook's own transaction,
   gateway/recorder; other features add theirs with `service.emit`, in their own transaction);
3. deliver: due deliveries are claimed with a lease as the gateway outbox claims its rows, and
   a delivery waits while an earlier one of the same endpoint and call (`order_key`) is not
   done, so a receiver sees a call's events in order, however long it was down.

Every attempt is logged (`webhook_attempts`). An endpoint failing without a success for
`webhook_failure_window_seconds` is disabled, with an `endpoint.disabled` event.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import httpx
from prometheus_client import Counter
from sqlalchemy import Connection, Table, and_, bindparam, exists, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from callplane import __version__
from callplane.db import rls
from callplane.db.base import utcnow
from callplane.db.plans import plan_each_execution, taken
from callplane.events.carry import (
    DELIVERIES,
    ENDPOINTS,
    EVENTS,
    carry_and_fan_out,
)
from callplane.events.models import WebhookAttempt
from callplane.events.service import PREVIOUS_FIELD, SECRET_FIELD, envelope
from callplane.gateway import event_signature
from callplane.gateway.outbox import DeliveryPolicy, PollingWorker
from callplane.gateway.store import GatewayStore
from callplane.log import get_logger
from callplane.runtime import Runtime
from callplane.security.public_urls import (
    check_public_url,
    public_http_client,
    refused_at_send,
)

log = get_logger(__name__)

ATTEMPTS = Counter("callplane_webhook_attempts_total", "Webhook endpoint attempts", ["result"])
# Carried and fanned out per pass, in a handful of statements whatever the count: under a burst
# of webhooks a pass per-row cost a thread hop per statement inside a write transaction, and
# the gateway's group commit waited for it (SQLite: webhooks fell from ~2,300/s to ~420/s).
BATCHES_PER_PASS = 10

ATTEMPT_LOG = cast(Table, WebhookAttempt.__table__)

# The claim's statements, built once: a pass runs every ~0.1 s under load, and an alias of a
# table built per pass made new columns in reference cycles, garbage for the collector whose
# young collections stall every request in flight (docs/benchmarks.md, twenty-first pass).
_d = DELIVERIES.c
_earlier = DELIVERIES.alias("earlier").c
_ep = ENDPOINTS.c
# Still to try: the condition of the pending deliveries' indexes (migration 0015).
_PENDING = (_d.delivered_at.is_(None), _d.failed_at.is_(None))
_DUE = (
    *_PENDING,
    _d.next_attempt_at <= bindparam("b_now"),
    exists(select(_ep.id).where(_ep.id == _d.endpoint_id, _ep.enabled.is_(True))),
    # Waits while an earlier delivery of the same endpoint and call is not done.
    or_(
        _d.order_key.is_(None),
        ~exists(
            select(_earlier.id).where(
                _earlier.endpoint_id == _d.endpoint_id,
                _earlier.order_key == _d.order_key,
                _earlier.delivered_at.is_(None),
                _earlier.failed_at.is_(None),
                or_(
                    _earlier.event_at < _d.event_at,
                    and_(_earlier.event_at == _d.event_at, _earlier.id < _d.id),
                ),
            )
        ),
    ),
)
_ANY_DUE = select(_d.id).where(*_DUE).limit(1)


def _claiming(*, skip_locked: bool) -> Any:
    ids = select(_d.id).where(*_DUE).order_by(_d.next_attempt_at).limit(bindparam("b_limit"))
    if skip_locked:
        ids = ids.with_for_update(of=DELIVERIES, skip_locked=True)
    return (
        update(DELIVERIES)
        .where(taken(ids, _d.id, as_array=skip_locked), *_PENDING)
        .values(
            lease=bindparam("b_lease"),
            attempts=_d.attempts + 1,
            next_attempt_at=bindparam("b_until"),
        )
    )


_CLAIM = {pg: _claiming(skip_locked=pg) for pg in (False, True)}  # by "on PostgreSQL"
_CLAIMED = (
    select(
        _d.id,
        _d.tenant_id,
        _d.endpoint_id,
        _d.event_id,
        _d.type,
        _d.attempts,
        _d.created_at,
        EVENTS.c.body,
        _ep.url,
        _ep.secret,
        _ep.previous_secret,
        _ep.previous_until,
    )
    .join(EVENTS, EVENTS.c.id == _d.event_id)
    .join(ENDPOINTS, _ep.id == _d.endpoint_id)
    # Still to try, as every row just leased is: read through the index of those alone.
    .where(_d.lease == bindparam("b_lease"), *_PENDING)
)


def claim_due(conn: Connection, *, now: datetime, limit: int, lease_seconds: float) -> list[Any]:
    """Up to `limit` due deliveries leased until `lease_seconds` from `now`, read whole with
    their event and endpoint, in the caller's transaction (platform scope)."""
    plan_each_execution(conn)
    if conn.execute(_ANY_DUE, {"b_now": now}).first() is None:
        return []
    lease = uuid.uuid4().hex
    params = {
        "b_now": now,
        "b_limit": limit,
        "b_lease": lease,
        "b_until": now + timedelta(seconds=lease_seconds),
    }
    conn.execute(_CLAIM[conn.dialect.name == "postgresql"], params)
    return list(conn.execute(_CLAIMED, {"b_lease": lease}).all())


@dataclass(frozen=True)
class _Claimed:
    id: uuid.UUID
    tenant_id: uuid.UUID
    endpoint_id: uuid.UUID
    event_id: uuid.UUID
    type: str
    attempts: int
    created_at: datetime
    body: str
    url: str
    secrets: tuple[str, ...]


@dataclass(frozen=True)
class _Outcome:
    row: _Claimed
    status: int | None
    error: str | None
    latency_ms: int | None


class EndpointWorker(PollingWorker):
    """The background task that delivers tenant events to webhook endpoints."""

    task_name = "callplane-webhook-endpoints"
    pass_name = "webhook pass failed"
    # Woken by every webhook's commit: a burst's rows are let gather and carried in one pass.
    gather_seconds = 0.1

    def __init__(
        self,
        runtime: Runtime,
        store: GatewayStore,
        policy: DeliveryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(runtime, policy, transport)
        self.store = store

    async def run_once(self) -> int:
        """Carry, fan out, then try each due delivery once; returns how many were tried."""
        await self._carry_and_fan_out()
        claimed = await self._claim()
        if not claimed:
            return 0
        semaphore = asyncio.Semaphore(self.policy.concurrency)
        settings = self.runtime.settings
        async with public_http_client(
            allow_private=settings.allow_private_urls,
            timeout=self.policy.timeout,
            transport=self.transport,
            headers={"User-Agent": f"callplane/{__version__}"},
        ) as http:

            async def attempt(row: _Claimed) -> _Outcome:
                async with semaphore:
                    return await self._send(http, row)

            outcomes = await asyncio.gather(*(attempt(row) for row in claimed))
        await self._settle(outcomes)
        return len(claimed)

    # -- 1. carry and 2. fan out (events/carry.py) --------------------------------------------

    async def _carry_and_fan_out(self) -> None:
        limit = self.policy.batch_size * BATCHES_PER_PASS
        await self.store.write(lambda conn: carry_and_fan_out(conn, limit))

    # -- 3. deliver ----------------------------------------------------------------------------

    async def _claim(self) -> list[_Claimed]:
        now = utcnow()
        async with self.runtime.engine.begin() as conn:
            await rls.apply(conn, rls.PLATFORM_SCOPE)
            rows = await conn.run_sync(
                claim_due, now=now, limit=self.policy.batch_size, lease_seconds=self.policy.lease
            )
        return [self._claimed(row, now) for row in rows]

    def _claimed(self, row: Any, now: datetime) -> _Claimed:
        box = self.runtime.secrets
        secrets = [box.open(row.secret, tenant_id=row.tenant_id, field=SECRET_FIELD)]
        if row.previous_secret and row.previous_until and now < row.previous_until:
            secrets.append(
                box.open(row.previous_secret, tenant_id=row.tenant_id, field=PREVIOUS_FIELD)
            )
        return _Claimed(
            id=row.id,
            tenant_id=row.tenant_id,
            endpoint_id=row.endpoint_id,
            event_id=row.event_id,
            type=row.type,
            attempts=row.attempts,
            created_at=row.created_at,
            body=row.body,
            url=row.url,
            secrets=tuple(s for s in secrets if s),
        )

    async def _send(self, http: httpx.AsyncClient, row: _Claimed) -> _Outcome:
        body = row.body.encode()
        headers = {
            "Content-Type": "application/json",
            event_signature.HEADER: event_signature.sign_all(list(row.secrets), body),
            "Callplane-Event-Id": str(row.event_id),
            "Callplane-Event-Type": row.type,
            "Callplane-Delivery-Attempt": str(row.attempts),
        }
        started = time.perf_counter()
        try:
            # Every spelling of a private address is refused by name here (httpx reads some
            # itself); the guarded client checks again the address it connects to.
            allow = self.runtime.settings.allow_private_urls
            await asyncio.to_thread(check_public_url, row.url, allow_private=allow)
            response = await http.post(row.url, content=body, headers=headers)
        except Exception as exc:  # noqa: BLE001 - a bad URL or transport fails this attempt only
            refused = refused_at_send(exc)
            error = (
                f"url_not_allowed: {refused.message}"
                if refused is not None
                else f"{type(exc).__name__}: {exc}"
            )
            return _Outcome(row, None, error[:500], _ms(started))
        latency = _ms(started)
        if 200 <= response.status_code < 300:
            return _Outcome(row, response.status_code, None, latency)
        # A redirect is not followed (it could point anywhere, a private address included).
        return _Outcome(row, response.status_code, f"HTTP {response.status_code}", latency)

    async def _settle(self, outcomes: list[_Outcome]) -> None:
        now = utcnow()
        d = DELIVERIES.c
        window = timedelta(seconds=self.runtime.settings.webhook_failure_window_seconds)
        async with self.runtime.engine.begin() as conn:
            await rls.apply(conn, rls.PLATFORM_SCOPE)
            for outcome in outcomes:
                row = outcome.row
                await conn.execute(
                    insert(ATTEMPT_LOG).values(
                        id=uuid.uuid4(),
                        tenant_id=row.tenant_id,
                        endpoint_id=row.endpoint_id,
                        delivery_id=row.id,
                        event_id=row.event_id,
                        type=row.type,
                        attempt=row.attempts,
                        status_code=outcome.status,
                        latency_ms=outcome.latency_ms,
                        error=outcome.error,
                        at=now,
                    )
                )
                values: dict[str, Any] = {"lease": None, "last_status": outcome.status}
                if outcome.error is None:
                    values.update(delivered_at=now, last_error=None)
                    ATTEMPTS.labels(result="delivered").inc()
                    await conn.execute(
                        update(ENDPOINTS)
                        .where(ENDPOINTS.c.id == row.endpoint_id)
                        .where(ENDPOINTS.c.failing_since.is_not(None))
                        .values(failing_since=None)
                    )
                else:
                    values["last_error"] = outcome.error
                    if now - row.created_at > self.policy.max_age:
                        values["failed_at"] = now
                        ATTEMPTS.labels(result="given_up").inc()
                    else:
                        delay = self.policy.backoff(row.attempts)
                        values["next_attempt_at"] = now + timedelta(seconds=delay)
                        ATTEMPTS.labels(result="retry").inc()
                    await _failed(conn, row, now, window)
                await conn.execute(update(DELIVERIES).where(d.id == row.id).values(**values))


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


async def _failed(conn: AsyncConnection, row: _Claimed, now: datetime, window: timedelta) -> None:
    """The endpoint failed once more: since when it fails; disabled past the window."""
    ep = ENDPOINTS.c
    found = (
        await conn.execute(
            select(ep.failing_since, ep.enabled, ep.url).where(ep.id == row.endpoint_id)
        )
    ).first()
    if found is None:
        return
    since = found.failing_since
    if since is None:
        await conn.execute(
            update(ENDPOINTS).where(ep.id == row.endpoint_id).values(failing_since=now)
        )
        return
    if not found.enabled or now - since < window:
        return
    reason = f"failing since {since.isoformat()}"
    await conn.execute(
        update(ENDPOINTS)
        .where(ep.id == row.endpoint_id)
        .values(enabled=False, disabled_reason=reason[:200], updated_at=now)
    )
    ident = uuid.uuid4()
    data = {"endpoint_id": str(row.endpoint_id), "url": found.url, "reason": reason}
    await conn.execute(
        insert(EVENTS).values(
            id=ident,
            tenant_id=row.tenant_id,
            type="endpoint.disabled",
            order_key=None,
            created_at=now,
            fanned_out_at=None,
            only_endpoint_id=None,
            body=envelope(
                event_id=ident,
                event_type="endpoint.disabled",
                created_at=now,
                tenant_id=row.tenant_id,
                data=data,
            ),
        )
    )
    log.warning(
        "webhook endpoint disabled after failing too long",
        tenant_id=str(row.tenant_id),
        endpoint_id=str(row.endpoint_id),
        failing_since=since.isoformat(),
    )
