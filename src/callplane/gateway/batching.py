"""Request coalescing for the hot path: concurrent webhooks share one database round trip.

`Batcher.load(key, payload)` parks the caller on a future; a runner takes every key queued so
far and resolves them all with one `fetch(batch)` call. At most `concurrency` fetches run at a
time, so under load the queue grows while a fetch is in flight and the next fetch serves the
whole queue: the number of database round trips grows with time, not with requests. A lone
request is served at once (no timer, no added latency).

Nothing is cached: a fetch starts after every key in it was queued, so it sees every change
committed before the request arrived.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

Fetch = Callable[[dict[Any, Any]], Awaitable[dict[Any, Any]]]


class Batcher(Generic[K, V]):
    """Coalesces concurrent `load`s into `fetch` calls of up to `max_batch` keys."""

    def __init__(self, fetch: Fetch, *, concurrency: int = 1, max_batch: int = 500) -> None:
        self._fetch = fetch
        self._max_batch = max_batch
        self._slots = asyncio.Semaphore(concurrency)
        self._pending: dict[K, tuple[Any, asyncio.Future[V]]] = {}
        self._scheduled = 0
        self._tasks: set[asyncio.Task[None]] = set()

    async def load(self, key: K, payload: Any = None) -> V:
        """The value for `key` (identical keys queued together are fetched once)."""
        queued = self._pending.get(key)
        if queued is None:
            future: asyncio.Future[V] = asyncio.get_running_loop().create_future()
            self._pending[key] = (payload, future)
            self._schedule()
        else:
            future = queued[1]
        # A caller that goes away (client disconnect, timeout) must not cancel the shared future.
        return await asyncio.shield(future)

    def _schedule(self) -> None:
        # One runner waits for each `max_batch` keys pending; extra ones would find nothing.
        if self._scheduled * self._max_batch >= len(self._pending):
            return
        self._scheduled += 1
        task = asyncio.get_running_loop().create_task(self._run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self) -> None:
        async with self._slots:
            self._scheduled -= 1
            if not self._pending:
                return
            keys = list(self._pending)[: self._max_batch]
            batch = {k: self._pending.pop(k) for k in keys}
            if self._pending:
                self._schedule()
            try:
                results = await self._fetch({k: payload for k, (payload, _) in batch.items()})
            except BaseException as exc:
                for _, future in batch.values():
                    if not future.done():
                        future.set_exception(
                            exc if isinstance(exc, Exception) else RuntimeError(repr(exc))
                        )
                if not isinstance(exc, Exception):
                    raise
                return
            for key, (_, future) in batch.items():
                if not future.done():
                    future.set_result(results.get(key))  # type: ignore[arg-type]

    async def drain(self) -> None:
        """Wait for every queued and running fetch (at shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
