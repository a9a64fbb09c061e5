"""The served app's garbage collector (issue 20): what was loaded at start is frozen, and the
young generation is large enough that a request's objects die before the collector looks at
them (full collections walking every kept route were the webhook's p99 at 100,000 numbers)."""

from __future__ import annotations

import gc

from callplane.gateway.lifespan import COLLECTOR_THRESHOLDS
from tests.fixtures.api import Api


async def test_a_started_app_freezes_its_heap_and_collects_with_its_thresholds(api: Api) -> None:
    r = await api.client.get("/healthz")
    assert r.status_code == 200
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == COLLECTOR_THRESHOLDS
    assert COLLECTOR_THRESHOLDS[0] >= 10_000  # what took the full collections off the p99
