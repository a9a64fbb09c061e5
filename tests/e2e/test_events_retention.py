"""Retention: recorded webhooks and tenant events go once they are older than the retention
period, with their deliveries, attempts and agent deliveries; what is still owed to a receiver
stays whatever its age; nothing else is touched; each pass is a recorded job run."""

from __future__ import annotations

from datetime import timedelta

import pytest

from callplane.agents.models import Agent
from callplane.db.base import utcnow
from callplane.events.models import TenantEvent, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from callplane.gateway.models import Event, OutboxMessage
from callplane.jobs.retention import retention_now
from callplane.numbers.models import PhoneNumber
from tests.fixtures.events import HooksKit

ALL = "https://all.example.test/hooks"
RECORDS = (Event, OutboxMessage, TenantEvent, WebhookDelivery, WebhookAttempt)


async def test_old_events_go_with_their_deliveries_and_what_is_owed_stays(
    hooks: HooksKit, monkeypatch: pytest.MonkeyPatch
) -> None:
    gw = hooks.gw
    runtime = gw.api.runtime
    assert runtime.settings.events_retention_days == 90
    tenant, _ = await gw.tenant()
    agent_id, _ = await gw.agent(tenant)  # its events go to the tenant app (the outbox)
    held = await gw.buy(tenant, agent_id)
    await hooks.endpoint(tenant, ALL, ["call.*"])
    # A call whose events reached the agent's URL and the endpoint.
    done = gw.call_params(gw.platform_sid, held.e164)
    assert (await gw.post("voice", done)).status_code == 200
    await gw.deliver()
    await hooks.deliver(lambda: len(hooks.apps.types(ALL)) == 1)
    # A call whose receivers are down: its events are still owed.
    gw.app_sink.up = False
    hooks.apps.down.add(ALL)
    owed = gw.call_params(gw.platform_sid, held.e164)
    assert (await gw.post("voice", owed)).status_code == 200
    await gw.deliver(lambda: gw.app_sink.refused >= 1)
    await hooks.deliver(lambda: hooks.apps.refused.get(ALL, 0) >= 1)
    before = {m: await gw.count(m) for m in RECORDS}
    # The tenant events: the number's purchase and the two calls (no endpoint takes number.*).
    assert before[Event] == 2 and before[TenantEvent] == 3 and before[WebhookDelivery] == 2
    assert before[OutboxMessage] >= 2 and before[WebhookAttempt] >= 2

    # Not old enough yet: nothing goes.
    summary = await retention_now(runtime, trigger="test", now=utcnow() + timedelta(days=89))
    assert (summary["events"], summary["tenant_events"]) == (0, 0)
    after = {m: await gw.count(m) for m in RECORDS}
    # The endpoints' worker keeps trying the owed delivery meanwhile: attempts only grow.
    assert after[WebhookAttempt] >= before[WebhookAttempt]
    after[WebhookAttempt] = before[WebhookAttempt]
    assert after == before

    # Past the period: the delivered call's records go, with their deliveries and attempts, and
    # the purchase's event (sent out to no endpoint).
    later = utcnow() + timedelta(days=91)
    summary = await retention_now(runtime, trigger="test", now=later)
    assert (summary["events"], summary["tenant_events"]) == (1, 2)
    (kept,) = await gw.events()
    assert kept.sid == owed["CallSid"]
    assert {m.event_id for m in await gw.outbox()} == {kept.id}
    r = await hooks.call(tenant, "GET", "/events")
    assert [e["sid"] for e in r.json()["data"]] == [owed["CallSid"]]
    endpoint_id = (await hooks.call(tenant, "GET", "/webhook-endpoints")).json()["data"][0]["id"]
    log = await hooks.log(tenant, endpoint_id)
    assert log and {a["status_code"] for a in log} == {503}  # the owed call's attempts only
    assert await gw.count(WebhookDelivery) == 1

    # Once the receivers took the owed call's events, the next pass deletes them too.
    gw.app_sink.up = True
    hooks.apps.down.clear()
    await gw.deliver()
    await hooks.deliver(lambda: len(hooks.apps.types(ALL)) == 2)
    summary = await retention_now(runtime, trigger="test", now=later)
    assert (summary["events"], summary["tenant_events"]) == (1, 1)
    assert {m: await gw.count(m) for m in RECORDS} == dict.fromkeys(RECORDS, 0)
    # Nothing else is touched.
    for model in (PhoneNumber, Agent, WebhookEndpoint):
        assert await gw.count(model) == 1, model

    # Each pass is a job run with its summary.
    r = await gw.api.client.get("/v1/reconcile/runs?job=retention", headers=gw.api.platform)
    runs = r.json()["data"]
    assert r.status_code == 200 and len(runs) == 3, r.text
    assert all(run["status"] == "succeeded" for run in runs)
    assert sorted(run["summary"]["events"] for run in runs) == [0, 1, 1]

    # 0 days keeps everything, however old.
    monkeypatch.setattr(runtime.settings, "events_retention_days", 0)
    assert (await gw.post("voice", gw.call_params(gw.platform_sid, held.e164))).status_code == 200
    summary = await retention_now(runtime, trigger="test", now=utcnow() + timedelta(days=3650))
    assert (summary["events"], summary["tenant_events"]) == (0, 0)
    assert await gw.count(Event) == 1
