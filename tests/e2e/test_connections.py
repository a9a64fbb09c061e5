"""Connections in the three account models, against the sandbox through the real SDK."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import func, select

from callplane.connections import service as connections
from callplane.connections.models import Connection
from callplane.errors import Conflict
from tests.fixtures.api import Api, stored_webhook_tokens


async def _byo_account(api: Api, name: str = "Tenant Own") -> dict:
    async with httpx.AsyncClient() as http:
        r = await http.post(
            f"{api.runtime.settings.twilio_base_url}/__sandbox/accounts",
            json={"friendly_name": name},
        )
    r.raise_for_status()
    return r.json()


async def test_default_is_master_with_platform_account(api: Api) -> None:
    t = await api.tenant()
    r = await api.client.get(f"/v1/tenants/{t.id}/connection", headers=t.headers("member"))
    assert r.status_code == 200
    body = r.json()
    assert body["model"] == "master"
    assert body["account_sid"] == api.runtime.settings.twilio_account_sid
    assert body["health"]["status"] == "NOT_CONFIGURED"
    r = await api.client.post(f"/v1/tenants/{t.id}/connection/health", headers=t.headers())
    assert r.status_code == 200 and r.json()["status"] == "HEALTHY"
    assert r.json()["latency_ms"] is not None


async def test_byo_verified_before_storing_and_secrets_write_only(api: Api) -> None:
    t = await api.tenant()
    acct = await _byo_account(api)
    wrong = {"model": "byo", "account_sid": acct["sid"], "auth_token": "0" * 32}
    r = await api.client.put(f"/v1/tenants/{t.id}/connection", json=wrong, headers=t.headers())
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "invalid_credentials"
    assert r.json()["error"]["twilio_code"] == 20003
    async with api.runtime.uow() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(Connection)) == 0

    good = {"model": "byo", "account_sid": acct["sid"], "auth_token": acct["auth_token"]}
    r = await api.client.put(f"/v1/tenants/{t.id}/connection", json=good, headers=t.headers())
    assert r.status_code == 200, r.text
    assert r.json()["model"] == "byo" and r.json()["account_sid"] == acct["sid"]
    assert acct["auth_token"] not in r.text
    r = await api.client.get(f"/v1/tenants/{t.id}/connection", headers=t.headers())
    assert acct["auth_token"] not in r.text and "auth_token" not in r.json()
    async with api.runtime.uow() as uow:
        row = (await uow.session.execute(select(Connection))).scalar_one()
        assert row.auth_token and row.auth_token.startswith("v1:t1:")
        assert acct["auth_token"] not in row.auth_token
    r = await api.client.post(f"/v1/tenants/{t.id}/connection/health", headers=t.headers())
    assert r.json()["status"] == "HEALTHY"


async def test_byo_with_api_key(api: Api) -> None:
    t = await api.tenant()
    acct = await _byo_account(api)
    from callplane.twilio.client import build_client

    client = build_client(
        account_sid=acct["sid"],
        auth_token=acct["auth_token"],
        base_url=api.runtime.settings.twilio_base_url,
    )
    key = await client.api.v2010.accounts(acct["sid"]).new_keys.create_async(
        friendly_name="callplane"
    )
    body = {
        "model": "byo",
        "account_sid": acct["sid"],
        "auth_token": acct["auth_token"],
        "api_key_sid": key.sid,
        "api_key_secret": key.secret,
    }
    r = await api.client.put(f"/v1/tenants/{t.id}/connection", json=body, headers=t.headers())
    assert r.status_code == 200, r.text
    assert r.json()["api_key_sid"] == key.sid and key.secret not in r.text
    r = await api.client.put(
        f"/v1/tenants/{t.id}/connection",
        json={**body, "api_key_secret": "x" * 32},
        headers=t.headers(),
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_credentials"


async def test_webhook_tokens_are_the_stored_token(api: Api) -> None:
    t = await api.tenant()
    acct = await _byo_account(api)
    body = {"model": "byo", "account_sid": acct["sid"], "auth_token": acct["auth_token"]}
    await api.client.put(f"/v1/tenants/{t.id}/connection", json=body, headers=t.headers())
    async with api.runtime.uow() as uow:
        conn = await connections.get_connection(uow=uow, scope=t.scope)
        assert stored_webhook_tokens(uow.runtime, conn) == [acct["auth_token"]]


async def test_subaccount_created_lazily_once(api: Api) -> None:
    t = await api.tenant()
    r = await api.client.put(
        f"/v1/tenants/{t.id}/connection", json={"model": "subaccount"}, headers=t.headers()
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "pending" and r.json()["account_sid"] is None
    async with api.runtime.uow() as uow:
        conn = await connections.ensure_account(uow=uow, scope=t.scope)
        sid = conn.account_sid
    async with api.runtime.uow() as uow:
        again = await connections.ensure_account(uow=uow, scope=t.scope)
        assert again.account_sid == sid
    r = await api.client.get(f"/v1/tenants/{t.id}/connection", headers=t.headers())
    assert r.json()["account_sid"] == sid and r.json()["status"] == "active"
    async with httpx.AsyncClient() as http:
        state = (await http.get(f"{api.runtime.settings.twilio_base_url}/__sandbox/state")).json()
    subs = [
        a
        for a in state["accounts"]
        if a.get("owner_account_sid") == api.runtime.settings.twilio_account_sid
        and a["sid"] != api.runtime.settings.twilio_account_sid
    ]
    assert [a["sid"] for a in subs] == [sid]
    r = await api.client.delete(f"/v1/tenants/{t.id}", headers=api.platform)
    assert r.status_code == 200
    async with httpx.AsyncClient() as http:
        state = (await http.get(f"{api.runtime.settings.twilio_base_url}/__sandbox/state")).json()
    closed = next(a for a in state["accounts"] if a["sid"] == sid)
    assert closed["status"] == "closed"
    # A closed account is never silently replaced by a new subaccount.
    async with api.runtime.uow() as uow:
        with pytest.raises(Conflict):
            await connections.ensure_account(uow=uow, scope=t.scope)


async def test_concurrent_first_use_makes_one_subaccount(api: Api) -> None:
    t = await api.tenant()
    await api.client.put(
        f"/v1/tenants/{t.id}/connection", json={"model": "subaccount"}, headers=t.headers()
    )

    async def ensure() -> str | None:
        async with api.runtime.uow() as uow:
            return (await connections.ensure_account(uow=uow, scope=t.scope)).account_sid

    sids = await asyncio.gather(*(ensure() for _ in range(5)))
    assert len(set(sids)) == 1
    async with httpx.AsyncClient() as http:
        state = (await http.get(f"{api.runtime.settings.twilio_base_url}/__sandbox/state")).json()
    main = api.runtime.settings.twilio_account_sid
    assert [
        a["sid"]
        for a in state["accounts"]
        if a["sid"] != main and a.get("owner_account_sid") == main
    ] == [sids[0]]


async def test_model_without_credentials_refuses_credentials(api: Api) -> None:
    t = await api.tenant()
    r = await api.client.put(
        f"/v1/tenants/{t.id}/connection",
        json={"model": "master", "auth_token": "a" * 32},
        headers=t.headers(),
    )
    assert r.status_code == 422
    r = await api.client.put(
        f"/v1/tenants/{t.id}/connection",
        json={"model": "byo", "account_sid": "AC123", "auth_token": "a" * 32},
        headers=t.headers(),
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"
    r = await api.client.put(
        f"/v1/tenants/{t.id}/connection", json={"model": "byo"}, headers=t.headers()
    )
    assert r.status_code == 422


async def test_a_token_that_is_not_printable_ascii_is_refused(api: Api) -> None:
    # It cannot be sent to Twilio at all (Basic auth is latin-1): 422, never a 500.
    t = await api.tenant()
    for field, extra in (("auth_token", {}), ("api_key_secret", {"api_key_sid": "SK" + "1" * 32})):
        body = {"model": "byo", "account_sid": "AC" + "0" * 32, field: "abcdefghijklmnop\U000e3d51"}
        r = await api.client.put(
            f"/v1/tenants/{t.id}/connection", json=body | extra, headers=t.headers()
        )
        assert r.status_code == 422, r.text
        assert r.json()["error"]["code"] == "invalid_credentials"
        assert [f["field"] for f in r.json()["error"]["fields"]] == [field]
