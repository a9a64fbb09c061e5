"""The benchmark's world: seeded databases (callplane's and the naive handlers') and signed
webhooks for every seeded number.

Tenants of 100 numbers each; every fifth tenant on its own ("byo") Twilio account with an
encrypted token, the others on the platform account; one stream agent per tenant, with no events
URL (nothing goes to the outbox). Rows are inserted in bulk: this is load for a benchmark, not
state a test relies on. The first tenant (on the platform account, 100 numbers) gets an admin
API key for the API's figures.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import random
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

PUBLIC_BASE = "https://bench.callplane.test"
PLATFORM_SID = "AC" + "b" * 32
PLATFORM_TOKEN = hashlib.sha256(b"bench-platform").hexdigest()[:32]
ENCRYPTION_KEYS = "bench:" + base64.b64encode(hashlib.sha256(b"bench-key").digest()).decode()
VOICE_PATH = "/webhooks/twilio/voice"
NUMBERS_PER_TENANT = 100
STREAM_URL = "wss://ai.example.com/stream?voice=alloy"
AREA_CODES = (415, 212, 646, 312, 617, 206, 303, 512, 305, 404)
CALLER = "+12125550199"


def e164_of(i: int) -> str:
    """The i-th seeded number: valid NANP numbers spread over ten area codes."""
    area = AREA_CODES[i % len(AREA_CODES)]
    rest = i // len(AREA_CODES)
    exchange = 200 + (rest // 10_000) % 800
    return f"+1{area}{exchange:03d}{rest % 10_000:04d}"


def tenant_account(j: int) -> tuple[str, str, str]:
    """(model, account SID, auth token) of the j-th tenant: every fifth is byo."""
    if j % 5 == 4:
        digest = hashlib.sha256(f"byo-{j}".encode()).hexdigest()
        return "byo", "AC" + digest[:32], digest[32:64]
    return "master", PLATFORM_SID, PLATFORM_TOKEN


def tenant_id_of(j: int) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"bench-tenant-{j}")


def agent_id_of(j: int) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"bench-agent-{j}")


def service_env(database_url: str, twilio_base_url: str | None = None) -> dict[str, str]:
    """callplane's settings for the benchmark's world (nothing about logging or jobs)."""
    env = {
        "CALLPLANE_DATABASE_URL": database_url,
        "CALLPLANE_PUBLIC_BASE_URL": PUBLIC_BASE,
        "CALLPLANE_TWILIO_ACCOUNT_SID": PLATFORM_SID,
        "CALLPLANE_TWILIO_AUTH_TOKEN": PLATFORM_TOKEN,
        "CALLPLANE_ENCRYPTION_KEYS": ENCRYPTION_KEYS,
    }
    if twilio_base_url:
        env["CALLPLANE_TWILIO_BASE_URL"] = twilio_base_url
    return env


@dataclass
class Seeded:
    """What the figures of a seeded database need."""

    numbers: int
    tenant_id: str  # the first tenant: platform account, 100 numbers
    agent_id: str
    api_key: str  # its admin key


async def seed_callplane(database_url: str, count: int) -> Seeded:
    """Tenants, subscriptions, connections, agents and `count` active numbers; an admin key."""
    from sqlalchemy import insert, text

    from callplane.agents.models import Agent
    from callplane.agents.service import SECRET_FIELD
    from callplane.connections.models import Connection
    from callplane.db import models, rls  # noqa: F401  (every table registered)
    from callplane.db.base import utcnow
    from callplane.numbers.models import PhoneNumber
    from callplane.runtime import Runtime
    from callplane.settings import Settings
    from callplane.tenancy import SYSTEM, Role
    from callplane.tenants.models import Plan, Subscription, Tenant
    from callplane.tenants.service import create_api_key

    env = service_env(database_url)
    rt = Runtime.create(
        Settings(**{k.removeprefix("CALLPLANE_").lower(): v for k, v in env.items()})
    )
    now = utcnow()
    tenants = max(1, (count + NUMBERS_PER_TENANT - 1) // NUMBERS_PER_TENANT)
    connection_ids = [uuid.uuid4() for _ in range(tenants)]
    try:
        async with rt.engine.begin() as conn:
            await rls.apply(conn, rls.PLATFORM_SCOPE)  # row-level security: every tenant
            await conn.execute(
                insert(Plan.__table__),
                [
                    {
                        "name": "bench",
                        "quota_phone_numbers": 1000,
                        "created_at": now,
                        "updated_at": now,
                    }
                ],
            )
            for start in range(0, tenants, 1000):
                rows: dict[str, list[dict[str, Any]]] = {"t": [], "s": [], "c": [], "a": []}
                for j in range(start, min(tenants, start + 1000)):
                    tid = tenant_id_of(j)
                    model, sid, token = tenant_account(j)
                    rows["t"].append(
                        {
                            "id": tid,
                            "slug": f"bench-{j}",
                            "name": f"Bench {j}",
                            "status": "active",
                            "created_at": now,
                            "updated_at": now,
                        }
                    )
                    rows["s"].append(
                        {
                            "id": uuid.uuid4(),
                            "tenant_id": tid,
                            "plan_name": "bench",
                            "status": "active",
                            "cancel_at_period_end": False,
                            "created_at": now,
                            "updated_at": now,
                        }
                    )
                    sealed = (
                        rt.secrets.seal(token, tenant_id=tid, field="connections.auth_token")
                        if model == "byo"
                        else None
                    )
                    rows["c"].append(
                        {
                            "id": connection_ids[j],
                            "tenant_id": tid,
                            "model": model,
                            "account_sid": sid,
                            "auth_token": sealed,
                            "status": "active",
                            "created_at": now,
                            "updated_at": now,
                        }
                    )
                    rows["a"].append(
                        {
                            "id": agent_id_of(j),
                            "tenant_id": tid,
                            "name": "Receptionist",
                            "voice_mode": "stream",
                            "stream_url": STREAM_URL,
                            "stream_parameters": {"lang": "en", "plan": "pro"},
                            "record": False,
                            "sms_mode": "none",
                            "events_secret": rt.secrets.seal(
                                "whsec_bench", tenant_id=tid, field=SECRET_FIELD
                            ),
                            "created_at": now,
                            "updated_at": now,
                        }
                    )
                for table, key in (
                    (Tenant, "t"),
                    (Subscription, "s"),
                    (Connection, "c"),
                    (Agent, "a"),
                ):
                    await conn.execute(insert(table.__table__), rows[key])
            for start in range(0, count, 5000):
                numbers = []
                for i in range(start, min(count, start + 5000)):
                    j = i // NUMBERS_PER_TENANT
                    numbers.append(
                        {
                            "id": uuid.uuid4(),
                            "tenant_id": tenant_id_of(j),
                            "connection_id": connection_ids[j],
                            "account_sid": tenant_account(j)[1],
                            "e164": e164_of(i),
                            "twilio_sid": "PN" + uuid.uuid4().hex,
                            "country": "US",
                            "type": "local",
                            "capabilities": {"voice": True, "sms": True, "mms": False},
                            "status": "active",
                            "agent_id": agent_id_of(j),
                            "managed": True,
                            "origin": "purchased",
                            "purchased_at": now,
                            "created_at": now,
                            "updated_at": now,
                        }
                    )
                await conn.execute(insert(PhoneNumber.__table__), numbers)
        async with rt.engine.connect() as conn:
            await conn.execute(text("ANALYZE"))
            await conn.commit()
        async with rt.uow() as uow:
            _, key = await create_api_key(
                uow=uow, actor=SYSTEM, role=Role.admin, tenant_id=tenant_id_of(0), name="bench"
            )
    finally:
        await rt.close()
    return Seeded(count, str(tenant_id_of(0)), str(agent_id_of(0)), key)


def seed_naive(database_url: str, count: int) -> None:
    """The naive handlers' tables, holding the same `count` numbers as callplane's."""
    from sqlalchemy import insert

    from bench.naive import db

    db.create_tables(database_url)
    engine = db.sync_engine(database_url)
    try:
        with engine.begin() as conn:
            for start in range(0, count, 5000):
                rows = []
                for i in range(start, min(count, start + 5000)):
                    j = i // NUMBERS_PER_TENANT
                    _, sid, token = tenant_account(j)
                    rows.append(
                        db.number_row(
                            e164_of(i), sid, token, tenant_id_of(j), agent_id_of(j), STREAM_URL
                        )
                    )
                conn.execute(insert(db.Number), rows)
    finally:
        engine.dispose()


def webhook_form(i: int) -> dict[str, str]:
    """Twilio's form for an inbound call to the i-th number (its full ~25 fields)."""
    _, sid, _ = tenant_account(i // NUMBERS_PER_TENANT)
    to = e164_of(i)
    return {
        "AccountSid": sid,
        "ApiVersion": "2010-04-01",
        "CallSid": "CA" + hashlib.md5(f"call-{i}".encode()).hexdigest(),
        "CallStatus": "ringing",
        "Called": to,
        "CalledCity": "SAN FRANCISCO",
        "CalledCountry": "US",
        "CalledState": "CA",
        "CalledZip": "94105",
        "Caller": CALLER,
        "CallerCity": "NEW YORK",
        "CallerCountry": "US",
        "CallerState": "NY",
        "CallerZip": "10001",
        "Direction": "inbound",
        "From": CALLER,
        "FromCity": "NEW YORK",
        "FromCountry": "US",
        "FromState": "NY",
        "FromZip": "10001",
        "To": to,
        "ToCity": "SAN FRANCISCO",
        "ToCountry": "US",
        "ToState": "CA",
        "ToZip": "94105",
    }


def signed_lines(count: int, seed: int = 20) -> list[str]:
    """`signature<TAB>form body` of a voice webhook for every one of the first `count` numbers,
    each once, in a fixed shuffled order (consecutive calls go to different tenants)."""
    from twilio.request_validator import RequestValidator

    order = list(range(count))
    random.Random(seed).shuffle(order)
    validators: dict[str, RequestValidator] = {}
    lines = []
    for i in order:
        token = tenant_account(i // NUMBERS_PER_TENANT)[2]
        params = webhook_form(i)
        validator = validators.setdefault(token, RequestValidator(token))
        signature = validator.compute_signature(PUBLIC_BASE + VOICE_PATH, params)
        lines.append(f"{signature}\t{urlencode(params)}")
    return lines


def write_lines(path: Path, count: int) -> list[str]:
    """Signed webhooks for the first `count` numbers, written where wrk's script reads them."""
    lines = signed_lines(count)
    path.write_text("\n".join(lines) + "\n")
    return lines


def seed_all(database_url: str, count: int, naive_url: str | None) -> Seeded:
    """Seed callplane's database (and the naive tables, if asked) with `count` numbers."""
    seeded = asyncio.run(seed_callplane(database_url, count))
    if naive_url:
        seed_naive(naive_url, count)
    return seeded
