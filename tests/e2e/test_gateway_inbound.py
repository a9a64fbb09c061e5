"""The sandbox's inbound simulation end to end: Twilio signs and posts the webhook to the number's
URL, the gateway verifies, routes and answers. Every voice mode and SMS mode, in each account
model (master, subaccount, byo)."""

from __future__ import annotations

import asyncio
import uuid
from xml.etree import ElementTree

import pytest
from sqlalchemy import select

from callplane.gateway import event_signature
from callplane.tenants.models import Subscription
from callplane.tenants.schemas import SubscriptionPut, TenantPatch
from callplane.tenants.service import put_subscription, update_tenant
from callplane.trunks import service as trunks
from tests.fixtures.api import stored_webhook_tokens
from tests.fixtures.gateway import APP_URL, GatewayKit

MODELS = ["master", "subaccount", "byo"]


def xml(text: str) -> ElementTree.Element:
    return ElementTree.fromstring(text.split("?>", 1)[1] if text.startswith("<?xml") else text)


@pytest.mark.parametrize("model", MODELS)
async def test_every_voice_mode_in_each_account_model(gw: GatewayKit, model: str) -> None:
    tenant, account = await gw.tenant(model)
    agent_id, secret = await gw.agent(tenant)
    held = await gw.buy(tenant, agent_id)
    assert held.account_sid == account

    answer = await gw.inbound_call(held.e164)
    assert answer["url"] == f"{gw.public_base}/webhooks/twilio/voice" and answer["status"] == 200
    stream = xml(answer["twiml"]).find("Connect/Stream")
    assert stream is not None and stream.get("url") == "wss://ai.example.com/stream"
    params = {p.get("name"): p.get("value") for p in stream.findall("Parameter")}
    assert params["tenant_id"] == str(tenant.id) and params["agent_id"] == str(agent_id)
    assert params["number"] == held.e164 and params["lang"] == "en"

    # Each change of the agent is seen by the very next call (nothing stale is served).
    await gw.update_agent(
        tenant, agent_id, voice={"mode": "sip", "sip_uri": "sip:bot@voice.example.com"}
    )
    root = xml((await gw.inbound_call(held.e164))["twiml"])
    assert root.find("Dial/Sip").text == "sip:bot@voice.example.com"  # type: ignore[union-attr]

    await gw.update_agent(
        tenant,
        agent_id,
        voice={
            "mode": "forward",
            "forward_to": "+14155550111",
            "caller_id": held.e164,
            "whisper": "A call from your website",
            "record": True,
        },
    )
    root = xml((await gw.inbound_call(held.e164))["twiml"])
    dial = root.find("Dial")
    assert dial is not None and dial.get("callerId") == held.e164 and dial.get("record")
    whisper_url = dial.find("Number").get("url")  # type: ignore[union-attr]
    assert whisper_url == f"{gw.public_base}/webhooks/twilio/whisper?agent={agent_id}"
    # Twilio fetches the whisper with a signed request of the same account.
    params = {
        "AccountSid": account,
        "CallSid": "CA" + "7" * 32,
        "To": "+14155550111",
        "From": held.e164,
    }
    token = await _token_of(gw, tenant, account)
    r = await gw.post(
        "whisper", params, token=token, path=f"/webhooks/twilio/whisper?agent={agent_id}"
    )
    assert r.status_code == 200 and xml(r.text).find("Say").text == "A call from your website"  # type: ignore[union-attr]

    await gw.update_agent(
        tenant, agent_id, voice={"mode": "voicemail", "greeting": "Leave a message"}
    )
    root = xml((await gw.inbound_call(held.e164))["twiml"])
    assert [el.tag for el in root] == ["Say", "Record", "Hangup"]

    events = await gw.events(kind="voice")
    assert len(events) == 4
    assert {e.tenant_id for e in events} == {tenant.id} and {e.decision for e in events} == {
        "routed"
    }
    assert [e.detail["mode"] for e in events] == ["stream", "sip", "forward", "voicemail"]  # type: ignore[index]

    # Every routed call reaches the tenant's app, signed with the agent's events secret.
    await gw.deliver(lambda: len(gw.app_sink.received) >= 4)
    for request in gw.app_sink.received:
        assert event_signature.verify(
            secret, request.headers[event_signature.HEADER], request.content
        )
    bodies = gw.app_sink.bodies(APP_URL)
    assert {b["type"] for b in bodies} == {"call.received"}
    assert {b["tenant_id"] for b in bodies} == {str(tenant.id)}


async def test_a_whisper_is_read_only_by_its_agents_account(gw: GatewayKit) -> None:
    tenant, account = await gw.tenant("byo")
    voice = {"mode": "forward", "forward_to": "+14155550111", "whisper": "Caller is a VIP"}
    agent_id, _ = await gw.agent(tenant, voice=voice)
    path = f"/webhooks/twilio/whisper?agent={agent_id}"
    own = {"AccountSid": account, "CallSid": "CA" + "8" * 32, "To": "+14155550111"}
    token = await _token_of(gw, tenant, account)
    r = await gw.post("whisper", own, token=token, path=path)
    assert r.status_code == 200 and xml(r.text).find("Say").text == "Caller is a VIP"  # type: ignore[union-attr]
    # Another account (validly signed by it) asking for this agent's whisper hears nothing.
    other = {**own, "AccountSid": gw.platform_sid}
    r = await gw.post("whisper", other, token=gw.platform_token, path=path)
    assert r.status_code == 200 and "VIP" not in r.text and xml(r.text).find("Say") is None
    # An unknown agent, or no agent id at all: an empty answer, never an error.
    for agent in (str(uuid.uuid4()), "not-an-id"):
        r = await gw.post(
            "whisper", own, token=token, path=f"/webhooks/twilio/whisper?agent={agent}"
        )
        assert r.status_code == 200 and xml(r.text).find("Say") is None
    # Unsigned: refused before anything is read.
    r = await gw.post("whisper", own, token="0" * 32, path=path)
    assert r.status_code == 403


async def _token_of(gw: GatewayKit, tenant: object, account: str) -> str:
    if account == gw.platform_sid:
        return gw.platform_token
    from callplane.connections import service as connections

    async with gw.api.runtime.uow() as uow:
        conn = await connections.get_connection(uow=uow, scope=tenant.scope)  # type: ignore[attr-defined]
        return stored_webhook_tokens(uow.runtime, conn)[0]


@pytest.mark.parametrize("model", MODELS)
async def test_every_sms_mode_in_each_account_model(gw: GatewayKit, model: str) -> None:
    tenant, _ = await gw.tenant(model)
    agent_id, secret = await gw.agent(
        tenant, sms={"mode": "webhook", "url": "https://tenant-app.example.test/sms"}
    )
    held = await gw.buy(tenant, agent_id)

    answer = await gw.inbound_sms(held.e164, "Hi there")
    assert answer["status"] == 200 and list(xml(answer["twiml"])) == []
    await gw.deliver(lambda: any(str(r.url).endswith("/sms") for r in gw.app_sink.received))
    forwarded = gw.app_sink.bodies("https://tenant-app.example.test/sms")
    assert forwarded[0]["type"] == "message.received"
    assert forwarded[0]["twilio"]["Body"] == "Hi there" and forwarded[0]["number"] == held.e164
    sms_request = next(r for r in gw.app_sink.received if str(r.url).endswith("/sms"))
    assert event_signature.verify(
        secret, sms_request.headers[event_signature.HEADER], sms_request.content
    )

    await gw.update_agent(tenant, agent_id, sms={"mode": "reply", "reply": "We'll call you back."})
    answer = await gw.inbound_sms(held.e164, "Second")
    assert xml(answer["twiml"]).find("Message").text == "We'll call you back."  # type: ignore[union-attr]

    await gw.update_agent(tenant, agent_id, sms={"mode": "none"})
    answer = await gw.inbound_sms(held.e164, "Third")
    assert list(xml(answer["twiml"])) == []

    events = await gw.events(kind="sms")
    assert [e.detail["body"] for e in events] == ["Hi there", "Second", "Third"]  # type: ignore[index]
    assert {e.tenant_id for e in events} == {tenant.id}


async def test_byo_account_shared_by_two_tenants_the_number_decides(gw: GatewayKit) -> None:
    byo = await gw.numbers.byo_account("Shared Co")
    alice, account = await gw.tenant("byo", byo)
    bob, account_b = await gw.tenant("byo", byo)
    assert account == account_b
    a_agent, _ = await gw.agent(alice, voice={"mode": "sip", "sip_uri": "sip:alice@a.example.com"})
    b_agent, _ = await gw.agent(bob, voice={"mode": "sip", "sip_uri": "sip:bob@b.example.com"})
    a_num = await gw.buy(alice, a_agent)
    b_num = await gw.buy(bob, b_agent)
    assert (
        xml((await gw.inbound_call(a_num.e164))["twiml"]).find("Dial/Sip").text
        == "sip:alice@a.example.com"
    )  # type: ignore[union-attr]
    assert (
        xml((await gw.inbound_call(b_num.e164))["twiml"]).find("Dial/Sip").text
        == "sip:bob@b.example.com"
    )  # type: ignore[union-attr]
    by_tenant = {e.to_number: e.tenant_id for e in await gw.events(kind="voice")}
    assert by_tenant == {a_num.e164: alice.id, b_num.e164: bob.id}


async def test_unknown_number_is_not_in_service(gw: GatewayKit) -> None:
    # A number in the platform account, wired to callplane, that no tenant holds.
    client = gw.numbers.client()
    e164 = (await client.api.v2010.account.available_phone_numbers("US").local.list_async(limit=1))[
        0
    ].phone_number
    await client.api.v2010.account.incoming_phone_numbers.create_async(
        phone_number=e164,
        voice_url=f"{gw.public_base}/webhooks/twilio/voice",
        sms_url=f"{gw.public_base}/webhooks/twilio/sms",
    )
    root = xml((await gw.inbound_call(e164))["twiml"])
    assert [el.tag for el in root] == ["Say", "Hangup"] and "not in service" in root.find(
        "Say"
    ).text  # type: ignore[operator,union-attr]
    assert list(xml((await gw.inbound_sms(e164))["twiml"])) == []
    (event,) = await gw.events(kind="voice")
    assert event.tenant_id is None and event.decision == "unrouted"
    assert event.detail["reason"] == "unknown_number"  # type: ignore[index]


async def test_suspended_tenant_and_canceled_subscription_are_rejected(gw: GatewayKit) -> None:
    tenant, _ = await gw.tenant("master")
    agent_id, _ = await gw.agent(tenant)
    held = await gw.buy(tenant, agent_id)
    async with gw.api.runtime.uow() as uow:
        await update_tenant(uow=uow, scope=tenant.scope, data=TenantPatch(status="suspended"))
    assert [el.tag for el in xml((await gw.inbound_call(held.e164))["twiml"])] == ["Reject"]
    async with gw.api.runtime.uow() as uow:
        await update_tenant(uow=uow, scope=tenant.scope, data=TenantPatch(status="active"))
    assert xml((await gw.inbound_call(held.e164))["twiml"]).find("Connect") is not None
    async with gw.api.runtime.uow() as uow:
        sub = (
            await uow.session.execute(
                select(Subscription).where(Subscription.tenant_id == tenant.id)
            )
        ).scalar_one()
        await put_subscription(
            uow=uow, scope=tenant.scope, data=SubscriptionPut(plan=sub.plan_name, status="canceled")
        )
    assert [el.tag for el in xml((await gw.inbound_call(held.e164))["twiml"])] == ["Reject"]
    decisions = [e.decision for e in await gw.events(kind="voice")]
    assert decisions == ["rejected", "routed", "rejected"]
    # Rejected calls are recorded but not forwarded to the tenant's app.
    await asyncio.sleep(0.2)
    assert len(gw.app_sink.bodies()) == 1


async def test_number_on_a_trunk_is_routed_by_the_trunk(gw: GatewayKit) -> None:
    tenant, _ = await gw.tenant("master")
    agent_id, _ = await gw.agent(tenant)
    held = await gw.buy(tenant, agent_id)
    async with gw.api.runtime.uow() as uow:
        await trunks.ensure_trunk(
            uow=uow, scope=tenant.scope, origination_sip_uri="sip:ai.example.com"
        )
    async with gw.api.runtime.uow() as uow:
        await trunks.attach_number(uow=uow, scope=tenant.scope, number_id=held.id)
    answer = await gw.inbound_call(held.e164)
    # Twilio sends the call to the trunk's origination URI; the voice webhook is not called.
    assert answer["url"] == "sip:ai.example.com" and answer["twiml"] is None
    assert await gw.events(kind="voice") == []
    r = await gw.api.client.get(
        "/v1/routes/explain", params={"to": held.e164}, headers=gw.api.platform
    )
    trunk_step = next(s for s in r.json()["steps"] if s["step"] == "trunk")
    assert "ignores the voice URL" in trunk_step["summary"]
    assert r.json()["webhooks_called"] is False and r.json()["voice"]["reason"] == "trunk"


async def test_status_callbacks_through_the_sandbox(gw: GatewayKit) -> None:
    tenant, _ = await gw.tenant("master")
    agent_id, _ = await gw.agent(tenant)
    held = await gw.buy(tenant, agent_id)
    call = await gw.inbound_call(held.e164)
    for status in ("in-progress", "completed"):
        answer = await gw.inbound_status(call["call_sid"], status)
        assert answer["status"] == 200, answer
    (voice,) = await gw.events(kind="voice")
    assert voice.sid == call["call_sid"] and voice.state == "completed"
    statuses = await gw.events(kind="status")
    assert [e.state for e in statuses] == ["in-progress", "completed"]
    assert {e.tenant_id for e in statuses} == {tenant.id}
