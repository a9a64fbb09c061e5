"""What an outside attacker found on the webhook path (issue 16): the JSON-body variant decided by
the parsed query as Twilio's validators decide it, an event's identity per account, and NUL
characters in webhook fields."""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

import pytest

from tests.fixtures.gateway import GatewayKit

KINDS = ("voice", "sms", "status", "recording", "whisper")


async def _routed(gw: GatewayKit) -> tuple[Any, str, Any, Any]:
    tenant, account = await gw.tenant("master")
    agent_id, _ = await gw.agent(tenant, sms={"mode": "none"})
    return tenant, account, agent_id, await gw.buy(tenant, agent_id)


async def raw_post(
    gw: GatewayKit, path: str, query: str, body: bytes, headers: dict[str, str]
) -> int:
    """POST straight to the ASGI app with `query` as the raw query string (an HTTP client would
    drop a `#...` part; a raw request line can carry it, and h11 passes it on)."""
    app = gw.api.client._transport.app  # type: ignore[attr-defined]
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 40000),
        "server": ("testserver", 80),
        "state": {},
    }
    incoming = [{"type": "http.request", "body": body, "more_body": False}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    try:
        await app(scope, receive, send)
    except Exception:  # noqa: BLE001 - what the server would answer: a 500
        return 500
    return int(next(m["status"] for m in sent if m["type"] == "http.response.start"))


async def test_json_body_on_urls_that_do_not_sign_its_hash_is_403_with_one_log_line(
    gw: GatewayKit, caplog: pytest.LogCaptureFixture
) -> None:
    # Knowing only an AccountSid (the platform's, which every master-model tenant sees).
    _, account = await gw.tenant("master")
    body = json.dumps(
        {"AccountSid": account, "To": "+15005550006", "CallSid": "CA" + "1" * 32}
    ).encode()
    digest = hashlib.sha256(body).hexdigest()
    queries = [
        "bodySHA256=",
        "xbodySHA256=1",
        "a=bodySHA256=1",
        "bodySHA256",
        # The SDK parses the query of the URL: a `#` ends it, so no bodySHA256 there.
        f"x#&bodySHA256={digest}",
        f"#bodySHA256={digest}",
    ]
    caplog.set_level(logging.INFO)
    seen = 0
    for kind in KINDS:
        for query in queries:
            for ctype in ("application/json", "application/x-www-form-urlencoded"):
                caplog.clear()
                headers = {"content-type": ctype, "x-twilio-signature": "c2lnbmF0dXJl"}
                status = await raw_post(gw, f"/webhooks/twilio/{kind}", query, body, headers)
                # Besides the request's access line, one line: why it was refused.
                access = [r for r in caplog.records if r.name == "callplane.access"]
                lines = [r for r in caplog.records if r.name not in ("httpx", "callplane.access")]
                assert status == 403, (kind, query, ctype, status)
                assert [r.getMessage().split()[-2] for r in access] == ["403"]
                assert len(lines) == 1, (kind, query, ctype, [r.getMessage() for r in lines])
                assert lines[0].exc_info is None and "Traceback" not in caplog.text
                seen += 1
    assert seen == len(KINDS) * len(queries) * 2


async def test_another_accounts_webhook_with_the_same_token_erases_nothing(gw: GatewayKit) -> None:
    # A: a master-model tenant with a routed number. B: its own Twilio account, whose token it
    # knows, and so can sign any webhook *for that account*, with any idempotency token.
    a, a_account = await gw.tenant("master")
    a_agent, _ = await gw.agent(a)
    held = await gw.buy(a, a_agent)
    own = await gw.numbers.byo_account("B's own")
    _, b_account = await gw.tenant("byo", own)
    b_token = own["auth_token"]
    call = gw.call_params(a_account, held.e164)
    for kind, token, params in (
        ("voice", "T-voice", call),
        ("status", "T-answered", {**call, "CallStatus": "in-progress"}),
        ("status", "T-completed", {**call, "CallStatus": "completed"}),
    ):
        forged = {**params, "AccountSid": b_account}
        r = await gw.post(kind, forged, token=b_token, idempotency=token)
        assert r.status_code == 200, r.text
        # A's genuine webhook, with the token B used first.
        r = await gw.post(kind, params, idempotency=token)
        assert r.status_code == 200, r.text
        # And Twilio retrying it is still recorded once.
        assert (await gw.post(kind, params, idempotency=token)).status_code == 200
    mine = await gw.events(account_sid=a_account)
    assert [(e.kind, e.state, e.tenant_id) for e in mine] == [
        ("voice", "completed", a.id),
        ("status", "in-progress", a.id),
        ("status", "completed", a.id),
    ]
    assert len(await gw.events(account_sid=b_account)) == 3
    await gw.deliver()
    received = sorted((m["type"], m["state"]) for m in gw.app_sink.bodies())
    assert received == [
        ("call.received", "ringing"),
        ("call.status", "completed"),
        ("call.status", "in-progress"),
    ]


async def test_a_webhook_cannot_pre_claim_a_tenants_outbound_key(gw: GatewayKit) -> None:
    # Outbound sends keep their Idempotency-Key in the same column as Twilio's tokens
    # (`outbound:sms:<tenant>:<key>`). Bob shares Alice's Twilio account, so he can sign a
    # webhook for it carrying her future key as its token.
    shared = await gw.numbers.byo_account("Shared Co")
    alice, account = await gw.tenant("byo", shared)
    bob, _ = await gw.tenant("byo", shared)
    held = await gw.buy(alice)
    mine = await gw.buy(bob)
    for kind in ("sms", "call"):
        claim = f"outbound:{kind}:{alice.id}:k-{kind}"
        sms = gw.message_params(account, mine.e164)
        r = await gw.post("sms", sms, token=shared["auth_token"], idempotency=claim)
        assert r.status_code == 200
    api = gw.api
    send = {"from": held.e164, "to": "+14155550123", "body": "hello"}
    headers = {**alice.headers(), "Idempotency-Key": "k-sms"}
    first = await api.client.post(f"/v1/tenants/{alice.id}/messages", json=send, headers=headers)
    assert first.status_code == 201, first.text
    again = await api.client.post(f"/v1/tenants/{alice.id}/messages", json=send, headers=headers)
    assert again.status_code == 200 and again.json()["sid"] == first.json()["sid"]
    # The same key is Bob's own as well: every tenant's keys are its own.
    bob_send = {**send, "from": mine.e164}
    r = await api.client.post(
        f"/v1/tenants/{bob.id}/messages",
        json=bob_send,
        headers={**bob.headers(), "Idempotency-Key": "k-sms"},
    )
    assert r.status_code == 201 and r.json()["sid"] != first.json()["sid"]


async def test_nul_characters_in_webhook_fields_are_recorded_not_lost(gw: GatewayKit) -> None:
    # Signed over what was sent (NULs and all); recorded with each NUL replaced by U+FFFD, on
    # both databases (PostgreSQL text cannot hold a NUL), and forwarded.
    _, account, _, held = await _routed(gw)
    call = gw.call_params(account, held.e164, From="+1212555\x000199")
    r = await gw.post("voice", {**call, "Direction": "in\x00bound", "X\x00Extra": "1"})
    assert r.status_code == 200 and "<Connect>" in r.text
    for state in ("in-progress\x00", "completed"):
        r = await gw.post("status", {**call, "CallStatus": state})
        assert r.status_code == 200, r.text
    # A NUL inside the number is not dropped (that could make it one of ours): not a number.
    inside = held.e164[:5] + "\x00" + held.e164[5:]
    r = await gw.post("voice", {**call, "To": inside, "CallSid": "CA" + "7" * 32})
    assert r.status_code == 200 and "<Say" in r.text
    sms = gw.message_params(account, held.e164, "a\x00b")
    assert (await gw.post("sms", sms)).status_code == 200
    voice, unrouted = await gw.events(kind="voice")
    assert unrouted.decision == "unrouted" and unrouted.to_number == inside.replace(
        "\x00", "\ufffd"
    )
    assert voice.from_number == "+1212555\ufffd0199"
    assert voice.detail["direction"] == "in\ufffdbound"
    states = [e.state for e in await gw.events(kind="status")]
    assert states == ["in-progress\ufffd", "completed"]
    (message,) = await gw.events(kind="sms")
    assert message.detail["body"] == "a\ufffdb"
    await gw.deliver()
    bodies = gw.app_sink.bodies()
    assert "\x00" not in json.dumps(bodies) and "\\u0000" not in json.dumps(bodies)
    assert {b["type"] for b in bodies} >= {"call.received", "call.status", "message.received"}
    (received,) = [b for b in bodies if b["type"] == "call.received"]
    assert received["twilio"]["X\ufffdExtra"] == "1"
