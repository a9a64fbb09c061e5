"""The job engine (DBOS) in this process, on SQLite and PostgreSQL: schedules and durable work."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from dbos import DBOS

from callplane.jobs import engine as jobs
from callplane.settings import Settings
from tests.fixtures.api import Api
from tests.fixtures.jobs import Twin, buy, eventually, number_row, runs

NEVER = "0 0 1 1 *"  # New Year's midnight: not during a test


async def _start(settings: Settings, **crons: str) -> str:
    values = {
        "reconcile_cron": NEVER,
        "health_cron": NEVER,
        "retention_cron": NEVER,
        "sends_cron": NEVER,
        "jobs_recovery_cron": NEVER,
        **crons,
    }
    return await jobs.start_engine_async(settings.model_copy(update=values))


@pytest.fixture
async def engine(api: Api) -> AsyncIterator[Any]:
    """Starts the engine on the test's database when asked; stopped after the test."""
    started: list[bool] = []

    async def start(**crons: str) -> str:
        started.append(True)
        return await _start(api.runtime.settings, **crons)

    yield start
    if started:
        # Schedules live in the database: leave none firing for the tests that follow.
        if jobs.engine_running():
            await _start(api.runtime.settings)
        await jobs.stop_engine_async()


async def test_cancellation_is_durable_work_on_the_queue(api: Api, twin: Twin, engine: Any) -> None:
    await engine()
    t = await api.tenant()
    mine = [await buy(api, t), await buy(api, t)]
    r = await api.client.put(
        f"/v1/tenants/{t.id}/subscription",
        json={"plan": "plan-10", "status": "canceled"},
        headers=api.platform,
    )
    assert r.status_code == 200

    async def released() -> bool:
        rows = [await number_row(api, n.id) for n in mine]
        return all(r.status == "released" for r in rows)

    await eventually(released, timeout=20)

    async def finished() -> bool:  # the rows change a moment before the workflow records it
        found = await asyncio.to_thread(
            DBOS.list_workflows, workflow_id_prefix=f"release-{t.id}-", load_input=False
        )
        return bool(found) and found[0].status != "PENDING"

    await eventually(finished, timeout=10)
    flows = await asyncio.to_thread(
        DBOS.list_workflows, workflow_id_prefix=f"release-{t.id}-", load_input=False
    )
    assert len(flows) == 1 and flows[0].status == "SUCCESS"
    assert flows[0].queue_name == jobs.QUEUE_NAME
    assert flows[0].output["released"] == 2
    # The same cancellation submitted again (a retried request) is the same workflow.
    await jobs.submit_release(
        api.runtime, t.id, "subscription_canceled", key=flows[0].workflow_id.rsplit("-", 1)[-1]
    )
    again = await asyncio.to_thread(
        DBOS.list_workflows, workflow_id_prefix=f"release-{t.id}-", load_input=False
    )
    assert len(again) == 1


async def test_scheduled_slots_run_once_each(api: Api, twin: Twin, engine: Any) -> None:
    t = await api.tenant()
    await buy(api, t)
    every_second = "* * * * * *"
    executor = await engine(
        reconcile_cron=every_second,
        health_cron=every_second,
        retention_cron=every_second,
        sends_cron=every_second,
    )

    async def some_slots() -> bool:
        done = [r for r in await runs(api, "reconcile") if r.status == "succeeded"]
        health = [r for r in await runs(api, "health") if r.status == "succeeded"]
        retention = [r for r in await runs(api, "retention") if r.status == "succeeded"]
        sends = [r for r in await runs(api, "sends") if r.status == "succeeded"]
        return len(done) >= 3 and len(health) >= 2 and len(retention) >= 2 and len(sends) >= 2

    await eventually(some_slots, timeout=30)
    await _start(api.runtime.settings)  # the schedules stop firing
    await asyncio.sleep(1.2)  # a slot fired just before may still be finishing
    reconciles = await runs(api, "reconcile")
    slots = [r.slot for r in reconciles]
    assert len(slots) == len(set(slots))  # one run per slot
    assert all(
        r.trigger == "schedule" and r.attempts == 1 for r in reconciles if r.status == "succeeded"
    )
    assert all(r.executor == executor for r in reconciles if r.executor)
    done = [r for r in reconciles if r.status == "succeeded"]
    assert all(r.summary["tenants_checked"] == 1 for r in done)
    for run in done:  # DBOS named the slot's workflow after the slot: one per slot
        assert run.workflow_id == f"sched-{jobs.RECONCILE_SCHEDULE}-{run.slot}"
    retention = [r for r in await runs(api, "retention") if r.status == "succeeded"]
    assert len({r.slot for r in retention}) == len(retention)
    for run in retention:  # nothing is old enough to go
        assert run.workflow_id == f"sched-callplane-retention-{run.slot}"
        assert (run.summary["events"], run.summary["tenant_events"]) == (0, 0)
    sends = [r for r in await runs(api, "sends") if r.status == "succeeded"]
    assert len({r.slot for r in sends}) == len(sends)
    for run in sends:  # no send is open
        assert run.workflow_id == f"sched-callplane-sends-{run.slot}"
        assert run.summary == {"looked_up": 0, "found": 0, "unknown": 0}
