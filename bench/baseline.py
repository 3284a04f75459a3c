"""The limit the kernel is compared with: raw asyncpg and raw aiokafka on the same database and broker.

Same payloads, same concurrency, same producer settings as the relay
(``shared.kafka.make_producer``), same fetch wait and batch size as the consumers.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from bench.meter import Meter
from bench.service import registration_data
from shared.kafka import client_security
from shared.settings import KernelSettings

_TABLES = """
CREATE TABLE raw_events (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    stream_id   TEXT  NOT NULL,
    event_id    UUID  NOT NULL UNIQUE,
    data        JSONB NOT NULL
);
CREATE TABLE raw_outbox (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id    UUID  NOT NULL UNIQUE,
    topic       TEXT  NOT NULL,
    payload     BYTEA NOT NULL
);
"""

_INSERT = "INSERT INTO raw_events (stream_id, event_id, data) VALUES ($1, $2, $3::text::jsonb)"
_INSERT_BOTH = """
WITH e AS (INSERT INTO raw_events (stream_id, event_id, data) VALUES ($1, $2, $3::text::jsonb))
INSERT INTO raw_outbox (event_id, topic, payload) VALUES ($2, $4, $5)
"""
_INSERT_BOTH_NOTIFY = """
WITH e AS (INSERT INTO raw_events (stream_id, event_id, data) VALUES ($1, $2, $3::text::jsonb)),
     o AS (INSERT INTO raw_outbox (event_id, topic, payload) VALUES ($2, $4, $5))
SELECT pg_notify($6, '')
"""
_INSERT_MANY = """
INSERT INTO raw_events (stream_id, event_id, data)
SELECT s, e, d::jsonb FROM unnest($1::text[], $2::uuid[], $3::text[]) AS u(s, e, d)
"""


def _data() -> str:
    return json.dumps(registration_data(), ensure_ascii=False, separators=(",", ":"))


async def create_schema(url: str, schema: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(f'CREATE SCHEMA "{schema}"; SET search_path = "{schema}"; {_TABLES}')
    finally:
        await conn.close()


async def drop_schema(url: str, schema: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await conn.close()


async def _connections(url: str, schema: str, count: int) -> list[asyncpg.Connection]:
    return list(
        await asyncio.gather(*(asyncpg.connect(url, server_settings={"search_path": schema}) for _ in range(count)))
    )


async def pg_single(
    url: str, schema: str, events: int, concurrency: int, *, with_outbox: bool, topic: str, message: bytes, notify: bool = False
) -> float:
    """One row (or event + outbox row, optionally + pg_notify, in one statement) per autocommit transaction; rows/s."""
    conns = await _connections(url, schema, concurrency)
    per_writer = _split(events, concurrency)
    rows = [[(f"raw-{w}-{i}", uuid.uuid4(), _data()) for i in range(n)] for w, n in enumerate(per_writer)]

    async def writer(conn: asyncpg.Connection, batch: list[tuple[str, uuid.UUID, str]]) -> None:
        for stream_id, event_id, data in batch:
            if notify:
                await conn.fetchval(_INSERT_BOTH_NOTIFY, stream_id, event_id, data, topic, message, f"bench_{schema}")
            elif with_outbox:
                await conn.execute(_INSERT_BOTH, stream_id, event_id, data, topic, message)
            else:
                await conn.execute(_INSERT, stream_id, event_id, data)

    try:
        start = time.perf_counter()
        await asyncio.gather(*(writer(c, b) for c, b in zip(conns, rows)))
        return events / (time.perf_counter() - start)
    finally:
        await asyncio.gather(*(c.close() for c in conns))


async def pg_batched(url: str, schema: str, events: int, batch: int, concurrency: int) -> float:
    """``batch`` rows per transaction in one INSERT … SELECT unnest statement; returns rows/s."""
    conns = await _connections(url, schema, concurrency)
    batches = [
        ([f"rawb-{b}"] * n, [uuid.uuid4() for _ in range(n)], [_data() for _ in range(n)])
        for b, n in enumerate(_chunks(events, batch))
    ]
    queue = list(reversed(batches))

    async def writer(conn: asyncpg.Connection) -> None:
        while queue:
            await conn.execute(_INSERT_MANY, *queue.pop())

    try:
        start = time.perf_counter()
        await asyncio.gather(*(writer(c) for c in conns))
        return events / (time.perf_counter() - start)
    finally:
        await asyncio.gather(*(c.close() for c in conns))


def producer(settings: KernelSettings) -> AIOKafkaProducer:
    """The relay's producer configuration (``shared.kafka.make_producer``)."""
    return AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        client_id="ocop-bench-raw",
        acks="all",
        enable_idempotence=settings.kafka_idempotence,
        linger_ms=2,
        request_timeout_ms=settings.kafka_request_timeout_ms,
        max_batch_size=256 * 1024,
        **client_security(settings),
    )


def _headers(event_id: uuid.UUID) -> list[tuple[str, bytes]]:
    return [("event_type", b"ProductRegistered"), ("schema_version", b"1"), ("event_id", str(event_id).encode())]


async def kafka_produce(settings: KernelSettings, topic: str, events: int, message: bytes, batch: int) -> float:
    """``events`` messages sent as the relay sends them (``batch`` at a time, then gather the acks); msgs/s."""
    p = producer(settings)
    await p.start()
    try:
        await p.send_and_wait(topic, message, key=b"warm-up")  # metadata and connection outside the clock
        start = time.perf_counter()
        for first in range(0, events, batch):
            futures = [
                await p.send(topic, message, key=f"bench-p-{i % 1000:06d}".encode(), headers=_headers(uuid.uuid4()))
                for i in range(first, min(first + batch, events))
            ]
            await asyncio.gather(*futures)
        return events / (time.perf_counter() - start)
    finally:
        await p.stop()


async def _assign_all(consumer: AIOKafkaConsumer, topic: str) -> list[TopicPartition]:
    partitions = consumer.partitions_for_topic(topic)
    while not partitions:
        await consumer._client.force_metadata_update()  # a fresh client knows no topic until it asks
        partitions = consumer.partitions_for_topic(topic)
    assigned = [TopicPartition(topic, p) for p in sorted(partitions)]
    consumer.assign(assigned)
    return assigned


def consumer(settings: KernelSettings) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=settings.kafka_fetch_max_wait_ms,
        **client_security(settings),
    )


async def kafka_consume(
    settings: KernelSettings, topic: str, events: int, *, on_first: Callable[[], None] = lambda: None, timeout: float = 60.0
) -> dict[str, float]:
    """Read ``events`` messages from the beginning (assigned partitions, no group), ``consumer_batch_size`` per getmany.

    Like the kernel's consumer figure, the rate is timed from the moment the first batch was in hand.
    """
    c = consumer(settings)
    await c.start()
    try:
        partitions = await _assign_all(c, topic)
        await c.seek_to_beginning(*partitions)
        seen, first_at, start = 0, 0.0, time.perf_counter()
        deadline = start + timeout
        while seen < events and time.perf_counter() < deadline:
            got = await c.getmany(timeout_ms=settings.kafka_fetch_max_wait_ms, max_records=settings.consumer_batch_size)
            seen += sum(len(records) for records in got.values())
            if seen and not first_at:
                first_at = time.perf_counter()
                on_first()
        end = time.perf_counter()
        if seen < events:
            raise RuntimeError(f"raw consumer read {seen} of {events} messages in {timeout}s")
        return {"rate": seen / (end - first_at) if end > first_at else float("nan"), "startup": first_at - start}
    finally:
        await c.stop()


async def kafka_latency(
    settings: KernelSettings, topic: str, rates: list[float], duration: float, message: bytes, meter: Callable[[], Meter]
) -> dict[float, dict[str, Any]]:
    """Produce at each steady rate, one message at a time, and time send → the consumer's getmany returned it."""
    c = consumer(settings)
    p = producer(settings)
    await asyncio.gather(c.start(), p.start())
    sent: dict[bytes, float] = {}
    received: dict[bytes, float] = {}
    stop = asyncio.Event()

    async def read() -> None:
        while not stop.is_set():
            got = await c.getmany(timeout_ms=settings.kafka_fetch_max_wait_ms, max_records=settings.consumer_batch_size)
            now = time.perf_counter()
            for records in got.values():
                for r in records:
                    received.setdefault(dict(r.headers).get("event_id", b""), now)

    async def send(key: bytes) -> None:
        event_id = str(uuid.uuid4()).encode()
        sent[event_id] = time.perf_counter()
        await p.send_and_wait(topic, message, key=key, headers=[("event_id", event_id)])

    results: dict[float, dict[str, Any]] = {}
    try:
        partitions = await _assign_all(c, topic)
        await c.seek_to_end(*partitions)
        for tp in partitions:
            await c.position(tp)  # resolve the end offsets before the first send
        reader = asyncio.create_task(read())
        await send(b"warm-up")
        for rate in rates:
            await _until(lambda: set(sent) <= set(received), 30)
            sent.clear()
            received.clear()
            total = int(rate * duration)
            tasks: set[asyncio.Task[Any]] = set()
            with (m := meter()):
                start = time.perf_counter()
                for i in range(total):
                    delay = start + i / rate - time.perf_counter()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    task = asyncio.create_task(send(f"bench-p-{i % 1000:06d}".encode()))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
                await asyncio.gather(*tasks)
                await _until(lambda: set(sent) <= set(received), 30)
            latencies = [received[k] - t for k, t in sent.items() if k in received]
            results[rate] = {"latencies": latencies, "usage": m.usage, "events": len(latencies)}
        stop.set()
        await reader
        return results
    finally:
        await asyncio.gather(c.stop(), p.stop())


async def _until(check: Callable[[], bool], timeout: float) -> None:
    deadline = time.perf_counter() + timeout
    while not check() and time.perf_counter() < deadline:
        await asyncio.sleep(0.02)


def _split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def _chunks(total: int, size: int) -> list[int]:
    return [min(size, total - start) for start in range(0, total, size)]
