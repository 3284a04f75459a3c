"""The store is the system of record: a new, empty broker receives every event again, and nothing doubles."""

from __future__ import annotations

import uuid
from datetime import timedelta

from shared.kafka import ensure_topics
from shared.retention import prune
from tests.kernel.support import eventually, header, new_topic, read_topic, tally_service
from tests.kernel.tally import open_and_increment


async def _snapshot(svc) -> tuple[list[tuple], list[tuple], int]:
    async with svc.pool.acquire() as conn:
        received = [tuple(r) for r in await conn.fetch("SELECT product_id, messages FROM received ORDER BY 1")]
        tallies = [tuple(r) for r in await conn.fetch("SELECT * FROM tallies ORDER BY 1")]
        inbox = await conn.fetchval("SELECT count(*) FROM inbox")
    return received, tallies, inbox


async def _received(svc, total: int) -> bool:
    async with svc.pool.acquire() as conn:
        return (await conn.fetchval("SELECT coalesce(sum(messages), 0) FROM received")) >= total


async def test_a_new_empty_broker_gets_every_event_again_and_projections_stay_equal(launcher):
    name = f"kt_{uuid.uuid4().hex[:10]}"
    topic = new_topic(launcher)
    async with tally_service(launcher, topic, name=name) as svc:
        for p in range(4):
            await open_and_increment(svc.uow(), f"t-{p}-{uuid.uuid4()}", f"restart-{p}", [1, 2], topic)
        await eventually(lambda: _received(svc, 8), what="all events consumed before the restart")
        before = await _snapshot(svc)
    old_cluster = launcher.broker.cluster_id

    launcher.broker.restart_empty()
    launcher.create_topics()
    ensure_topics(launcher.bootstrap_servers, [topic], partitions=3)  # the same topic, on the new broker

    async with tally_service(launcher, topic, name=name) as svc:
        records = await read_topic(launcher.bootstrap_servers, topic, count=8, timeout=60)
        await eventually(lambda: _handled(svc, 8), timeout=60, what="consumer went through the republished events")
        after = await _snapshot(svc)
        async with svc.pool.acquire() as conn:
            known_cluster = await conn.fetchval("SELECT cluster_id FROM relay_state")

    assert launcher.broker.cluster_id != old_cluster and known_cluster == launcher.broker.cluster_id
    assert len({header(r, "event_id") for r in records}) == 8
    assert after == before
    assert before[0] == [(f"restart-{p}", 2) for p in range(4)]


async def test_after_the_outbox_is_pruned_an_empty_broker_gets_every_public_event_once_derived_from_the_store(launcher):
    name = f"kt_{uuid.uuid4().hex[:10]}"
    topic = new_topic(launcher)
    async with tally_service(launcher, topic, name=name) as svc:
        for p in range(3):
            await open_and_increment(svc.uow(), f"t-{p}-{uuid.uuid4()}", f"pruned-{p}", [1, 2, 3], topic)
        await eventually(lambda: _received(svc, 9), what="all events consumed before the loss")
        first = {header(r, "event_id"): r.value for r in await read_topic(launcher.bootstrap_servers, topic, count=9)}
        before = await _snapshot(svc)
        async with svc.pool.acquire() as conn:
            pruned = await prune(conn, outbox_older_than=timedelta(0), inbox_older_than=timedelta(days=30))
            left = await conn.fetchval("SELECT count(*) FROM outbox")

    launcher.broker.restart_empty()
    launcher.create_topics()
    ensure_topics(launcher.bootstrap_servers, [topic], partitions=3)

    async with tally_service(launcher, topic, name=name) as svc:
        records = await read_topic(launcher.bootstrap_servers, topic, count=9, timeout=60)
        await eventually(lambda: _handled(svc, 9), timeout=60, what="consumer went through the derived events")
        beyond = await read_topic(launcher.bootstrap_servers, topic, count=10, timeout=2)  # and any beyond them
        after = await _snapshot(svc)

    assert (pruned.outbox, left) == (9, 0)
    again = {header(r, "event_id"): r.value for r in records}
    assert len(beyond) == 9, "each public event once on the new broker"
    assert again == first, "derived again from the store with the same ids and bytes"
    assert after == before, "the consumer took every one as a repeat"


async def _handled(svc, count: int) -> bool:
    return sum(c.handled for c in svc.consumers) >= count
