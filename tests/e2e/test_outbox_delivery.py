"""The outbox: events reach the tenant's app signed, retried while it is down, after a restart of
the worker and after a worker died mid-delivery; never blocking the answer to Twilio."""

from __future__ import annotations

import asyncio
import time

import httpx

from callplane.gateway import event_signature
from callplane.gateway.outbox import DeliveryPolicy, OutboxWorker
from tests.fixtures.gateway import APP_URL, GatewayKit


async def _routed(gw: GatewayKit) -> tuple:
    tenant, account = await gw.tenant("master")
    agent_id, secret = await gw.agent(tenant)
    held = await gw.buy(tenant, agent_id)
    return tenant, account, agent_id, secret, held


async def test_tenant_app_down_then_up(gw: GatewayKit) -> None:
    _, account, _, secret, held = await _routed(gw)
    gw.app_sink.up = False
    for _ in range(3):
        r = await gw.post("voice", gw.call_params(account, held.e164))
        assert r.status_code == 200
    # The worker keeps trying (with backoff) while the app answers 503.
    deadline = time.monotonic() + 10
    while gw.app_sink.refused < 6 and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert gw.app_sink.refused >= 6
    rows = await gw.outbox()
    assert len(rows) == 3 and all(r.delivered_at is None and r.failed_at is None for r in rows)
    assert all(r.last_status == 503 and r.attempts >= 2 for r in rows)

    gw.app_sink.up = True
    await gw.deliver()
    assert len(gw.app_sink.received) == 3
    for request in gw.app_sink.received:
        assert str(request.url) == APP_URL
        assert event_signature.verify(
            secret, request.headers[event_signature.HEADER], request.content
        )
        assert request.headers["Callplane-Event-Id"]
    rows = await gw.outbox()
    assert all(r.delivered_at is not None and r.lease is None for r in rows)


async def test_delivery_survives_a_restart_of_the_worker(gw: GatewayKit) -> None:
    _, account, _, secret, held = await _routed(gw)
    await gw.gateway.outbox.stop()
    for _ in range(2):
        assert (await gw.post("voice", gw.call_params(account, held.e164))).status_code == 200
    await asyncio.sleep(0.2)
    assert gw.app_sink.received == []
    assert [r.delivered_at for r in await gw.outbox()] == [None, None]

    # A new worker (a restarted process) knows nothing but the database.
    worker = OutboxWorker(
        gw.api.runtime,
        DeliveryPolicy(poll_interval=0.05),
        transport=httpx.MockTransport(gw.app_sink.handler),
    )
    worker.start()
    try:
        deadline = time.monotonic() + 10
        while len(gw.app_sink.received) < 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
    finally:
        await worker.stop()
    assert len(gw.app_sink.received) == 2
    assert all(
        event_signature.verify(secret, r.headers[event_signature.HEADER], r.content)
        for r in gw.app_sink.received
    )


async def test_a_worker_that_dies_mid_delivery_leaves_the_row_to_another(gw: GatewayKit) -> None:
    _, account, _, _, held = await _routed(gw)
    await gw.gateway.outbox.stop()
    await gw.post("voice", gw.call_params(account, held.e164))
    dead = OutboxWorker(gw.api.runtime, DeliveryPolicy(lease=0.3))
    claimed = await dead._claim()  # claimed, then the process "crashes" before sending
    assert len(claimed) == 1
    survivor = OutboxWorker(
        gw.api.runtime, DeliveryPolicy(), transport=httpx.MockTransport(gw.app_sink.handler)
    )
    assert await survivor.run_once() == 0  # leased: not taken while its worker may still be at it
    await asyncio.sleep(0.35)
    assert await survivor.run_once() == 1
    (row,) = await gw.outbox()
    assert row.delivered_at is not None and row.attempts == 2
    assert len(gw.app_sink.received) == 1


async def test_a_slow_tenant_app_never_slows_the_answer_to_twilio(gw: GatewayKit) -> None:
    _, account, _, _, held = await _routed(gw)
    arrived = asyncio.Event()

    async def slow(request: httpx.Request) -> httpx.Response:
        arrived.set()
        await asyncio.sleep(3)
        return httpx.Response(200)

    gw.gateway.outbox.transport = httpx.MockTransport(slow)
    await gw.post("voice", gw.call_params(account, held.e164))
    await asyncio.wait_for(arrived.wait(), 5)  # the worker is now stuck on the slow app
    started = time.monotonic()
    r = await gw.post("voice", gw.call_params(account, held.e164))
    assert r.status_code == 200 and time.monotonic() - started < 1.0


async def test_events_of_a_deleted_agent_are_given_up(gw: GatewayKit) -> None:
    tenant, account, agent_id, _, held = await _routed(gw)
    await gw.gateway.outbox.stop()
    await gw.post("voice", gw.call_params(account, held.e164))
    r = await gw.api.client.delete(
        f"/v1/tenants/{tenant.id}/agents/{agent_id}", headers=tenant.headers()
    )
    assert r.status_code == 204
    worker = OutboxWorker(gw.api.runtime, transport=httpx.MockTransport(gw.app_sink.handler))
    assert await worker.run_once() == 1
    (row,) = await gw.outbox()
    assert (
        row.failed_at is not None
        and row.delivered_at is None
        and "no longer exists" in row.last_error
    )
    assert gw.app_sink.received == []


async def test_old_undeliverable_rows_are_given_up(gw: GatewayKit) -> None:
    _, account, _, _, held = await _routed(gw)
    await gw.gateway.outbox.stop()
    gw.app_sink.up = False
    await gw.post("voice", gw.call_params(account, held.e164))
    from datetime import timedelta

    worker = OutboxWorker(
        gw.api.runtime,
        DeliveryPolicy(max_age=timedelta(0)),
        transport=httpx.MockTransport(gw.app_sink.handler),
    )
    assert await worker.run_once() == 1
    (row,) = await gw.outbox()
    assert row.failed_at is not None and row.last_status == 503
    assert await worker.run_once() == 0  # given up rows are not tried again


async def test_each_worker_is_woken_only_by_rows_it_carries(gw: GatewayKit) -> None:
    """A call to an agent without an events URL writes only the tenant-events row: the outbox
    worker is not woken for it (an idle pass is still a transaction, once per webhook)."""
    tenant, account = await gw.tenant("master")
    agent_id, _ = await gw.agent(tenant, events_url=None)
    held = await gw.buy(tenant, agent_id)
    woken: list[str] = []
    gw.gateway.outbox.wake = lambda: woken.append("outbox")  # type: ignore[method-assign]
    gw.gateway.endpoints.wake = lambda: woken.append("endpoints")  # type: ignore[method-assign]
    r = await gw.post("voice", gw.call_params(account, held.e164))
    assert r.status_code == 200
    assert woken == ["endpoints"]

    _, account2, _, _, held2 = await _routed(gw)  # an agent with an events URL
    woken.clear()
    r = await gw.post("voice", gw.call_params(account2, held2.e164))
    assert r.status_code == 200
    assert sorted(woken) == ["endpoints", "outbox"]
