"""Tenant webhook endpoints: the API's shapes, every gateway event type to subscribed endpoints
only, the delivery log, retry, replay, test, disabling, and secret rotation."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import pytest
from sqlalchemy import select

from callplane.db.base import utcnow
from callplane.events.carry import ENDPOINTS_PURPOSE
from callplane.gateway.models import OutboxMessage
from callplane.tenants.schemas import TenantPatch
from callplane.tenants.service import update_tenant
from callplane.webhooks import verify
from tests.fixtures.events import HooksKit
from tests.fixtures.gateway import STREAM, _snapshots

ALL = "https://all.example.test/hooks"
MESSAGES = "https://messages.example.test/hooks"
OTHER = "https://other.example.test/hooks"


async def test_endpoint_shapes_secret_once_and_isolation(hooks: HooksKit) -> None:
    tenant, _ = await hooks.gw.tenant()
    other, _ = await hooks.gw.tenant()
    made = await hooks.endpoint(tenant, ALL, ["call.*", "message.received"])
    assert set(made) >= {"id", "url", "events", "enabled", "secret"}
    assert made["secret"].startswith("whsec_") and made["enabled"] is True
    eid = made["id"]
    r = await hooks.call(tenant, "GET", f"/webhook-endpoints/{eid}")
    assert r.status_code == 200 and r.json()["secret"] is None
    listed = (await hooks.call(tenant, "GET", "/webhook-endpoints")).json()["data"]
    assert [e["id"] for e in listed] == [eid] and listed[0]["secret"] is None
    # Another tenant's endpoint is not found, whatever the verb.
    for method, path in (
        ("GET", f"/webhook-endpoints/{eid}"),
        ("PATCH", f"/webhook-endpoints/{eid}"),
        ("DELETE", f"/webhook-endpoints/{eid}"),
        ("POST", f"/webhook-endpoints/{eid}/rotate-secret"),
        ("POST", f"/webhook-endpoints/{eid}/test"),
        ("GET", f"/webhook-endpoints/{eid}/deliveries"),
    ):
        kw = {"json": {"enabled": False}} if method == "PATCH" else {}
        r = await hooks.call(other, method, path, **kw)
        assert r.status_code == 404, (method, path, r.text)
    r = await hooks.call(tenant, "PATCH", f"/webhook-endpoints/{eid}", json={"events": ["*"]})
    assert r.status_code == 200 and r.json()["events"] == ["*"] and r.json()["secret"] is None
    rotated = await hooks.call(tenant, "POST", f"/webhook-endpoints/{eid}/rotate-secret")
    assert rotated.status_code == 200
    assert rotated.json()["secret"].startswith("whsec_")
    assert rotated.json()["secret"] != made["secret"]
    # Unknown event types and non-public URLs are refused, nothing written.
    r = await hooks.call(
        tenant, "POST", "/webhook-endpoints", json={"url": ALL, "events": ["call.exploded"]}
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"
    for url in ("http://127.0.0.1:9/x", "http://169.254.169.254/latest/meta-data/"):
        r = await hooks.call(
            tenant, "POST", "/webhook-endpoints", json={"url": url, "events": ["*"]}
        )
        assert r.status_code == 422 and r.json()["error"]["code"] == "url_not_allowed", r.text
        r = await hooks.call(tenant, "PATCH", f"/webhook-endpoints/{eid}", json={"url": url})
        assert r.status_code == 422 and r.json()["error"]["code"] == "url_not_allowed"
    assert len((await hooks.call(tenant, "GET", "/webhook-endpoints")).json()["data"]) == 1
    assert (await hooks.call(tenant, "DELETE", f"/webhook-endpoints/{eid}")).status_code == 204
    assert (await hooks.call(tenant, "GET", f"/webhook-endpoints/{eid}")).status_code == 404


async def test_gateway_events_reach_subscribed_endpoints_only(hooks: HooksKit) -> None:
    gw = hooks.gw
    tenant, _ = await gw.tenant()
    agent_id, _ = await gw.agent(
        tenant, voice={**STREAM, "record": True, "fallback": {"action": "say", "text": "Soon"}}
    )
    held = await gw.buy(tenant, agent_id)
    bare = await gw.buy(tenant)  # no agent: its calls are unrouted
    everything = await hooks.endpoint(tenant, ALL, ["*"])
    await hooks.endpoint(tenant, MESSAGES, ["message.*"])
    await hooks.endpoint(tenant, OTHER, ["number.*"])
    sid = gw.platform_sid

    call = gw.call_params(sid, held.e164)
    assert (await gw.post("voice", call)).status_code == 200
    for status in ("in-progress", "completed"):
        params = {**call, "CallStatus": status, "CallDuration": "7"}
        assert (await gw.post("status", params)).status_code == 200
    recording = {
        "AccountSid": sid,
        "CallSid": call["CallSid"],
        "RecordingSid": "RE" + "b" * 32,
        "RecordingUrl": "https://api.twilio.com/2010-04-01/Recordings/RE2",
        "RecordingStatus": "completed",
        "RecordingDuration": "7",
    }
    assert (await gw.post("recording", recording)).status_code == 200
    fallback = gw.call_params(sid, held.e164, ErrorCode="11200", ErrorUrl="x")
    assert (await gw.post("voice-fallback", fallback)).status_code == 200
    assert (await gw.post("voice", gw.call_params(sid, bare.e164))).status_code == 200
    message = gw.message_params(sid, held.e164)
    assert (await gw.post("sms", message)).status_code == 200
    status = {**message, "MessageStatus": "read"}
    status.pop("Body", None)
    assert (await gw.post("status", status)).status_code == 200
    async with gw.api.runtime.uow() as uow:
        await update_tenant(uow=uow, scope=tenant.scope, data=TenantPatch(status="suspended"))
    rejected = gw.call_params(sid, held.e164)
    assert (await gw.post("voice", rejected)).status_code == 200

    expected = [
        "call.received",
        "call.status_changed",
        "call.status_changed",
        "call.completed",
        "recording.completed",
        "call.fallback_used",
        "call.received",
        "call.unrouted",
        "message.received",
        "message.status_changed",
        "call.rejected",
    ]
    await hooks.deliver(lambda: len(hooks.apps.types(ALL)) >= len(expected))
    await hooks.deliver(lambda: len(hooks.apps.types(MESSAGES)) >= 2)
    await asyncio.sleep(0.2)
    await hooks.worker.run_once()
    assert sorted(hooks.apps.types(ALL)) == sorted(expected)
    assert hooks.apps.types(MESSAGES) == ["message.received", "message.status_changed"]
    assert hooks.apps.types(OTHER) == []
    bodies = hooks.apps.bodies(ALL)
    unrouted = next(b for b in bodies if b["type"] == "call.unrouted")
    assert unrouted["data"]["number"] == bare.e164 and unrouted["data"]["decision"] == "unrouted"
    for request, body in zip(hooks.apps.received[ALL], bodies, strict=True):
        assert set(body) == {"id", "type", "schema_version", "created_at", "tenant_id", "data"}
        assert body["tenant_id"] == str(tenant.id)
        assert request.headers["Callplane-Event-Id"] == body["id"]
        assert verify(request.content, request.headers["Callplane-Signature"], everything["secret"])
    # A call's events arrive in the order they happened.
    of_call = [b["type"] for b in bodies if b["data"]["sid"] == call["CallSid"]]
    assert of_call == expected[:5]


async def test_log_retry_replay_and_test(hooks: HooksKit) -> None:
    gw = hooks.gw
    tenant, _ = await gw.tenant()
    agent_id, _ = await gw.agent(tenant)
    held = await gw.buy(tenant, agent_id)
    made = await hooks.endpoint(tenant, ALL, ["call.*"])
    eid = made["id"]
    hooks.apps.down.add(ALL)
    assert (await gw.post("voice", gw.call_params(gw.platform_sid, held.e164))).status_code == 200
    await hooks.deliver(lambda: hooks.apps.refused.get(ALL, 0) >= 2)
    hooks.apps.down.clear()
    await hooks.deliver(lambda: len(hooks.apps.types(ALL)) == 1)
    log = await hooks.log_when(tenant, eid, lambda log: bool(log) and log[0]["error"] is None)
    assert [a["attempt"] for a in log] == list(range(len(log), 0, -1))
    assert [a["status_code"] for a in reversed(log)] == [503] * (len(log) - 1) + [200]
    assert all(a["type"] == "call.received" and a["latency_ms"] is not None for a in log)
    assert log[-1]["error"] == "HTTP 503" and log[0]["error"] is None
    event_id = log[0]["event_id"]
    assert event_id == hooks.apps.bodies(ALL)[0]["id"]

    r = await hooks.call(
        tenant, "POST", f"/webhook-endpoints/{eid}/deliveries/{log[-1]['id']}/retry"
    )
    assert r.status_code == 202 and r.json()["event_id"] == event_id
    await hooks.deliver(lambda: len(hooks.apps.types(ALL)) == 2)
    r = await hooks.call(tenant, "POST", f"/events/{event_id}/replay")
    assert r.status_code == 202 and [q["endpoint_id"] for q in r.json()["data"]] == [eid]
    await hooks.deliver(lambda: len(hooks.apps.types(ALL)) == 3)
    assert {b["id"] for b in hooks.apps.bodies(ALL)} == {event_id}  # the same event, again

    r = await hooks.call(tenant, "POST", f"/webhook-endpoints/{eid}/test")
    assert r.status_code == 202
    await hooks.deliver(lambda: len(hooks.apps.types(ALL)) == 4)
    assert hooks.apps.types(ALL)[-1] == "endpoint.test"
    log = await hooks.log_when(tenant, eid, lambda log: log[0]["type"] == "endpoint.test")
    assert log[0]["status_code"] == 200
    # Unknown ids (or another tenant's) are 404.
    other, _ = await gw.tenant()
    assert (await hooks.call(other, "POST", f"/events/{event_id}/replay")).status_code == 404
    missing = uuid.uuid4()
    r = await hooks.call(tenant, "POST", f"/webhook-endpoints/{eid}/deliveries/{missing}/retry")
    assert r.status_code == 404


async def test_the_delivery_log_pages_and_keeps_failures_successes_or_one_event(
    hooks: HooksKit,
) -> None:
    gw = hooks.gw
    tenant, _ = await gw.tenant()
    agent_id, _ = await gw.agent(tenant)
    held = await gw.buy(tenant, agent_id)
    eid = (await hooks.endpoint(tenant, ALL, ["call.*"]))["id"]
    hooks.apps.down.add(ALL)  # the call's event fails twice, then goes through
    assert (await gw.post("voice", gw.call_params(gw.platform_sid, held.e164))).status_code == 200
    await hooks.deliver(lambda: hooks.apps.refused.get(ALL, 0) >= 2)
    hooks.apps.down.clear()
    await hooks.deliver(lambda: len(hooks.apps.types(ALL)) == 1)
    r = await hooks.call(tenant, "POST", f"/webhook-endpoints/{eid}/test")
    assert r.status_code == 202
    await hooks.deliver(lambda: len(hooks.apps.types(ALL)) == 2)
    log = await hooks.log_when(tenant, eid, lambda log: log[0]["type"] == "endpoint.test")
    call_event = hooks.apps.bodies(ALL)[0]["id"]

    async def listed(query: str) -> list[dict[str, Any]]:
        """Every attempt the query finds, page by page of one."""
        found: list[dict[str, Any]] = []
        cursor = ""
        for _ in range(len(log) + 1):
            r = await hooks.call(
                tenant, "GET", f"/webhook-endpoints/{eid}/deliveries?limit=1{query}{cursor}"
            )
            assert r.status_code == 200, r.text
            found += r.json()["data"]
            if r.json()["next_cursor"] is None:
                return found
            cursor = f"&cursor={r.json()['next_cursor']}"
        raise AssertionError(f"the pages never end: {found}")

    # Paged, the log is the whole log in the same order: newest first, none twice.
    assert await listed("") == log
    failed = [a for a in log if a["status_code"] is None or not 200 <= a["status_code"] < 300]
    assert len(failed) >= 2 and all(a["status_code"] == 503 for a in failed)
    assert await listed("&outcome=failed") == failed
    assert await listed("&outcome=succeeded") == [a for a in log if a not in failed]
    assert [a["type"] for a in await listed("&outcome=succeeded")] == [
        "endpoint.test",
        "call.received",
    ]
    of_call = await listed(f"&event_id={call_event}")
    assert of_call == [a for a in log if a["event_id"] == call_event]
    assert [a["status_code"] for a in of_call] == [200] + [503] * len(failed)
    assert await listed(f"&event_id={call_event}&outcome=succeeded") == of_call[:1]
    assert await listed(f"&event_id={uuid.uuid4()}") == []
    # Bad filters are refused with a stable code.
    path = f"/webhook-endpoints/{eid}/deliveries"
    r = await hooks.call(tenant, "GET", f"{path}?outcome=bounced")
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"
    r = await hooks.call(tenant, "GET", f"{path}?cursor=not-a-cursor")
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_cursor"
    # Another tenant sees nothing of it.
    other, _ = await gw.tenant()
    assert (await hooks.call(other, "GET", f"{path}?outcome=failed")).status_code == 404


async def test_an_endpoint_failing_past_the_window_is_disabled(
    hooks: HooksKit, monkeypatch: pytest.MonkeyPatch
) -> None:
    gw = hooks.gw
    monkeypatch.setattr(gw.api.runtime.settings, "webhook_failure_window_seconds", 0.3)
    tenant, _ = await gw.tenant()
    agent_id, _ = await gw.agent(tenant)
    held = await gw.buy(tenant, agent_id)
    failing = await hooks.endpoint(tenant, ALL, ["call.*"])
    await hooks.endpoint(tenant, OTHER, ["endpoint.*"])
    hooks.apps.down.add(ALL)
    assert (await gw.post("voice", gw.call_params(gw.platform_sid, held.e164))).status_code == 200
    await hooks.deliver(lambda: len(hooks.apps.types(OTHER)) == 1)
    (notice,) = hooks.apps.bodies(OTHER)
    assert notice["type"] == "endpoint.disabled"
    assert notice["data"]["endpoint_id"] == failing["id"]
    r = await hooks.call(tenant, "GET", f"/webhook-endpoints/{failing['id']}")
    assert r.json()["enabled"] is False and r.json()["disabled_reason"].startswith("failing since")
    tried = hooks.apps.refused[ALL]
    await asyncio.sleep(0.3)
    await hooks.worker.run_once()
    assert hooks.apps.refused[ALL] == tried  # a disabled endpoint is not called
    # Enabled again, it gets what was waiting.
    hooks.apps.down.clear()
    r = await hooks.call(
        tenant, "PATCH", f"/webhook-endpoints/{failing['id']}", json={"enabled": True}
    )
    assert r.json()["enabled"] is True and r.json()["failing_since"] is None
    await hooks.deliver(lambda: hooks.apps.types(ALL) == ["call.received"])


async def test_rotation_signs_with_both_secrets_for_the_grace_period(
    hooks: HooksKit, monkeypatch: pytest.MonkeyPatch
) -> None:
    gw = hooks.gw
    monkeypatch.setattr(gw.api.runtime.settings, "webhook_secret_grace_seconds", 1.0)
    tenant, _ = await gw.tenant()
    made = await hooks.endpoint(tenant, ALL, ["endpoint.test"])
    old = made["secret"]
    r = await hooks.call(tenant, "POST", f"/webhook-endpoints/{made['id']}/rotate-secret")
    new = r.json()["secret"]

    async def one() -> tuple[bytes, str]:
        count = len(hooks.apps.types(ALL))
        await hooks.call(tenant, "POST", f"/webhook-endpoints/{made['id']}/test")
        await hooks.deliver(lambda: len(hooks.apps.types(ALL)) == count + 1)
        request = hooks.apps.received[ALL][-1]
        return request.content, request.headers["Callplane-Signature"]

    body, header = await one()
    assert header.count("v1=") == 2
    assert verify(body, header, new) and verify(body, header, old)
    await asyncio.sleep(1.1)
    body, header = await one()
    assert header.count("v1=") == 1
    assert verify(body, header, new) and not verify(body, header, old)


async def test_endpoints_rows_an_earlier_version_left_are_carried_once(hooks: HooksKit) -> None:
    # Until 2026-12-06 a webhook's tenant events reached the endpoints as an outbox row of
    # purpose `endpoints` (a JSON list of them), carried by the endpoints pass; a service
    # upgraded with such rows pending delivers them when it starts again.
    gw = hooks.gw
    tenant, _ = await gw.tenant()
    await hooks.endpoint(tenant, ALL, ["call.*"])
    # An event to hang the row on: a call to a number no tenant holds writes no tenant event.
    unheld = await gw.post("voice", gw.call_params(gw.platform_sid, "+15005550006"))
    assert unheld.status_code == 200
    (event,) = await gw.events(kind="voice")
    ident, created = uuid.uuid4(), utcnow()
    body = {
        "id": str(ident),
        "type": "call.received",
        "schema_version": 1,
        "created_at": created.isoformat(),
        "tenant_id": str(tenant.id),
        "data": {"sid": event.sid, "number": "+15005550006"},
    }
    carried = {
        "id": str(ident),
        "type": "call.received",
        "tenant_id": str(tenant.id),
        "order_key": event.sid,
        "created_at": created.isoformat(),
        "body": json.dumps(body),
    }
    async with gw.api.runtime.uow() as uow:
        uow.session.add(
            OutboxMessage(
                tenant_id=tenant.id,
                event_id=event.id,
                url="",
                payload=json.dumps([carried]),
                purpose=ENDPOINTS_PURPOSE,
                next_attempt_at=created,
                created_at=created,
            )
        )
        await uow.commit()
    gw.gateway.endpoints.wake()
    await hooks.deliver(lambda: len(hooks.apps.types(ALL)) >= 1)
    for _ in range(3):
        await hooks.worker.run_once()
    assert hooks.apps.bodies(ALL) == [body]
    (row,) = await _snapshots(gw.api.runtime, select(OutboxMessage), OutboxMessage)
    assert row.delivered_at is not None
