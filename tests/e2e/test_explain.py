"""`GET /v1/routes/explain` and `callplane explain`: every step of a routing decision."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys

from callplane.connections import service as connections
from callplane.tenants.schemas import TenantPatch
from callplane.tenants.service import update_tenant
from tests.fixtures.api import stored_webhook_tokens
from tests.fixtures.gateway import GatewayKit
from tests.fixtures.logscan import record_output

SIP = {"mode": "sip", "sip_uri": "sip:bot@voice.example.com"}


async def explain(gw: GatewayKit, to: str, account_sid: str | None = None) -> dict:
    params = {"to": to, **({"account_sid": account_sid} if account_sid else {})}
    r = await gw.api.client.get("/v1/routes/explain", params=params, headers=gw.api.platform)
    assert r.status_code == 200, r.text
    return r.json()


def step(result: dict, name: str) -> dict:
    return next(s for s in result["steps"] if s["step"] == name)


async def test_routed_number_explains_every_step_and_the_exact_twiml(gw: GatewayKit) -> None:
    tenant, account = await gw.tenant("byo")
    agent_id, _ = await gw.agent(tenant, voice=SIP, sms={"mode": "reply", "reply": "Hi!"})
    held = await gw.buy(tenant, agent_id)
    national = f"({held.e164[2:5]}) {held.e164[5:8]}-{held.e164[8:]}"
    result = await explain(gw, "+1 " + national)
    assert result["e164"] == held.e164 and result["account_sid"] == account
    assert result["tenant_id"] == str(tenant.id) and result["agent_id"] == str(agent_id)
    names = [s["step"] for s in result["steps"]]
    assert names == [
        "number_format",
        "account_given",
        "account",
        "signature",
        "number",
        "trunk",
        "tenant",
        "subscription",
        "agent",
        "fallback",
        "decision",
    ]
    assert all(s["ok"] for s in result["steps"])
    assert step(result, "account")["data"]["connections"][0]["model"] == "byo"
    assert step(result, "signature")["data"]["tokens"] == 1
    assert result["voice"]["outcome"] == "routed" and result["voice"]["reason"] == "sip"
    assert result["sms"]["reason"] == "sms_reply" and result["webhooks_called"] is True
    # The TwiML explained is the TwiML Twilio gets.
    answer = await gw.inbound_call(held.e164)
    assert answer["twiml"] == result["voice"]["twiml"]
    assert (await gw.inbound_sms(held.e164))["twiml"] == result["sms"]["twiml"]
    # No secret is ever part of an explanation.
    async with gw.api.runtime.uow() as uow:
        conn = await connections.get_connection(uow=uow, scope=tenant.scope)
        (token,) = stored_webhook_tokens(uow.runtime, conn)
    assert token not in json.dumps(result)


async def test_why_not(gw: GatewayKit) -> None:
    tenant, _ = await gw.tenant("master")
    await gw.agent(tenant, voice=SIP)
    held = await gw.buy(tenant, None)

    r = await explain(gw, held.e164)
    assert r["voice"]["reason"] == "no_agent" and not step(r, "agent")["ok"]

    r = await explain(gw, "not a number")
    assert r["e164"] is None and not step(r, "number_format")["ok"]
    assert r["voice"]["reason"] == "invalid_number"

    r = await explain(gw, "+14155550000")
    assert r["voice"]["reason"] == "unknown_number" and not step(r, "number")["ok"]

    _, other_account = await gw.tenant("byo")
    r = await explain(gw, held.e164, other_account)
    assert r["voice"]["outcome"] == "unrouted" and r["voice"]["reason"] == "unknown_number"
    assert f"not in {other_account}" in step(r, "number")["summary"]

    r = await explain(gw, held.e164, "AC" + "0" * 32)
    assert r["voice"]["outcome"] == "refused" and not step(r, "account")["ok"]
    assert "403" in step(r, "account")["summary"]

    async with gw.api.runtime.uow() as uow:
        await update_tenant(uow=uow, scope=tenant.scope, data=TenantPatch(status="suspended"))
    r = await explain(gw, held.e164)
    assert r["voice"]["outcome"] == "rejected" and r["voice"]["reason"] == "tenant_suspended"
    assert not step(r, "tenant")["ok"]

    await gw.release(held)
    r = await explain(gw, held.e164)
    history = step(r, "history")
    assert history["data"]["status"] == "released" and history["data"]["release_reason"] == "user"


async def test_explain_needs_a_platform_key(gw: GatewayKit) -> None:
    tenant, _ = await gw.tenant("master")
    r = await gw.api.client.get(
        "/v1/routes/explain", params={"to": "+14155550100"}, headers=tenant.headers()
    )
    assert r.status_code == 403
    r = await gw.api.client.get("/v1/routes/explain", params={"to": "+14155550100"})
    assert r.status_code == 401
    r = await gw.api.client.get(
        "/v1/routes/explain", params={"to": "+1", "account_sid": "nope"}, headers=gw.api.platform
    )
    assert r.status_code == 422


async def _run(cmd: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = await asyncio.to_thread(
        subprocess.run, cmd, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    record_output(" ".join(cmd[1:]), done.stderr + done.stdout)
    return done


async def test_cli_explain(gw: GatewayKit) -> None:
    tenant, account = await gw.tenant("master")
    agent_id, _ = await gw.agent(tenant, voice=SIP)
    held = await gw.buy(tenant, agent_id)
    settings = gw.api.runtime.settings
    env = {
        **os.environ,
        "CALLPLANE_DATABASE_URL": settings.database_url,
        "CALLPLANE_ENCRYPTION_KEYS": settings.encryption_keys.get_secret_value(),  # type: ignore[union-attr]
        "CALLPLANE_TWILIO_ACCOUNT_SID": str(settings.twilio_account_sid),
        "CALLPLANE_TWILIO_AUTH_TOKEN": gw.platform_token,
        "CALLPLANE_PUBLIC_BASE_URL": settings.public_base_url,
    }
    cmd = [sys.executable, "-m", "callplane.cli", "explain", "--to", held.e164]
    done = await _run(cmd, env)
    assert done.returncode == 0, done.stderr
    assert f"Routing for {held.e164}" in done.stdout
    assert (
        "Voice: routed [sip]" in done.stdout
        and "<Sip>sip:bot@voice.example.com</Sip>" in done.stdout
    )
    assert gw.platform_token not in done.stdout + done.stderr
    done = await _run([*cmd, "--account-sid", account, "--json"], env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["voice"]["reason"] == "sip"
