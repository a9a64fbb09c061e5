"""The Twilio accounts a job visits, and paging through an account's numbers.

Tenants are grouped by account: the master account once for every master-model tenant, each
subaccount, and each byo account once however many tenants share it. Every Twilio call of a job
goes through `JobTwilio.call`, which bounds concurrency (CALLPLANE_TWILIO_CONCURRENCY), retries
20429/5xx with backoff (`call_twilio`) and counts the calls.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import func, select
from twilio.http.response import Response

from callplane.connections import access
from callplane.connections.models import Connection, ConnectionStatus
from callplane.db.uow import UnitOfWork
from callplane.errors import ApiError
from callplane.log import get_logger
from callplane.numbers.models import PhoneNumber
from callplane.numbers.states import HELD_STATUSES
from callplane.runtime import Runtime
from callplane.tenants.models import Tenant, TenantStatus
from callplane.twilio.errors import call_twilio
from callplane.twilio.factory import TwilioCredentials

log = get_logger(__name__)
T = TypeVar("T")

PAGE_SIZE = 1000  # Twilio's maximum
AUTH_CODES = {20003, 20005}


@dataclass
class AccountTarget:
    """One Twilio account to visit, the tenants it serves, and credentials that may reach it."""

    account_sid: str
    kind: str  # master|subaccount|byo
    tenant_ids: list[uuid.UUID] = field(default_factory=list)
    credentials: list[TwilioCredentials] = field(default_factory=list)
    held: int = 0  # numbers the database holds there (to visit big accounts first)

    def add_credentials(self, creds: TwilioCredentials) -> None:
        """Another way in (a tenant sharing a byo account may hold a newer token)."""
        if all(
            (c.auth_token, c.api_key_sid, c.api_key_secret)
            != (creds.auth_token, creds.api_key_sid, creds.api_key_secret)
            for c in self.credentials
        ):
            self.credentials.append(creds)


class JobTwilio:
    """Twilio calls of one job run: bounded, retried, counted."""

    def __init__(self, runtime: Runtime, concurrency: int | None = None) -> None:
        self.runtime = runtime
        self.concurrency = concurrency or runtime.settings.twilio_concurrency
        self.slots = asyncio.Semaphore(self.concurrency)
        self.calls = 0
        self._http: Any = None

    def client(self, creds: TwilioCredentials) -> Any:
        """An SDK client for these credentials on the run's kept-alive connections."""
        if self._http is None:
            self._http = self.runtime.twilio.pooled_http()
        return self.runtime.twilio.client(creds, http_client=self._http)

    async def close(self) -> None:
        """Close the run's connections."""
        if self._http is not None:
            http, self._http = self._http, None
            await http.close()

    async def call(self, op: Callable[[], Awaitable[T]], *, retry: bool, action: str) -> T:
        """Run one Twilio operation under the concurrency bound (each attempt is counted)."""

        async def counted() -> T:
            self.calls += 1
            return await op()

        async with self.slots:
            return await call_twilio(counted, retry=retry, action=action)


def _raise_for(version: Any, uri: str, response: Response) -> None:
    # The SDK's paging raises a bare TwilioException on errors, without Twilio's code: rebuild
    # the TwilioRestException so that retries and error mapping see the status and the code.
    if response.status_code != 200:
        raise version.exception("GET", uri, response, "Unable to fetch page")


async def list_numbers(
    jt: JobTwilio, account: AccountTarget
) -> tuple[dict[str, dict[str, Any]], int, TwilioCredentials]:
    """Every IncomingPhoneNumber of the account by E.164, the pages read, and the credentials used.

    One API call per page of 1000. Credentials Twilio refuses (20003) are skipped for the next
    candidate; any other failure after retries raises the mapped ApiError.
    """
    last: ApiError | None = None
    for creds in account.credentials:
        client = jt.client(creds)
        version = client.api.v2010
        uri = f"/Accounts/{account.account_sid}/IncomingPhoneNumbers.json"
        found: dict[str, dict[str, Any]] = {}
        pages = 0
        try:
            next_url: str | None = None
            while True:
                if next_url is None:

                    async def first(version: Any = version, uri: str = uri) -> Response:
                        resp = await version.page_async("GET", uri, params={"PageSize": PAGE_SIZE})
                        _raise_for(version, uri, resp)
                        return resp

                    resp = await jt.call(first, retry=True, action="list numbers")
                else:

                    async def following(version: Any = version, url: str = next_url) -> Response:
                        resp = await version.domain.twilio.request_async("GET", url)
                        _raise_for(version, url, resp)
                        return resp

                    resp = await jt.call(following, retry=True, action="list numbers")
                # Parsed once the call's slot is free for the next call.
                payload = json.loads(resp.text)
                pages += 1
                for rec in payload.get("incoming_phone_numbers") or []:
                    e164 = rec.get("phone_number")
                    if e164:
                        found[e164] = rec
                nxt = payload.get("next_page_uri")
                if not nxt:
                    return found, pages, creds
                next_url = version.domain.absolute_url(nxt)
        except ApiError as exc:
            if exc.details.get("twilio_code") in AUTH_CODES:
                last = exc
                continue
            raise
    if last is not None:
        raise last
    raise ApiError("no credentials for this account", code="no_credentials")


async def plan_accounts(
    *, uow: UnitOfWork, tenant_id: uuid.UUID | None = None
) -> tuple[list[AccountTarget], list[uuid.UUID]]:
    """The accounts to visit (biggest first) and the tenants that have none to visit.

    Offboarded tenants are left out (their numbers are released, not compared); tenants whose
    subaccount is not made yet, or closed, have no account to visit.
    """
    stmt = select(Tenant.id).where(Tenant.status != TenantStatus.offboarded)
    if tenant_id is not None:
        stmt = stmt.where(Tenant.id == tenant_id)
    tenant_ids = list((await uow.session.execute(stmt)).scalars())
    wanted = set(tenant_ids)
    conn_stmt = select(Connection)
    if tenant_id is not None:
        conn_stmt = conn_stmt.where(Connection.tenant_id == tenant_id)
    conns = {
        c.tenant_id: c
        for c in (await uow.session.execute(conn_stmt)).scalars()
        if c.tenant_id in wanted
    }
    platform = access.platform_credentials(uow)
    targets: dict[str, AccountTarget] = {}
    idle: list[uuid.UUID] = []
    for tid in tenant_ids:
        conn = conns.get(tid)
        if conn is None or conn.model == "master":
            if platform is None:
                idle.append(tid)
                continue
            target = targets.setdefault(
                platform.account_sid, AccountTarget(platform.account_sid, "master")
            )
            target.add_credentials(platform)
            target.tenant_ids.append(tid)
            continue
        if conn.status != ConnectionStatus.active or not conn.account_sid:
            idle.append(tid)
            continue
        try:
            creds = access.credentials(uow, conn)
        except Exception as exc:  # noqa: BLE001 - a secret no key opens: report, visit the others
            log.warning(
                "connection credentials unusable", tenant_id=str(tid), error=type(exc).__name__
            )
            idle.append(tid)
            continue
        target = targets.setdefault(conn.account_sid, AccountTarget(conn.account_sid, conn.model))
        target.add_credentials(creds)
        parent = access.parent_credentials(uow, conn.account_sid)
        if conn.model == "subaccount" and parent is not None:
            # The parent's token reaches a subaccount's v2010 resources too.
            target.add_credentials(parent)
        target.tenant_ids.append(tid)
    if targets:
        counts = await uow.session.execute(
            select(PhoneNumber.account_sid, func.count())
            .where(PhoneNumber.status.in_(HELD_STATUSES))
            .group_by(PhoneNumber.account_sid)
        )
        for sid, count in counts:
            if sid in targets:
                targets[sid].held = int(count)
    ordered = sorted(targets.values(), key=lambda t: (-t.held, t.account_sid))
    return ordered, idle
