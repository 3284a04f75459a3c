"""Outbox relay over the real broker: once, in order per key, traced, and robust to a stalled broker or a crash."""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict

import pytest
from aiokafka.errors import KafkaError
from opentelemetry import trace

from shared.kafka import read_topic as read_whole_topic
from shared.relay import OutboxRelay
from tests.kernel.support import eventually, header, new_topic, read_topic, tally_service
from tests.kernel.tally import open_and_increment

tracer = trace.get_tracer("tests")


async def _outbox_order(svc) -> dict[str, list[str]]:
    async with svc.pool.acquire() as conn:
        rows = await conn.fetch("SELECT message_key, event_id FROM outbox ORDER BY id")
    order: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        order[row["message_key"]].append(str(row["event_id"]))
    return order


async def _pending(svc) -> int:
    async with svc.pool.acquire() as conn:
        return await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")


async def test_outbox_rows_are_published_once_in_order_per_product_with_the_trace(launcher):
    topic = new_topic(launcher)
    async with tally_service(launcher, topic, consume=False) as svc:
        with tracer.start_as_current_span("http command") as span:
            trace_id = format(span.get_span_context().trace_id, "032x")
            await asyncio.gather(
                *(open_and_increment(svc.uow(), f"t-{p}-{uuid.uuid4()}", f"product-{p}", [1] * 10, topic) for p in range(5))
            )
        records = await read_topic(launcher.bootstrap_servers, topic, count=50)
        await eventually(lambda: _zero_pending(svc), what="outbox drained")
        expected = await _outbox_order(svc)

    seen: dict[str, list[str]] = defaultdict(list)
    for record in sorted(records, key=lambda r: (r.partition, r.offset)):
        seen[record.key.decode()].append(header(record, "event_id"))
    assert len(records) == 50
    assert seen == expected
    traceparents = {header(r, "traceparent") for r in records}
    assert all(tp and tp.split("-")[1] == trace_id for tp in traceparents)


async def _zero_pending(svc) -> bool:
    return await _pending(svc) == 0


async def test_events_appended_while_the_broker_is_stalled_all_arrive_after_it_resumes(launcher):
    topic = new_topic(launcher)
    async with tally_service(launcher, topic, consume=False) as svc:
        await eventually(lambda: _leader(svc), what="relay leadership")
        launcher.broker.pause()
        try:
            for p in range(4):
                await open_and_increment(svc.uow(), f"t-{uuid.uuid4()}", f"stalled-{p}", [1, 2, 3], topic)
            assert await _pending(svc) == 12  # nothing can leave while the broker is stopped
        finally:
            launcher.broker.resume()
        await eventually(lambda: _zero_pending(svc), timeout=60, what="outbox drained after resume")
        records = await read_topic(launcher.bootstrap_servers, topic, count=12)
    event_ids = [header(r, "event_id") for r in records]
    assert len(set(event_ids)) == 12


async def _leader(svc) -> bool:
    return bool(svc.relay and svc.relay.is_leader)


async def test_a_relay_that_dies_between_publish_and_mark_repeats_harmlessly(launcher):
    topic = new_topic(launcher)
    async with tally_service(launcher, topic, relay=False) as svc:
        for p in range(3):
            await open_and_increment(svc.uow(), f"t-{uuid.uuid4()}", f"crash-{p}", [1, 1], topic)
        crashed = OutboxRelay(svc.pool, svc.settings, regenerate=svc.regenerate_outbox)
        await crashed._start_producer()
        async with svc.pool.acquire() as conn:
            rows = await conn.fetch("SELECT id, topic, message_key, payload, headers FROM outbox ORDER BY id")
        await crashed.send(rows)  # published, but the process "dies" before marking the rows
        await crashed._producer.stop()
        assert await _pending(svc) == 6

        successor = OutboxRelay(svc.pool, svc.settings, regenerate=svc.regenerate_outbox)
        task = asyncio.create_task(successor.run())
        try:
            await eventually(lambda: _zero_pending(svc), what="successor drained the outbox")
            records = await read_topic(launcher.bootstrap_servers, topic, count=12)
            await eventually(lambda: _received_total(svc, 6), what="consumer saw every event")
            await eventually(lambda: _handled(svc, 12), what="consumer went through the repeats")
            async with svc.pool.acquire() as conn:
                received = dict(await conn.fetch("SELECT product_id, messages FROM received"))
                inbox = await conn.fetchval("SELECT count(*) FROM inbox")
        finally:
            task.cancel()
    assert len(records) == 12 and len({header(r, "event_id") for r in records}) == 6
    assert received == {"crash-0": 2, "crash-1": 2, "crash-2": 2}
    assert inbox == 6


async def test_a_batch_that_fails_on_one_row_marks_the_rest_and_sends_nothing_twice(launcher):
    """A batch spans partitions and one can fail alone (a broker that forgot the producer's id answers one partition's
    batch OutOfOrderSequenceNumber): the rows the broker took stay published, the failed row goes again, alone."""
    topic = new_topic(launcher)
    async with tally_service(launcher, topic, relay=False) as svc:
        for p in range(3):
            await open_and_increment(svc.uow(), f"t-{uuid.uuid4()}", f"part-{p}", [1, 1], topic)
        relay = OutboxRelay(svc.pool, svc.settings, regenerate=svc.regenerate_outbox)
        lock_conn = await svc.pool.acquire()
        await relay._become_leader(lock_conn)
        await relay._start_producer()
        send = relay._producer.send
        refused: list[str] = []

        async def failing_once_for_part_1(topic_name, value, *, key, headers):
            # The key's first row fails as the broker would answer it; every other row is sent and acknowledged.
            if key == b"part-1" and not refused:
                refused.append(key.decode())
                failure: asyncio.Future = asyncio.get_running_loop().create_future()
                failure.set_exception(KafkaError("partition refused the batch"))
                return failure
            return await send(topic_name, value, key=key, headers=headers)

        relay._producer.send = failing_once_for_part_1
        try:
            with pytest.raises(KafkaError, match="partition refused"):
                await relay.publish_pending()
            async with svc.pool.acquire() as conn:
                pending = [str(r["event_id"]) for r in await conn.fetch(
                    "SELECT event_id FROM outbox WHERE published_at IS NULL ORDER BY id")]
            assert await relay.publish_pending() == 1
            records = await read_whole_topic(launcher.bootstrap_servers, topic)
        finally:
            await relay._close(lock_conn)
        expected = await _outbox_order(svc)
    assert pending == expected["part-1"][:1]  # the refused row only
    event_ids = [header(r, "event_id") for r in records]
    assert sorted(event_ids) == sorted(e for ids in expected.values() for e in ids)  # each event once


async def _received_total(svc, total: int) -> bool:
    async with svc.pool.acquire() as conn:
        return (await conn.fetchval("SELECT coalesce(sum(messages), 0) FROM received")) >= total


async def _handled(svc, count: int) -> bool:
    return sum(c.handled for c in svc.consumers) >= count


async def test_a_relay_that_loses_its_database_session_wins_leadership_again_and_goes_on(launcher):
    topic = new_topic(launcher)
    async with tally_service(launcher, topic, consume=False) as svc:
        await eventually(lambda: _leader(svc), what="relay leadership")
        async with svc.pool.acquire() as conn:
            terminated = await conn.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype = 'advisory' AND pid <> pg_backend_pid()"
                " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                " AND objid = hashtext($1)::oid",
                f"relay:{svc.settings.schema}",
            )
        await open_and_increment(svc.uow(), f"t-{uuid.uuid4()}", "after-session-loss", [1, 2], topic)
        await eventually(lambda: _zero_pending(svc), timeout=60, what="outbox drained by the re-elected relay")
        records = await read_topic(launcher.bootstrap_servers, topic, count=2)
    assert terminated == 1
    assert len(records) == 2
