"""Delivering outbox rows to tenants' apps: signed, retried with backoff, never blocking Twilio.

The rows live in the database (written in the webhook's own transaction), so a tenant app that
is down gets its events once it is back, and a restarted service carries on where it stopped.
Several replicas share the work: a row is claimed with a lease (one UPDATE that only takes rows
that are due, `FOR UPDATE SKIP LOCKED` on PostgreSQL); a worker that dies mid-delivery leaves
the row to be claimed again when the lease ends. Delivery is at least once: receivers dedupe by
the event `id` (also sent as `Callplane-Event-Id`).
"""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from prometheus_client import Counter
from sqlalchemy import bindparam, select, update

from callplane import __version__
from callplane.agents import service as agents
from callplane.agents.models import Agent
from callplane.db import rls
from callplane.db.base import utcnow
from callplane.db.plans import plan_each_execution, taken
from callplane.gateway import event_signature
from callplane.gateway.events import OUTBOX
from callplane.log import get_logger
from callplane.runtime import Runtime
from callplane.security.public_urls import public_http_client, refused_at_send

log = get_logger(__name__)

DELIVERIES = Counter("callplane_outbox_deliveries_total", "Outbox delivery attempts", ["result"])

# The claim's statements, built once (a pass runs every ~0.1 s under load: built per pass,
# each was new work for SQLAlchemy and new garbage for the collector).
_c = OUTBOX.c
_DUE = (
    _c.delivered_at.is_(None),
    _c.failed_at.is_(None),
    _c.next_attempt_at <= bindparam("b_now"),
    # Rows for the tenant's webhook endpoints are carried by events/delivery.py.
    _c.purpose != "endpoints",
)
_ANY_DUE = select(_c.id).where(*_DUE).limit(1)


def _claiming(*, skip_locked: bool) -> Any:
    ids = select(_c.id).where(*_DUE).order_by(_c.next_attempt_at).limit(bindparam("b_limit"))
    if skip_locked:
        ids = ids.with_for_update(skip_locked=True)
    return (
        update(OUTBOX)
        .where(taken(ids, _c.id, as_array=skip_locked), *_DUE)
        .values(
            lease=bindparam("b_lease"),
            attempts=_c.attempts + 1,
            next_attempt_at=bindparam("b_until"),
        )
    )


_CLAIM = {pg: _claiming(skip_locked=pg) for pg in (False, True)}  # by "on PostgreSQL"
_CLAIMED = select(
    _c.id, _c.tenant_id, _c.event_id, _c.agent_id, _c.url, _c.payload, _c.attempts, _c.created_at
).where(_c.lease == bindparam("b_lease"))


@dataclass
class DeliveryPolicy:
    """Retry schedule and limits of the outbox worker."""

    poll_interval: float = 1.0  # seconds between looks for due rows (new rows wake it at once)
    batch_size: int = 50
    concurrency: int = 16
    timeout: float = 10.0
    lease: float = 60.0  # a claimed row is retried after this long if its worker vanished
    base_backoff: float = 2.0  # first retry after ~2 s, doubling, capped
    max_backoff: float = 600.0
    max_age: timedelta = timedelta(days=3)  # then the row is given up (failed_at)

    def backoff(self, attempts: int) -> float:
        """Seconds to wait after the `attempts`-th failure (with +-20% jitter)."""
        delay = min(self.max_backoff, self.base_backoff * (2.0 ** max(0, attempts - 1)))
        return delay * random.uniform(0.8, 1.2)


@dataclass(frozen=True)
class _Claimed:
    id: uuid.UUID
    tenant_id: uuid.UUID
    event_id: uuid.UUID
    agent_id: uuid.UUID | None
    url: str
    payload: str
    attempts: int
    created_at: datetime


class PollingWorker:
    """A background loop that runs passes over durable rows: at once when woken, else polling."""

    task_name = "callplane-worker"
    pass_name = "worker pass"
    gather_seconds = 0.0  # after a wake, before the pass: rows written meanwhile join it

    def __init__(
        self,
        runtime: Runtime,
        policy: DeliveryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.runtime = runtime
        self.policy = policy or DeliveryPolicy()
        self.transport = transport
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def start(self) -> None:
        """Run the loop in the background."""
        if self._task is None or self._task.done():
            self._stopping = False
            self._task = asyncio.get_running_loop().create_task(self._loop(), name=self.task_name)

    async def stop(self) -> None:
        """Stop the loop (a pass under way finishes; what is left waits in the database)."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout=self.policy.timeout + 5)
            except (TimeoutError, asyncio.CancelledError):
                self._task.cancel()
            self._task = None

    def wake(self) -> None:
        """Look for work now (new rows were just committed)."""
        self._wake.set()

    async def run_once(self) -> int:
        """One pass; returns how many rows it handled."""
        raise NotImplementedError

    async def _loop(self) -> None:
        while not self._stopping:
            try:
                handled = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - the loop survives a database hiccup
                log.warning(self.pass_name, error=type(exc).__name__, detail=str(exc)[:200])
                handled = 0
            if self._stopping:
                break
            if handled >= self.policy.batch_size:
                continue
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.policy.poll_interval)
            except TimeoutError:
                pass
            if self.gather_seconds and self._wake.is_set() and not self._stopping:
                await asyncio.sleep(self.gather_seconds)
            self._wake.clear()


class OutboxWorker(PollingWorker):
    """The background task that delivers due outbox rows."""

    task_name = "callplane-outbox"
    pass_name = "outbox pass failed"

    def __init__(
        self,
        runtime: Runtime,
        policy: DeliveryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(runtime, policy, transport)
        self._client: httpx.AsyncClient | None = None
        self._client_transport: object = None

    async def stop(self) -> None:
        """Stop the loop (rows being delivered finish; unclaimed ones wait in the database)."""
        await super().stop()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    # -- one pass ----------------------------------------------------------------------------

    def _http(self) -> httpx.AsyncClient:
        if self._client is None or self._client_transport is not self.transport:
            old = self._client
            # Tenant URLs: public addresses only, checked at each connection (DNS may change).
            self._client = public_http_client(
                allow_private=self.runtime.settings.allow_private_urls,
                transport=self.transport,
                timeout=self.policy.timeout,
                headers={"User-Agent": f"callplane/{__version__}"},
            )
            self._client_transport = self.transport
            if old is not None:
                asyncio.get_running_loop().create_task(old.aclose())
        return self._client

    async def run_once(self) -> int:
        """Claim due rows and try each once; returns how many were tried."""
        claimed = await self._claim()
        if not claimed:
            return 0
        secrets = await self._secrets({c.agent_id for c in claimed if c.agent_id})
        semaphore = asyncio.Semaphore(self.policy.concurrency)

        async def attempt(row: _Claimed) -> tuple[_Claimed, int | None, str | None]:
            async with semaphore:
                return await self._send(row, secrets.get(row.agent_id) if row.agent_id else None)

        outcomes = await asyncio.gather(*(attempt(row) for row in claimed))
        await self._settle(outcomes)
        return len(claimed)

    async def _claim(self) -> list[_Claimed]:
        now = utcnow()
        lease = uuid.uuid4().hex
        async with self.runtime.engine.begin() as conn:
            await rls.apply(conn, rls.PLATFORM_SCOPE)  # the worker delivers for every tenant
            await conn.run_sync(plan_each_execution)
            # A cheap look first: an idle pass writes nothing (and takes no write lock).
            if (await conn.execute(_ANY_DUE, {"b_now": now})).first() is None:
                return []
            await conn.execute(
                _CLAIM[conn.dialect.name == "postgresql"],
                {
                    "b_now": now,
                    "b_limit": self.policy.batch_size,
                    "b_lease": lease,
                    "b_until": now + timedelta(seconds=self.policy.lease),
                },
            )
            rows = (await conn.execute(_CLAIMED, {"b_lease": lease})).all()
        return [_Claimed(*row) for row in rows]

    async def _secrets(self, agent_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str | None]:
        ids = list(agent_ids)
        if not ids:
            return {}
        found: dict[uuid.UUID, str | None] = {}
        async with self.runtime.uow() as uow:
            rows = (await uow.session.execute(select(Agent).where(Agent.id.in_(ids)))).scalars()
            for agent in rows:
                try:
                    found[agent.id] = agents.events_secret(self.runtime.secrets, agent)
                except Exception as exc:  # noqa: BLE001 - a broken secret fails its rows only
                    log.error(
                        "cannot open an agent's events secret",
                        agent_id=str(agent.id),
                        error=type(exc).__name__,
                    )
        return found

    async def _send(
        self, row: _Claimed, secret: str | None
    ) -> tuple[_Claimed, int | None, str | None]:
        """(row, HTTP status or None, error or None) of one attempt."""
        if secret is None:
            return row, None, "the agent (and its signing secret) no longer exists"
        body = row.payload.encode()
        headers = {
            "Content-Type": "application/json",
            event_signature.HEADER: event_signature.sign(secret, body),
            "Callplane-Event-Id": str(row.event_id),
            "Callplane-Delivery-Attempt": str(row.attempts),
        }
        try:
            response = await self._http().post(row.url, content=body, headers=headers)
        except Exception as exc:  # noqa: BLE001 - a bad URL or transport fails this row only
            refused = refused_at_send(exc)
            if refused is not None:
                return row, None, f"url_not_allowed: {refused.message[:200]}"
            return row, None, f"{type(exc).__name__}: {str(exc)[:200]}"
        if 200 <= response.status_code < 300:
            return row, response.status_code, None
        return row, response.status_code, f"HTTP {response.status_code}"

    async def _settle(self, outcomes: list[tuple[_Claimed, int | None, str | None]]) -> None:
        now = utcnow()
        table = OUTBOX
        c = table.c
        async with self.runtime.engine.begin() as conn:
            await rls.apply(conn, rls.PLATFORM_SCOPE)
            for row, status, error in outcomes:
                values: dict[str, Any] = {"lease": None, "last_status": status}
                if error is None:
                    values.update(delivered_at=now, last_error=None)
                    DELIVERIES.labels(result="delivered").inc()
                else:
                    values["last_error"] = error[:500]
                    gone = row.agent_id is None or "no longer exists" in error
                    if gone or now - row.created_at > self.policy.max_age:
                        values["failed_at"] = now
                        DELIVERIES.labels(result="given_up").inc()
                        log.warning(
                            "outbox row given up",
                            outbox_id=str(row.id),
                            tenant_id=str(row.tenant_id),
                            error=error,
                        )
                    else:
                        delay = self.policy.backoff(row.attempts)
                        values["next_attempt_at"] = now + timedelta(seconds=delay)
                        DELIVERIES.labels(result="retry").inc()
                        log.info(
                            "outbox delivery failed; will retry",
                            outbox_id=str(row.id),
                            tenant_id=str(row.tenant_id),
                            attempts=row.attempts,
                            retry_in_s=round(delay, 2),
                            error=error,
                        )
                await conn.execute(update(table).where(c.id == row.id).values(**values))
