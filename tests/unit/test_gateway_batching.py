"""Coalesced reads and writes: one fetch for concurrent callers, failures reach every waiter."""

from __future__ import annotations

import asyncio

import pytest

from callplane.gateway.batching import Batcher


async def test_concurrent_loads_share_fetches() -> None:
    calls: list[list[int]] = []

    async def fetch(batch: dict[int, object]) -> dict[int, int]:
        calls.append(sorted(batch))
        await asyncio.sleep(0.01)
        return {k: k * 10 for k in batch}

    b: Batcher[int, int] = Batcher(fetch, concurrency=1)
    results = await asyncio.gather(*(b.load(i) for i in range(100)), b.load(5))
    assert results == [i * 10 for i in range(100)] + [50]
    # The first caller is served alone and at once; everyone who queued meanwhile shares one fetch.
    assert len(calls) <= 3 and sum(len(c) for c in calls) == 100


async def test_max_batch_splits() -> None:
    sizes: list[int] = []

    async def fetch(batch: dict[int, object]) -> dict[int, int]:
        sizes.append(len(batch))
        return {k: k for k in batch}

    b: Batcher[int, int] = Batcher(fetch, concurrency=2, max_batch=10)
    assert await asyncio.gather(*(b.load(i) for i in range(35))) == list(range(35))
    assert max(sizes) <= 10 and sum(sizes) == 35


async def test_a_failed_fetch_fails_its_waiters_only() -> None:
    async def fetch(batch: dict[int, object]) -> dict[int, int]:
        if 3 in batch:
            raise RuntimeError("database down")
        return {k: k for k in batch}

    b: Batcher[int, int] = Batcher(fetch)
    with pytest.raises(RuntimeError):
        await b.load(3)
    assert await b.load(4) == 4


async def test_a_cancelled_caller_does_not_cancel_the_others() -> None:
    gate = asyncio.Event()

    async def fetch(batch: dict[int, object]) -> dict[int, int]:
        await gate.wait()
        return {k: k for k in batch}

    b: Batcher[int, int] = Batcher(fetch)
    first = asyncio.create_task(b.load(1))
    same = asyncio.create_task(b.load(1))
    await asyncio.sleep(0)
    first.cancel()
    gate.set()
    assert await same == 1
    await b.drain()
