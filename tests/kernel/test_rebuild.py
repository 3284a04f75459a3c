"""Projections are disposable: a rebuild from the event store equals what live processing built."""

from __future__ import annotations

import asyncio
import uuid

from shared.projections import rebuild
from tests.kernel.support import new_topic, tally_service
from tests.kernel.tally import open_and_increment


async def _tallies(svc) -> list[tuple]:
    async with svc.pool.acquire() as conn:
        return [tuple(r) for r in await conn.fetch("SELECT * FROM tallies ORDER BY tally_id")]


async def test_rebuilding_projections_gives_the_rows_live_processing_built(launcher):
    topic = new_topic(launcher)
    async with tally_service(launcher, topic, consume=False, relay=False) as svc:
        await asyncio.gather(
            *(open_and_increment(svc.uow(), f"t-{i}-{uuid.uuid4()}", f"p-{i}", list(range(1, i + 2)), topic) for i in range(30))
        )
        live = await _tallies(svc)
        async with svc.pool.acquire() as conn:
            await conn.execute("UPDATE tallies SET total = -1")  # a corrupted read model
        progress: list[tuple[int, int]] = []
        replayed = await rebuild(svc.pool, svc.projections, batch_size=50, progress=lambda d, t: progress.append((d, t)))
        rebuilt = await _tallies(svc)

    events = sum(i + 2 for i in range(30))
    assert replayed == events
    assert rebuilt == live and len(live) == 30
    assert progress[-1] == (events, events) and len(progress) == -(-events // 50)
