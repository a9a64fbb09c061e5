"""Raw signed webhook posts: forged, missing, wrong account, replayed, proxy headers, token
rotation, numbers moving between tenants, retries, and bad input (never a 500, never a route to
the wrong tenant)."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import pytest
from pydantic import SecretStr, ValidationError
from twilio.request_validator import RequestValidator

from callplane.connections import service as connections
from callplane.connections import tokens
from callplane.connections.schemas import ConnectionPut
from callplane.events.models import TenantEvent
from callplane.gateway import lookup
from callplane.gateway.models import Event, OutboxMessage
from callplane.settings import Settings
from tests.fixtures.api import stored_webhook_tokens
from tests.fixtures.gateway import GatewayKit


def xml(text: str) -> ElementTree.Element:
    return ElementTree.fromstring(text.split("?>", 1)[1])


async def refusals(gw: GatewayKit, reason: str) -> float:
    """The Prometheus count of refused webhooks for `reason` (voice)."""
    text = (await gw.api.client.get("/metrics")).text
    pattern = rf'callplane_webhook_signature_failures_total\{{kind="voice",reason="{reason}"\}} ([0-9.e+]+)'
    match = re.search(pattern, text)
    return float(match.group(1)) if match else 0.0


async def routed_number(gw: GatewayKit, model: str = "master") -> tuple:
    tenant, account = await gw.tenant(model)
    agent_id, _ = await gw.agent(tenant)
    held = await gw.buy(tenant, agent_id)
    return tenant, account, agent_id, held


async def test_valid_post_routes(gw: GatewayKit) -> None:
    _, account, _, held = await routed_number(gw)
    r = await gw.post("voice", gw.call_params(account, held.e164))
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/xml")
    assert xml(r.text).find("Connect/Stream") is not None


async def test_forged_and_missing_signatures_are_refused_and_counted(
    gw: GatewayKit, caplog: pytest.LogCaptureFixture
) -> None:
    _, account, _, held = await routed_number(gw)
    params = gw.call_params(account, held.e164)
    forged_before = await refusals(gw, "invalid_signature")
    missing_before = await refusals(gw, "missing_signature")

    r = await gw.post("voice", params, signature="dGhpcyBpcyBub3QgYSBzaWduYXR1cmU=")
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    r = await gw.post("voice", params, token="not-the-token-at-all-000000000000")
    assert r.status_code == 403
    r = await gw.post("voice", params, signature="")
    assert r.status_code == 403

    assert await refusals(gw, "invalid_signature") == forged_before + 2
    assert await refusals(gw, "missing_signature") == missing_before + 1
    assert await gw.count(Event) == 0
    # Logged without secrets: no token, no signature.
    assert gw.platform_token not in caplog.text and "dGhpcyBpcyBub3Qg" not in caplog.text


async def test_right_signature_with_another_accounts_token(gw: GatewayKit) -> None:
    _, account_a, _, held = await routed_number(gw, "byo")
    other, account_b = await gw.tenant("byo")
    token_b = (await _tokens(gw, other))[0]
    # Signed correctly, but with account B's token while claiming to be account A.
    r = await gw.post("voice", gw.call_params(account_a, held.e164), token=token_b)
    assert r.status_code == 403
    # And signed with B's token as B: B does not hold the number, so it is not found.
    r = await gw.post("voice", gw.call_params(account_b, held.e164), token=token_b)
    assert r.status_code == 200 and xml(r.text).find("Say") is not None
    (event,) = await gw.events()
    assert event.tenant_id is None and event.decision == "unrouted"


async def test_unknown_account_is_refused(gw: GatewayKit) -> None:
    _, _, _, held = await routed_number(gw)
    stranger = "AC" + "9" * 32
    r = await gw.post("voice", gw.call_params(stranger, held.e164), token="whatever-token")
    assert r.status_code == 403
    r = await gw.post("voice", {"To": held.e164, "CallSid": "CA" + "1" * 32})
    assert r.status_code == 403


async def test_replayed_body_to_another_url_is_refused(gw: GatewayKit) -> None:
    _, account, _, held = await routed_number(gw)
    params = gw.call_params(account, held.e164)
    signature = gw.sign(gw.platform_token, "/webhooks/twilio/voice", params)
    assert (await gw.post("voice", params, signature=signature)).status_code == 200
    for path in ("/webhooks/twilio/sms", "/webhooks/twilio/status", "/webhooks/twilio/voice?x=1"):
        r = await gw.post("voice", params, path=path, signature=signature)
        assert r.status_code == 403, path


async def test_proxy_headers_are_ignored(gw: GatewayKit) -> None:
    _, account, _, held = await routed_number(gw)
    params = gw.call_params(account, held.e164)
    proxy = {
        "X-Forwarded-Proto": "http",
        "X-Forwarded-Host": "internal.svc:8000",
        "Forwarded": "proto=http;host=internal.svc",
        "Host": "10.0.0.5:8000",
    }
    # Twilio signed the public URL; the app, behind a TLS-terminating proxy, sees another one.
    r = await gw.post("voice", params, headers=proxy)
    assert r.status_code == 200
    # A signature over the URL the forwarded headers describe does not verify.
    spoofed = gw.sign(
        gw.platform_token, "/webhooks/twilio/voice", params, base="http://internal.svc:8000"
    )
    r = await gw.post("voice", params, headers=proxy, signature=spoofed)
    assert r.status_code == 403


async def _tokens(gw: GatewayKit, tenant: object) -> list[str]:
    async with gw.api.runtime.uow() as uow:
        conn = await connections.get_connection(uow=uow, scope=tenant.scope)  # type: ignore[attr-defined]
        return stored_webhook_tokens(uow.runtime, conn)


async def test_token_rotation_grace(gw: GatewayKit, monkeypatch: pytest.MonkeyPatch) -> None:
    tenant, account, _, held = await routed_number(gw, "byo")
    (old,) = await _tokens(gw, tenant)
    # The token is rotated in the Twilio console, then given to callplane.
    new = "f" * 32
    with gw.sandbox.sandbox.state.lock:
        gw.sandbox.sandbox.state.account(account).auth_token = new
    async with gw.api.runtime.uow() as uow:
        await connections.put_connection(
            uow=uow,
            scope=tenant.scope,
            data=ConnectionPut(model="byo", account_sid=account, auth_token=new),
        )
    assert await _tokens(gw, tenant) == [new, old]
    assert (
        await gw.post("voice", gw.call_params(account, held.e164), token=new)
    ).status_code == 200
    # Webhooks already in flight carry the old token: accepted during the grace period.
    assert (
        await gw.post("voice", gw.call_params(account, held.e164), token=old)
    ).status_code == 200
    # After it (a day and an hour later), refused.
    later = datetime.now(UTC) + timedelta(
        seconds=gw.api.runtime.settings.token_rotation_grace_seconds + 3600
    )
    monkeypatch.setattr(tokens, "utcnow", lambda: later)
    monkeypatch.setattr(lookup, "_now", lambda: later.timestamp())
    assert (
        await gw.post("voice", gw.call_params(account, held.e164), token=old)
    ).status_code == 403
    assert (
        await gw.post("voice", gw.call_params(account, held.e164), token=new)
    ).status_code == 200


async def test_platform_token_rotation_grace(
    gw: GatewayKit, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, account, _, held = await routed_number(gw, "master")
    assert account == gw.platform_sid
    old, new = gw.platform_token, "e" * 32
    settings = gw.api.runtime.settings
    until = datetime.now(UTC) + timedelta(hours=1)
    # The rolling deploy after the rotation in Twilio: the new token, the old one as previous.
    monkeypatch.setattr(settings, "twilio_auth_token", SecretStr(new))
    monkeypatch.setattr(settings, "twilio_previous_auth_token", SecretStr(old))
    monkeypatch.setattr(settings, "twilio_previous_auth_token_until", until)
    gw.gateway.lookup._cache.clear()  # a deploy starts with an empty cache
    params = gw.call_params(account, held.e164)
    assert (await gw.post("voice", params, token=new)).status_code == 200
    assert (await gw.post("voice", params, token=old)).status_code == 200
    assert (await gw.post("voice", params, token="d" * 32)).status_code == 403
    r = await gw.api.client.get(
        "/v1/routes/explain", params={"to": held.e164}, headers=gw.api.platform
    )
    signature = next(s for s in r.json()["steps"] if s["step"] == "signature")
    assert signature["data"]["tokens"] == 2
    assert signature["data"]["previous_token_until"] == until.isoformat()
    assert old not in r.text and new not in r.text
    # Past the end of the grace the old token is refused, without a restart.
    monkeypatch.setattr(lookup, "_now", lambda: until.timestamp() + 1)
    assert (await gw.post("voice", params, token=old)).status_code == 403
    assert (await gw.post("voice", params, token=new)).status_code == 200
    # Without an end, the previous token verifies for as long as it is configured.
    monkeypatch.setattr(settings, "twilio_previous_auth_token_until", None)
    gw.gateway.lookup._cache.clear()
    assert (await gw.post("voice", params, token=old)).status_code == 200
    monkeypatch.setattr(settings, "twilio_previous_auth_token", None)
    gw.gateway.lookup._cache.clear()
    assert (await gw.post("voice", params, token=old)).status_code == 403


def test_platform_previous_token_end_needs_an_offset() -> None:
    with pytest.raises(ValidationError):
        Settings(twilio_previous_auth_token_until=datetime(2026, 11, 22, 12, 0))
    ok = Settings(twilio_previous_auth_token_until="2026-11-22T12:00:00+00:00")
    assert ok.twilio_previous_auth_token_until == datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


async def test_number_moved_between_tenants_routes_to_the_new_owner_at_once(gw: GatewayKit) -> None:
    byo = await gw.numbers.byo_account("Shared Co")
    alice, account = await gw.tenant("byo", byo)
    bob, _ = await gw.tenant("byo", byo)
    a_agent, _ = await gw.agent(alice, voice={"mode": "sip", "sip_uri": "sip:alice@a.example.com"})
    b_agent, _ = await gw.agent(bob, voice={"mode": "sip", "sip_uri": "sip:bob@b.example.com"})
    client = gw.numbers.client(byo["sid"], byo["auth_token"])
    e164 = (await client.api.v2010.account.available_phone_numbers("US").local.list_async(limit=1))[
        0
    ].phone_number
    await client.api.v2010.account.incoming_phone_numbers.create_async(phone_number=e164)
    held = await gw.import_(alice, e164, a_agent)

    def sip(r: object) -> str:
        return xml(r.text).find("Dial/Sip").text  # type: ignore[attr-defined,union-attr]

    token = byo["auth_token"]
    assert (
        sip(await gw.post("voice", gw.call_params(account, e164), token=token))
        == "sip:alice@a.example.com"
    )
    await gw.release(held)
    r = await gw.post("voice", gw.call_params(account, e164), token=token)
    assert xml(r.text).find("Say") is not None  # released: nobody's
    await gw.import_(bob, e164, b_agent)
    assert (
        sip(await gw.post("voice", gw.call_params(account, e164), token=token))
        == "sip:bob@b.example.com"
    )
    owners = [e.tenant_id for e in await gw.events(kind="voice")]
    assert owners == [alice.id, None, bob.id]


async def test_duplicate_idempotency_token_is_answered_again_but_recorded_once(
    gw: GatewayKit,
) -> None:
    _, account, _, held = await routed_number(gw)
    params = gw.call_params(account, held.e164)
    told = await gw.count(TenantEvent)  # the number's own events
    first = await gw.post("voice", params, idempotency="retry-1")
    again = await gw.post("voice", params, idempotency="retry-1")
    assert first.status_code == again.status_code == 200 and first.text == again.text
    assert len(await gw.events(kind="voice")) == 1
    # Once: the row to the agent's events URL and the tenant event for its webhook endpoints.
    assert await gw.count(OutboxMessage) == 1 and len(await gw.outbox()) == 1
    assert await gw.count(TenantEvent) == told + 1
    other = await gw.post("voice", params, idempotency="retry-2")
    assert other.status_code == 200 and len(await gw.events(kind="voice")) == 2


async def test_out_of_order_status_callbacks_move_forward_only(gw: GatewayKit) -> None:
    _, account, _, held = await routed_number(gw)
    call = gw.call_params(account, held.e164)
    assert (await gw.post("voice", call)).status_code == 200

    def status(state: str, seq: str) -> dict[str, str]:
        return {**call, "CallStatus": state, "SequenceNumber": seq}

    for state, seq in (("completed", "3"), ("ringing", "0"), ("in-progress", "1")):
        r = await gw.post("status", status(state, seq))
        assert r.status_code == 200 and list(xml(r.text)) == []
    (voice,) = await gw.events(kind="voice")
    assert voice.state == "completed"
    statuses = await gw.events(kind="status")
    assert [(e.state, bool((e.detail or {}).get("stale"))) for e in statuses] == [
        ("completed", False),
        ("ringing", True),
        ("in-progress", True),
    ]
    # Only the status that moved the call forward reaches the tenant's app.
    await gw.deliver()
    types = sorted(b["type"] + ":" + str(b["state"]) for b in gw.app_sink.bodies())
    assert types == ["call.received:ringing", "call.status:completed"]


async def test_in_order_status_callbacks(gw: GatewayKit) -> None:
    _, account, _, held = await routed_number(gw)
    call = gw.call_params(account, held.e164)
    await gw.post("voice", call)
    for state in ("in-progress", "completed", "busy"):
        await gw.post("status", {**call, "CallStatus": state})
    (voice,) = await gw.events(kind="voice")
    assert voice.state == "completed"  # terminal: a later terminal state does not replace it
    assert [bool((e.detail or {}).get("stale")) for e in await gw.events(kind="status")] == [
        False,
        False,
        True,
    ]


async def test_recording_callbacks(gw: GatewayKit) -> None:
    tenant, account, agent_id, held = await routed_number(gw)
    await gw.update_agent(tenant, agent_id, voice={"mode": "voicemail"})
    call = gw.call_params(account, held.e164)
    await gw.post("voice", call)
    # The <Record action> request: the call is done.
    r = await gw.post(
        "recording",
        {**call, "RecordingUrl": "https://api.twilio.com/rec/RE1", "RecordingDuration": "7"},
    )
    assert [el.tag for el in xml(r.text)] == ["Hangup"]
    r = await gw.post(
        "recording",
        {
            **call,
            "RecordingSid": "RE" + "1" * 32,
            "RecordingUrl": "https://api.twilio.com/rec/RE1",
            "RecordingStatus": "completed",
            "RecordingDuration": "7",
        },
    )
    assert r.status_code == 200
    (rec,) = await gw.events(kind="recording")
    assert rec.tenant_id == tenant.id and rec.detail["recording_sid"] == "RE" + "1" * 32  # type: ignore[index]
    await gw.deliver()
    assert "recording.completed" in {b["type"] for b in gw.app_sink.bodies()}


async def test_json_body_variant_with_body_sha256(gw: GatewayKit) -> None:
    _, account, _, held = await routed_number(gw)
    body = json.dumps(gw.call_params(account, held.e164))
    digest = hashlib.sha256(body.encode()).hexdigest()
    path = f"/webhooks/twilio/voice?bodySHA256={digest}"
    signature = RequestValidator(gw.platform_token).compute_signature(gw.public_base + path, {})
    headers = {"Content-Type": "application/json", "X-Twilio-Signature": signature}
    r = await gw.api.client.post(path, content=body.encode(), headers=headers)
    assert r.status_code == 200 and xml(r.text).find("Connect") is not None
    tampered = body.replace("ringing", "queued")
    r = await gw.api.client.post(path, content=tampered.encode(), headers=headers)
    assert r.status_code == 403


async def test_bad_input_is_4xx_or_safe_twiml_never_500(gw: GatewayKit) -> None:
    _, account, _, held = await routed_number(gw)
    base = gw.call_params(account, held.e164)

    def without(key: str) -> dict[str, str]:
        return {k: v for k, v in base.items() if k != key}

    # Signed, but no To / a garbage To: a spoken "not in service", recorded as unrouted.
    for params in (
        without("To"),
        {**base, "To": "garbage"},
        {**base, "To": "+1"},
        {**base, "To": "x" * 500},
        {**base, "To": "+999999999999999999"},
    ):
        r = await gw.post("voice", params)
        assert r.status_code == 200, (params, r.text)
        assert xml(r.text).find("Say") is not None
        r = await gw.post("sms", params)
        assert r.status_code == 200 and list(xml(r.text)) == []
    # No AccountSid: nothing to verify against.
    assert (await gw.post("voice", without("AccountSid"))).status_code == 403
    assert (
        await gw.post("voice", {**base, "AccountSid": "AC'; DROP TABLE events;--"})
    ).status_code == 403
    # Status and recording callbacks without the fields they are about.
    assert (await gw.post("status", without("CallStatus"))).status_code == 400
    assert (await gw.post("recording", without("CallSid"))).status_code == 400

    raw = gw.api.client
    url = "/webhooks/twilio/voice"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    assert (await raw.post(url, content=b"A" * 70_000, headers=form)).status_code == 413
    assert (await raw.post(url, content=b"A" * 2_000_000, headers=form)).status_code == 413
    # A JSON post whose URL does not sign its hash carries no form: unsigned, refused.
    assert (await raw.post(url, json={"AccountSid": account, "To": held.e164})).status_code == 403
    assert (
        await raw.post(url, content=b"<Response/>", headers={"Content-Type": "text/xml"})
    ).status_code == 415
    assert (await raw.post(url, content=b"\xff\xfe\x00", headers=form)).status_code == 400
    assert (
        await raw.post(url, content=b"&".join(b"a%d=1" % i for i in range(1000)), headers=form)
    ).status_code == 400
    assert (await raw.post(url, content=b"%%%===&&&", headers=form)).status_code == 403
    assert (await raw.post(url, headers=form)).status_code == 403
    assert (await raw.get(url)).status_code == 405
    bad_json = f"{url}?bodySHA256=00"
    assert (
        await raw.post(bad_json, content=b"[1,2]", headers={"Content-Type": "application/json"})
    ).status_code == 400
    assert (
        await raw.post(bad_json, content=b"{nope", headers={"Content-Type": "application/json"})
    ).status_code == 400

    # Nothing was routed to anyone.
    events = await gw.events()
    assert events and all(e.tenant_id is None and e.decision == "unrouted" for e in events)


async def test_shared_byo_account_with_one_tenant_still_on_the_old_token(gw: GatewayKit) -> None:
    # Two tenants share a byo account; its token is rotated at Twilio and only Alice's
    # connection gets the new one. Webhooks to Bob's number, signed with the new token, verify
    # through the account's other connection, and still route to Bob.
    byo = await gw.numbers.byo_account("Shared Co")
    alice, account = await gw.tenant("byo", byo)
    bob, _ = await gw.tenant("byo", byo)
    b_agent, _ = await gw.agent(bob, voice={"mode": "sip", "sip_uri": "sip:bob@b.example.com"})
    b_num = await gw.buy(bob, b_agent)
    new = "e" * 32
    with gw.sandbox.sandbox.state.lock:
        gw.sandbox.sandbox.state.account(account).auth_token = new
    async with gw.api.runtime.uow() as uow:
        await connections.put_connection(
            uow=uow,
            scope=alice.scope,
            data=ConnectionPut(model="byo", account_sid=account, auth_token=new),
        )
    r = await gw.post("voice", gw.call_params(account, b_num.e164), token=new)
    assert r.status_code == 200 and xml(r.text).find("Dial/Sip").text == "sip:bob@b.example.com"  # type: ignore[union-attr]
    r = await gw.post("voice", gw.call_params(account, b_num.e164), token="f" * 32)
    assert r.status_code == 403
    (event,) = await gw.events(kind="voice")
    assert event.tenant_id == bob.id
