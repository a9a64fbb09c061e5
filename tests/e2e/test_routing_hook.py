"""Per-call routing by the tenant's app (voice mode `webhook`, issue 15): the app answers an agent
or an action in time, or the agent's fallback answers, with the reason recorded."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest

from callplane.gateway import event_signature
from callplane.security import public_urls
from tests.fixtures.gateway import STREAM, GatewayKit

HOOK = "https://router.tenant-app.example/route"
FALLBACK = {"action": "say", "text": "All our agents are busy."}
Handler = Callable[[httpx.Request], Awaitable[httpx.Response]]


def xml(text: str) -> ElementTree.Element:
    return ElementTree.fromstring(text.split("?>", 1)[1] if text.startswith("<?xml") else text)


@pytest.fixture(autouse=True)
def public_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tenant app's host resolves to a public address (checked when the URL is written)."""
    monkeypatch.setattr(public_urls, "resolver", lambda host, port: ["93.184.216.34"])


class App:
    """The tenant's routing app: checks callplane's signature with the secret it was given, and
    answers what the test says."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.asked: list[dict[str, Any]] = []
        self.answer: Any = {}
        self.status = 200
        self.delay = 0.0

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        header = request.headers.get(event_signature.HEADER)
        if not event_signature.verify(self.secret, header, body):
            return httpx.Response(401, json={"error": "bad signature"})
        self.asked.append(json.loads(body))
        await asyncio.sleep(self.delay)
        if isinstance(self.answer, bytes):
            return httpx.Response(self.status, content=self.answer)
        return httpx.Response(self.status, json=self.answer)


async def _setup(gw: GatewayKit, **voice: Any) -> tuple[Any, uuid.UUID, App, Any]:
    tenant, _ = await gw.tenant("master")
    body = {"mode": "webhook", "url": HOOK, "timeout_ms": 500, "fallback": FALLBACK, **voice}
    router_id, secret = await gw.agent(tenant, name="Router", voice=body)
    held = await gw.buy(tenant, router_id)
    app = App(secret)
    gw.gateway.hook.transport = httpx.MockTransport(app)
    return tenant, router_id, app, held


async def _hook_event(gw: GatewayKit, call_sid: str) -> Any:
    (event,) = await gw.events(sid=call_sid)
    return event


async def test_the_app_names_the_agent(gw: GatewayKit) -> None:
    tenant, router_id, app, held = await _setup(gw)
    sales_id, _ = await gw.agent(tenant, name="Sales", voice=STREAM)
    app.answer = {"agent_id": str(sales_id)}

    answer = await gw.inbound_call(held.e164, frm="+12125550142")
    stream = xml(answer["twiml"]).find("Connect/Stream")
    assert stream is not None and stream.get("url") == "wss://ai.example.com/stream"
    params = {p.get("name"): p.get("value") for p in stream.findall("Parameter")}
    assert params["agent_id"] == str(sales_id) and params["from"] == "+12125550142"
    (asked,) = app.asked
    assert asked["type"] == "call.routing" and asked["call_sid"] == answer["call_sid"]
    assert asked["number"] == held.e164 and asked["from"] == "+12125550142"
    assert asked["agent_id"] == str(router_id) and asked["tenant_id"] == str(tenant.id)
    event = await _hook_event(gw, answer["call_sid"])
    assert event.agent_id == sales_id and event.decision == "routed"
    assert event.detail["hook"]["result"] == "agent" and event.detail["hook"]["status"] == 200
    assert (
        "stream" in event.detail["hook"]["explanation"]
        and "Sales" in event.detail["hook"]["explanation"]
    )


@pytest.mark.parametrize(
    ("action", "check"),
    [
        ({"action": "forward", "forward_to": "+14155550188"}, "Dial/Number"),
        ({"action": "voicemail", "greeting": "Leave a message"}, "Record"),
        ({"action": "reject"}, "Reject"),
        ({"action": "say", "text": "We are closed"}, "Say"),
    ],
    ids=["forward", "voicemail", "reject", "say"],
)
async def test_the_app_answers_an_action(
    gw: GatewayKit, action: dict[str, str], check: str
) -> None:
    _, _, app, held = await _setup(gw)
    app.answer = action
    answer = await gw.inbound_call(held.e164)
    assert xml(answer["twiml"]).find(check) is not None, answer["twiml"]
    event = await _hook_event(gw, answer["call_sid"])
    assert event.detail["reason"] == f"hook_{action['action']}"
    assert event.decision == ("rejected" if action["action"] == "reject" else "routed")
    assert event.detail["hook"]["result"] == "action"
    assert f"answered {action['action']!r}" in event.detail["hook"]["explanation"]


async def _falls_back(gw: GatewayKit, held: Any, reason: str) -> dict[str, Any]:
    answer = await gw.inbound_call(held.e164)
    assert xml(answer["twiml"]).find("Say").text == FALLBACK["text"]  # type: ignore[union-attr]
    event = await _hook_event(gw, answer["call_sid"])
    assert event.detail["reason"] == "hook_fallback"
    assert event.detail["hook"]["result"] == "fallback"
    assert event.detail["hook"]["reason"] == reason, event.detail
    assert event.detail["hook"]["explanation"].startswith(f"the routing hook failed ({reason}: ")
    return event.detail["hook"]  # type: ignore[no-any-return]


async def test_nothing_in_time_is_the_fallback_within_the_deadline(gw: GatewayKit) -> None:
    _, _, app, held = await _setup(gw, timeout_ms=300)
    app.delay = 3.0
    started = asyncio.get_running_loop().time()
    hook = await _falls_back(gw, held, "hook_timeout")
    assert asyncio.get_running_loop().time() - started < 2.5
    assert 250 <= hook["latency_ms"] < 2000


@pytest.mark.parametrize(
    ("answer", "status", "reason"),
    [
        (b"<html>oops</html>", 200, "hook_bad_answer"),
        ({"action": "transfer"}, 200, "hook_bad_answer"),
        ({"action": "forward", "forward_to": "not a number"}, 200, "hook_bad_answer"),
        ({"agent_id": "nobody"}, 200, "hook_bad_answer"),
        ({"agent_id": str(uuid.uuid4())}, 200, "hook_unknown_agent"),
        ({"ok": True}, 500, "hook_status"),
    ],
    ids=["html", "unknown-action", "bad-forward", "bad-id", "unknown-agent", "500"],
)
async def test_an_answer_that_cannot_route_is_the_fallback(
    gw: GatewayKit, answer: Any, status: int, reason: str
) -> None:
    _, _, app, held = await _setup(gw)
    app.answer, app.status = answer, status
    await _falls_back(gw, held, reason)


async def test_an_app_that_does_not_accept_the_signature_is_the_fallback(gw: GatewayKit) -> None:
    _, _, app, held = await _setup(gw)
    app.secret = "whsec_the_app_kept_an_old_secret"
    hook = await _falls_back(gw, held, "hook_status")
    assert hook["status"] == 401 and app.asked == []


async def test_another_tenants_agent_or_a_webhook_agent_is_the_fallback(gw: GatewayKit) -> None:
    _, router_id, app, held = await _setup(gw)
    other, _ = await gw.tenant("master")
    theirs, _ = await gw.agent(other, voice=STREAM)
    app.answer = {"agent_id": str(theirs)}
    await _falls_back(gw, held, "hook_unknown_agent")
    app.answer = {"agent_id": str(router_id)}  # no loops
    await _falls_back(gw, held, "hook_agent_is_webhook")


async def test_a_url_that_turns_private_at_call_time_is_refused(
    gw: GatewayKit, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, _, _, held = await _setup(gw)
    gw.gateway.hook.transport = None  # the real, guarded client
    monkeypatch.setattr(public_urls, "resolver", lambda host, port: ["127.0.0.1"])
    await _falls_back(gw, held, "hook_url_not_allowed")


async def test_the_hook_url_is_checked_when_written(
    gw: GatewayKit, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant, _ = await gw.tenant("master")
    url = f"/v1/tenants/{tenant.id}/agents"
    voice = {"mode": "webhook", "url": "http://10.0.0.5/route"}
    r = await gw.api.client.post(url, json={"name": "R", "voice": voice}, headers=tenant.headers())
    assert r.status_code == 422 and r.json()["error"]["code"] == "url_not_allowed"
    for bad in (
        {"mode": "webhook"},
        {"mode": "webhook", "url": HOOK, "timeout_ms": 50},
        {"mode": "webhook", "url": HOOK, "timeout_ms": 60000},
        {"mode": "webhook", "url": "ftp://x.example/route"},
        {**STREAM, "fallback": {"action": "forward"}},
        {**STREAM, "fallback": {"action": "dance"}},
        {**STREAM, "fallback": {"action": "say", "text": ""}},
    ):
        r = await gw.api.client.post(
            url, json={"name": "R", "voice": bad}, headers=tenant.headers()
        )
        assert r.status_code == 422, (bad, r.text)
    listed = await gw.api.client.get(url, headers=tenant.headers())
    assert listed.json()["data"] == []
    r = await gw.api.client.post(
        url,
        json={"name": "R", "voice": {"mode": "webhook", "url": HOOK}},
        headers=tenant.headers(),
    )
    assert r.status_code == 201, r.text
    voice_out = r.json()["voice"]
    assert voice_out["url"] == HOOK and voice_out["timeout_ms"] == 2000
    assert voice_out["fallback"] is None


async def test_explain_shows_the_rule(gw: GatewayKit) -> None:
    _, _, _, held = await _setup(gw)
    r = await gw.api.client.get(
        "/v1/routes/explain", params={"to": held.e164}, headers=gw.api.platform
    )
    voice = r.json()["voice"]
    assert voice["reason"] == "webhook" and voice["mode"] == "webhook"
    assert HOOK in voice["explanation"] and "500 ms" in voice["explanation"]
    assert "All our agents are busy." in voice["explanation"]
    assert xml(voice["twiml"]).find("Say").text == FALLBACK["text"]  # type: ignore[union-attr]
