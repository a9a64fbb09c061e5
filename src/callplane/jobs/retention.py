"""The daily retention slot (`callplane-retention`, CALLPLANE_RETENTION_CRON) as a job run:
recorded, executed, its summary kept (`events.retention` decides what goes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from callplane.events.retention import prune_events
from callplane.jobs.slots import ScheduledJob, slot_workflow
from callplane.runtime import Runtime

JOB = "retention"
SCHEDULE = "callplane-retention"


async def _prune(runtime: Runtime, now: datetime) -> dict[str, Any]:
    days = runtime.settings.events_retention_days
    return (await prune_events(runtime, now=now, days=days)).summary()


RETENTION = ScheduledJob(JOB, _prune)
# A retention run now (the CLI's `callplane retention`); its summary.
retention_now = RETENTION.run_now
# The slot's workflow, registered when jobs/engine.py imports this module.
retention_slot = slot_workflow(RETENTION)
