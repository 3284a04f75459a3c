"""Positions of the feed under concurrent writers: transactions that began in one order commit in another, some hold
the counter while others wait, some carry an event another one carries too; a reader paging all along from its last
position sees every event of the store exactly once, in position order, with no gap. ``ocop rebuild`` leaves the
feed log alone (its positions are promises) and rebuilds the keys."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
import pytest_asyncio

from services.monitoring.feed.adapters import log
from services.monitoring.service import definition
from shared.contracts import serialize_event
from shared.rebuild import rebuild
from tests.kernel.support import eventually
from tests.monitoring.feed_support import Feed, feed_service
from tests.monitoring.public import rated, registered

pytestmark = pytest.mark.asyncio(loop_scope="module")
WRITERS = 24


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def feed(launcher) -> AsyncIterator[Feed]:
    async with feed_service(launcher) as running:
        yield running


async def _connect(feed: Feed) -> asyncpg.Connection:
    return await asyncpg.connect(feed.settings.database_url,
                                 server_settings={"search_path": f"{feed.settings.schema},public"})


class Writer:
    """One appending transaction the test steers: begun, then told to append, then (if ``holds``) kept open."""

    def __init__(self, feed: Feed, envelope: Any, holds: bool) -> None:
        self.feed, self.envelope = feed, envelope
        self.go, self.appended = asyncio.Event(), asyncio.Event()
        self.hold = asyncio.Event() if holds else None
        self.began = asyncio.Event()
        self.pid = 0
        self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        conn = await _connect(self.feed)
        self.pid = conn.get_server_pid()
        try:
            async with conn.transaction():
                # The transaction's other work (a consumer's inbox row) comes first, as in the subscription.
                await conn.execute("SELECT count(*) FROM feed_districts")
                self.began.set()
                await self.go.wait()
                await log.append(conn, self.envelope, serialize_event(self.envelope).decode())
                self.appended.set()
                if self.hold is not None:
                    await self.hold.wait()  # committed later than writers that appended after it
        finally:
            await conn.close()

    async def settled(self, pool: asyncpg.Pool) -> bool:
        """Appended, or waiting for a lock (the counter another writer holds)."""
        if self.appended.is_set() or self.task.done():
            return True
        return bool(await pool.fetchval("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = $1",
                                        self.pid))


class Reader:
    """Pages the feed all along, each page from the position the last one gave."""

    def __init__(self, feed: Feed, key: str, after: int) -> None:
        self.feed, self.key, self.after = feed, key, after
        self.seen: list[dict[str, Any]] = []
        self.stop = False
        self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while not self.stop:
            events, self.after = await self.feed.page(self.key, after=self.after, limit=3, timeout=1)
            self.seen.extend(events)

    async def caught_up(self, pool: asyncpg.Pool) -> bool:
        return self.after >= (await pool.fetchval("SELECT coalesce(max(position), 0) FROM feed_log"))


async def test_a_reader_paging_beside_concurrent_writers_sees_each_event_once_in_order_without_gaps(feed):
    key = await feed.key()
    pool = feed.runtime.pool
    start = await pool.fetchval("SELECT last FROM feed_counter")
    rng = random.Random(14)
    unique = [rated(f"gap-{uuid.uuid4().hex[:8]}") if i % 2 else registered(f"gap-{uuid.uuid4().hex[:8]}")
              for i in range(WRITERS - 4)]
    envelopes = unique + [unique[i] for i in rng.sample(range(len(unique)), 4)]  # four heard twice at once
    writers = []
    for envelope in envelopes:  # begun in this order…
        writers.append(Writer(feed, envelope, holds=rng.random() < 0.3))
        await writers[-1].began.wait()
    reader = Reader(feed, key, start)

    for writer in rng.sample(writers, len(writers)):  # …told to append in another, some committing late
        writer.go.set()
        await eventually(lambda w=writer: w.settled(pool), what="the writer appended or waiting")
        await eventually(lambda: reader.caught_up(pool), what="the reader caught up")
        held = [w for w in writers if w.hold is not None and w.appended.is_set() and not w.hold.is_set()]
        if held and rng.random() < 0.4:
            rng.choice(held).hold.set()
    for writer in writers:
        if writer.hold is not None:
            writer.hold.set()
    await asyncio.wait_for(asyncio.gather(*(w.task for w in writers)), 120)
    await eventually(lambda: reader.caught_up(pool), what="the reader caught up")
    reader.stop = True
    await asyncio.wait_for(reader.task, 30)

    stored = await pool.fetch("SELECT position, event_id FROM feed_log WHERE position > $1 ORDER BY position", start)
    assert [e["id"] for e in reader.seen] == [str(r["event_id"]) for r in stored], "the store, once each, in order"
    assert [e["position"] for e in reader.seen] == list(range(start + 1, start + len(unique) + 1)), "no gap"
    assert {e["id"] for e in reader.seen} == {str(e.event_id) for e in unique}
    assert any(w.hold is not None for w in writers)


async def test_rebuilding_monitoring_keeps_the_feed_and_rebuilds_the_keys(feed):
    key = await feed.key("ProductRated")
    pool = feed.runtime.pool
    envelope = rated(f"rb-{uuid.uuid4().hex[:8]}")
    async with pool.acquire() as conn, conn.transaction():
        await log.append(conn, envelope, serialize_event(envelope).decode())
    feed_before = await pool.fetch("SELECT position, event_id FROM feed_log ORDER BY position")
    keys_before = await pool.fetch("SELECT * FROM feed_keys ORDER BY key_id")

    await rebuild(pool, list(definition.projections()), definition.events)

    assert await pool.fetch("SELECT position, event_id FROM feed_log ORDER BY position") == feed_before
    assert await pool.fetch("SELECT * FROM feed_keys ORDER BY key_id") == keys_before
    events, _ = await feed.page(key, after=feed_before[-1]["position"] - 1)
    assert [e["id"] for e in events] == [str(envelope.event_id)]
