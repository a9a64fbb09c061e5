"""The gateway of one process: coalesced reads, the group-committing writer and the outbox
worker, started and stopped with the application."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from callplane.events.carry import ENDPOINTS_PURPOSE
from callplane.events.delivery import EndpointWorker
from callplane.gateway.hook import RoutingHook
from callplane.gateway.lookup import Lookup
from callplane.gateway.outbox import DeliveryPolicy, OutboxWorker
from callplane.gateway.recorder import EventWriter
from callplane.gateway.store import GatewayStore
from callplane.log import get_logger
from callplane.runtime import Runtime

log = get_logger(__name__)


class Gateway:
    """Everything the webhooks share within a process."""

    def __init__(self, runtime: Runtime, policy: DeliveryPolicy | None = None) -> None:
        self.settings = runtime.settings
        self.store = GatewayStore(runtime.settings.database_url)
        self.lookup = Lookup(
            self.store,
            twilio=runtime.twilio,
            secrets=runtime.secrets,
            grace=timedelta(seconds=runtime.settings.token_rotation_grace_seconds),
        )
        self.outbox = OutboxWorker(runtime, policy)
        # Tenant webhook endpoints (events/delivery.py): fed by the tenant events webhooks write.
        self.endpoints = EndpointWorker(runtime, self.store, policy)
        self.writer = EventWriter(self.store, on_written=self._wake)
        self.hook = RoutingHook(self.settings, self.lookup.tokens, self.store)

    def _wake(self, purposes: frozenset[str], tenant_events: bool) -> None:
        if purposes - {ENDPOINTS_PURPOSE}:
            self.outbox.wake()
        if tenant_events or ENDPOINTS_PURPOSE in purposes:
            self.endpoints.wake()

    async def start(self) -> None:
        """Start the outbox workers (rows left by a previous run are picked up at once)."""
        self.outbox.start()
        self.endpoints.start()

    async def stop(self) -> None:
        """Finish pending reads and writes, then stop the outbox worker."""
        try:
            await self.lookup.drain()
            await self.writer.drain()
        finally:
            await self.hook.close()
            await self.outbox.stop()
            await self.endpoints.stop()
            await self.store.close()


_frozen = False
# The collector's thresholds while serving (CPython's: 700, 10, 10). A request allocates a few
# hundred tracked objects that mostly die by reference counting; with a young generation of 700
# whatever is in flight at each young collection is promoted, and the old generation filled
# with them: a full collection about once a second, each walking every route kept (~600,000
# objects at 100,000 numbers: 30-170 ms, the webhook's p99). A young generation of 20,000
# lets requests end before they are looked at; a young collection then takes ~6 ms at most
# (docs/benchmarks.md, sixth pass). The routes kept are now out of the collector's sight
# (`route_cache`); a young generation of 5,000 gave shorter pauses but no better p99 (twenty-
# second pass).
COLLECTOR_THRESHOLDS = (20_000, 20, 10)


def _freeze_heap() -> None:
    """Once per process, at start: everything loaded so far (modules, models, compiled
    statements: most of the heap) lives as long as the process. Out of the collector's sight,
    a full collection no longer walks it: under webhook load one took ~100 ms (the p99). The
    collector then runs with `COLLECTOR_THRESHOLDS`."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.collect()
        gc.freeze()
        gc.set_threshold(*COLLECTOR_THRESHOLDS)


def gateway_of(app: Any) -> Gateway:
    """The app's gateway (made on first use when the app runs without its lifespan)."""
    gateway: Gateway | None = getattr(app.state, "gateway", None)
    if gateway is None:
        gateway = Gateway(app.state.runtime)
        app.state.gateway = gateway
    return gateway


@asynccontextmanager
async def gateway_lifespan(app: Any, runtime: Runtime) -> AsyncIterator[Gateway]:
    """Run the gateway for the life of the app (used by `create_app`'s lifespan)."""
    gateway = Gateway(runtime)
    app.state.gateway = gateway
    await gateway.start()
    _freeze_heap()
    try:
        yield gateway
    finally:
        await gateway.stop()
