"""Every call gets an answer (issue 15): a managed number's voice fallback URL answers the agent's
fallback when the voice webhook fails, once, with Twilio's error code recorded on the call."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

import httpx
import pytest

from callplane.gateway.answers import APOLOGY
from callplane.gateway.lookup import Lookup
from tests.fixtures.gateway import STREAM, GatewayKit

PRIMARY = "/webhooks/twilio/voice"
FALLBACK = "/webhooks/twilio/voice-fallback"


def xml(text: str) -> ElementTree.Element:
    return ElementTree.fromstring(text.split("?>", 1)[1] if text.startswith("<?xml") else text)


class FailingPrimary(httpx.AsyncBaseTransport):
    """The service as Twilio reaches it, with the voice webhook itself failing: answering 500
    (`"500"`) or unreachable (`"down"`, e.g. the replica serving it died)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, mode: str) -> None:
        self.inner, self.mode = inner, mode

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == PRIMARY:
            if self.mode == "down":
                raise httpx.ConnectError("connection refused", request=request)
            return httpx.Response(500, text="internal error")
        return await self.inner.handle_async_request(request)


def fail_primary(gw: GatewayKit, mode: str) -> None:
    sandbox = gw.sandbox.sandbox
    assert sandbox.webhook_transport is not None
    sandbox.webhook_transport = FailingPrimary(sandbox.webhook_transport, mode)


async def _one_fallback_event(gw: GatewayKit, call_sid: str, code: str) -> Any:
    events = await gw.events(sid=call_sid)
    assert len(events) == 1, events
    (event,) = events
    assert event.kind == "voice" and event.fallback_used is True and event.error_code == code
    assert event.detail["reason"] == "voice_fallback"
    return event


async def test_managed_numbers_get_the_voice_fallback_url(gw: GatewayKit) -> None:
    tenant, _ = await gw.tenant("master")
    held = await gw.buy(tenant)
    (number,) = await gw.numbers.held(held.e164)
    assert number["voice_fallback_url"] == f"{gw.public_base}{FALLBACK}"


@pytest.mark.parametrize(
    ("mode", "code"), [("500", "11217"), ("down", "11205")], ids=["answers-500", "down"]
)
async def test_a_failing_webhook_gets_the_agents_fallback(
    gw: GatewayKit, mode: str, code: str
) -> None:
    tenant, _ = await gw.tenant("byo")
    fallback = {"action": "forward", "forward_to": "+14155550123"}
    agent_id, _ = await gw.agent(tenant, voice={**STREAM, "fallback": fallback})
    held = await gw.buy(tenant, agent_id)
    fail_primary(gw, mode)

    answer = await gw.inbound_call(held.e164)
    assert answer["status"] == 200 and answer["url"] == f"{gw.public_base}{FALLBACK}"
    assert answer["error_code"] == int(code) and answer["fallback"]["error_code"] == int(code)
    assert xml(answer["twiml"]).find("Dial/Number").text == "+14155550123"  # type: ignore[union-attr]
    event = await _one_fallback_event(gw, answer["call_sid"], code)
    assert event.agent_id == agent_id and event.number_id == held.id
    assert event.decision == "routed" and event.detail["fallback"] == "forward"
    assert event.detail["error_url"] == f"{gw.public_base}{PRIMARY}"
    (number,) = await gw.numbers.held(held.e164)
    assert number["fallback_requests"] == 1
    # The tenant's app hears about the call once.
    await gw.deliver()
    assert [b["sid"] for b in gw.app_sink.bodies()] == [answer["call_sid"]]
    # The call's status callbacks find it as usual.
    await gw.inbound_status(answer["call_sid"], "completed")
    assert (await gw.events(sid=answer["call_sid"], kind="voice"))[0].state == "completed"


async def test_without_a_fallback_the_caller_hears_the_apology(gw: GatewayKit) -> None:
    tenant, _ = await gw.tenant("master")
    agent_id, _ = await gw.agent(tenant)
    held = await gw.buy(tenant, agent_id)
    fail_primary(gw, "500")
    answer = await gw.inbound_call(held.e164)
    root = xml(answer["twiml"])
    assert root.find("Say").text == APOLOGY and root.find("Hangup") is not None  # type: ignore[union-attr]
    await _one_fallback_event(gw, answer["call_sid"], "11217")


async def test_the_gateway_failing_itself_falls_back(
    gw: GatewayKit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The routing database fails for the voice webhook (503): Twilio falls back, and the
    fallback (the database back) answers the agent's voicemail."""
    tenant, _ = await gw.tenant("master")
    fallback = {"action": "voicemail", "greeting": "Leave us a message"}
    agent_id, _ = await gw.agent(tenant, voice={**STREAM, "fallback": fallback})
    held = await gw.buy(tenant, agent_id)
    real = Lookup.resolve
    failures = 0

    async def once_broken(self: Lookup, account_sid: str, e164: str | None) -> Any:
        nonlocal failures
        if failures == 0:
            failures += 1
            raise ConnectionError("database gone")
        return await real(self, account_sid, e164)

    monkeypatch.setattr(Lookup, "resolve", once_broken)
    answer = await gw.inbound_call(held.e164)
    assert answer["fallback"]["primary_status"] == 503
    root = xml(answer["twiml"])
    assert root.find("Say").text == "Leave us a message" and root.find("Record") is not None  # type: ignore[union-attr]
    await _one_fallback_event(gw, answer["call_sid"], "11217")


async def test_with_the_database_down_the_fallback_still_answers(
    gw: GatewayKit, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant, _ = await gw.tenant("master")
    agent_id, _ = await gw.agent(tenant)
    held = await gw.buy(tenant, agent_id)

    async def broken(self: Lookup, account_sid: str, e164: str | None) -> Any:
        raise ConnectionError("database gone")

    monkeypatch.setattr(Lookup, "resolve", broken)
    answer = await gw.inbound_call(held.e164)
    assert answer["status"] == 200 and xml(answer["twiml"]).find("Say").text == APOLOGY  # type: ignore[union-attr]
    monkeypatch.undo()
    assert await gw.events(sid=answer["call_sid"]) == []


async def test_the_fallback_url_is_signed_like_every_webhook(gw: GatewayKit) -> None:
    tenant, _ = await gw.tenant("master")
    agent_id, _ = await gw.agent(
        tenant, voice={**STREAM, "fallback": {"action": "say", "text": "Back soon"}}
    )
    held = await gw.buy(tenant, agent_id)
    params = gw.call_params(gw.platform_sid, held.e164, ErrorCode="11200", ErrorUrl="x")
    r = await gw.post("voice-fallback", params, signature="bad")
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    r = await gw.post("voice-fallback", params, token="not the token")
    assert r.status_code == 403
    assert await gw.events(sid=params["CallSid"]) == []
    idempotency = "fallback-retry-1"
    for _ in range(2):  # a retry of the same request is answered again, recorded once
        r = await gw.post("voice-fallback", params, idempotency=idempotency)
        assert r.status_code == 200 and xml(r.text).find("Say").text == "Back soon"  # type: ignore[union-attr]
    await _one_fallback_event(gw, params["CallSid"], "11200")


async def test_explain_shows_the_fallback(gw: GatewayKit) -> None:
    tenant, _ = await gw.tenant("master")
    agent_id, _ = await gw.agent(
        tenant, voice={**STREAM, "fallback": {"action": "forward", "forward_to": "+14155550123"}}
    )
    held = await gw.buy(tenant, agent_id)
    r = await gw.api.client.get(
        "/v1/routes/explain", params={"to": held.e164}, headers=gw.api.platform
    )
    step = next(s for s in r.json()["steps"] if s["step"] == "fallback")
    assert step["ok"] and "forwarded to +14155550123" in step["summary"]
    assert step["data"]["url"] == f"{gw.public_base}{FALLBACK}"
