"""The inbox consumer under faults, over the real broker and PostgreSQL.

A failing event holds back no other partition; a full batch of failing events never holds the poll loop long enough
for the broker to drop the consumer from its group; a replay from offset 0 dead-letters nothing twice, and a dead
letter continues its event's trace; a broker replaced by an empty one while the service runs gets its topics back
from the consumer, which goes on consuming without a restart and without flooding the log.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from kafka.admin import KafkaAdminClient
from structlog.testing import capture_logs

from shared.consumer import Subscription
from shared.contracts import kafka_headers, serialize_event
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings
from tests.kernel.support import eventually, header, new_topic
from tests.kernel.tally import count_received, definition, registered, settings_for

TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


class Recorder:
    """The tally's consumer handler, counting the calls per product; hold-* products wait for ``gate``."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.holding = asyncio.Event()
        self.gate = asyncio.Event()
        self.gate.set()

    async def __call__(self, envelope: Any, uow: Any, ports: Any) -> None:
        self.calls[envelope.product_id] += 1
        if envelope.product_id.startswith("hold"):
            self.holding.set()
            await self.gate.wait()
        await count_received(envelope, uow, ports)  # poison-* products raise


@asynccontextmanager
async def _service(
    launcher: Any, topic: str, handler: Recorder, name: str | None = None, settings_type: type[ServiceSettings] = ServiceSettings,
    **settings: Any,
) -> AsyncIterator[ServiceRuntime]:
    name = name or f"kt_{uuid.uuid4().hex[:10]}"
    subscriptions = (Subscription("tally-counter", (topic,), handler),)
    service = dataclasses.replace(definition(name, topic), subscriptions=subscriptions)
    runtime = ServiceRuntime(service, settings_type(**settings_for(launcher, name, **settings).model_dump()))
    await runtime.start(relay=False)
    try:
        yield runtime
    finally:
        await runtime.stop()


async def _produce(bootstrap: str, topic: str, events: list[Any], *, partition: int, traceparent: str | None = None) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False, acks="all")
    await producer.start()
    try:
        for envelope in events:
            headers = kafka_headers(envelope, traceparent)
            await producer.send_and_wait(topic, serialize_event(envelope), key=envelope.product_id.encode(), partition=partition, headers=headers)
    finally:
        await producer.stop()


async def _all_records(bootstrap: str, topic: str) -> list[ConsumerRecord]:
    """Everything on ``topic`` now: read from the beginning up to each partition's end offset."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()  # a fresh client knows no topic until it asks
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        await consumer.seek_to_beginning(*partitions)
        records: list[ConsumerRecord] = []
        while [tp for tp, end in ends.items() if await consumer.position(tp) < end]:
            for batch in (await consumer.getmany(timeout_ms=200)).values():
                records.extend(batch)
        return records
    finally:
        await consumer.stop()


async def _count(svc: ServiceRuntime, sql: str) -> int:
    async with svc.pool.acquire() as conn:
        return await conn.fetchval(sql)


def _dead_letter_offsets(records: list[ConsumerRecord]) -> Counter[tuple[str, str]]:
    return Counter((header(r, "dlq.partition"), header(r, "dlq.offset")) for r in records)


async def test_a_failing_event_holds_back_no_other_partition(launcher):
    topic, calls = new_topic(launcher, partitions=2), Recorder()
    poison = [registered(f"poison-{i}") for i in range(10)]
    async with _service(launcher, topic, calls, consumer_max_retries=2, consumer_retry_backoff_seconds=0.2) as svc:
        await _produce(launcher.bootstrap_servers, topic, poison, partition=0)
        await eventually(lambda: _true(calls.calls["poison-0"]), what="the first poison event tried")
        sent = time.monotonic()
        await _produce(launcher.bootstrap_servers, topic, [registered(f"valid-{i}") for i in range(5)], partition=1)
        await eventually(lambda: _count(svc, "SELECT count(*) = 5 FROM received"), timeout=15, what="the valid events")
        late = time.monotonic() - sent
        dead_meanwhile = await _count(svc, "SELECT count(*) FROM dead_letters")
        await eventually(lambda: _count(svc, "SELECT count(*) = 10 FROM dead_letters"), timeout=30, what="ten dead letters")
        # A fresh reader may not see a just-created topic in its first metadata answer: wait for any record, then
        # count them all (a second copy would have been published before the replay went past the poison event).
        dead = await eventually(lambda: _all_records(launcher.bootstrap_servers, svc.settings.dead_letter_topic),
                                what="the dead letter on its topic")

    # The ten poison events take 0.6 s each of back-off in their partition (6 s in all, which the valid events
    # waited for when retries held the poll loop); the other partition does not wait (~0.1 s).
    assert late < 3 and dead_meanwhile < 10, (late, dead_meanwhile)
    assert _dead_letter_offsets(dead) == Counter({("0", str(offset)): 1 for offset in range(10)})
    assert {calls.calls[e.product_id] for e in poison} == {3}


async def _true(value: Any) -> bool:
    return bool(value)


def _membership(svc: ServiceRuntime) -> tuple[str, int]:
    """The consumer's member id and group generation; a consumer dropped from its group rejoins with new ones."""
    [subscriber] = [s for s in svc.broker.subscribers if getattr(s, "group_id", None)]
    coordinator = subscriber.consumer._coordinator
    return coordinator.member_id, coordinator.generation


async def test_a_full_batch_of_failing_events_keeps_the_consumer_in_its_group_and_each_is_dead_lettered_once(launcher):
    # Retries in the poll loop would take 20 × 0.3 s = 6 s here, three times the broker's max poll interval.
    topic, calls = new_topic(launcher, partitions=2), Recorder()
    poison = [registered(f"poison-{i}") for i in range(20)]
    for partition in (0, 1):
        await _produce(launcher.bootstrap_servers, topic, poison[partition::2], partition=partition)
    valid = [registered(f"valid-{i}") for i in range(4)]
    for partition in (0, 1):
        await _produce(launcher.bootstrap_servers, topic, valid[partition::2], partition=partition)
    settings = dict(consumer_batch_size=20, kafka_max_poll_interval_ms=2000, consumer_max_retries=2, consumer_retry_backoff_seconds=0.1)
    started = time.monotonic()
    async with _service(launcher, topic, calls, **settings) as svc:
        await eventually(lambda: _true(calls.calls), what="the first batch handled")
        joined = _membership(svc)
        await eventually(lambda: _count(svc, "SELECT count(*) = 4 FROM received"), timeout=30, what="the valid events")
        stayed = _membership(svc)
        rows = await _count(svc, "SELECT count(*) FROM dead_letters")
        # A fresh reader may not see a just-created topic in its first metadata answer: wait for any record, then
        # count them all (a second copy would have been published before the replay went past the poison event).
        dead = await eventually(lambda: _all_records(launcher.bootstrap_servers, svc.settings.dead_letter_topic),
                                what="the dead letter on its topic")
    elapsed = time.monotonic() - started

    assert stayed == joined, "the consumer was dropped from its group and rejoined"
    assert rows == 20 and sorted(_dead_letter_offsets(dead).values()) == [1] * 20
    assert [calls.calls[e.product_id] for e in poison] == [3] * 20  # one try and two retries, never redelivered
    assert elapsed < 20, elapsed


class _ReplayingGroup(ServiceSettings):
    """The same service (its inbox, its dead letters) in a consumer group of its own, which starts at offset 0: a
    replay, as an operator's offset reset makes one (faster than rejoining the old group on the embedded broker)."""

    @property
    def consumer_group(self) -> str:
        return f"{super().consumer_group}-replay"


async def test_a_replay_from_offset_0_dead_letters_nothing_twice_and_the_dead_letter_continues_the_trace(launcher):
    topic, calls, name = new_topic(launcher, partitions=1), Recorder(), f"kt_{uuid.uuid4().hex[:10]}"
    await _produce(launcher.bootstrap_servers, topic, [registered("poison-replayed")], partition=0, traceparent=TRACEPARENT)
    await _produce(launcher.bootstrap_servers, topic, [registered("after-poison")], partition=0)
    async with _service(launcher, topic, calls, name=name) as svc:
        await eventually(lambda: _count(svc, "SELECT count(*) FROM received"), what="the event after the poison one")
    async with _service(launcher, topic, calls, name=name, settings_type=_ReplayingGroup) as svc:
        # The partition's order: the event after the poison one is handled once the poison one was dealt with.
        await eventually(lambda: _true(svc.consumers[0].handled), what="the replay past the poison event")
        rows = await _count(svc, "SELECT count(*) FROM dead_letters")
        # A fresh reader may not see a just-created topic in its first metadata answer: wait for any record, then
        # count them all (a second copy would have been published before the replay went past the poison event).
        dead = await eventually(lambda: _all_records(launcher.bootstrap_servers, svc.settings.dead_letter_topic),
                                what="the dead letter on its topic")

    assert rows == 1 and len(dead) == 1
    assert header(dead[0], "traceparent").split("-")[1] == TRACEPARENT.split("-")[1]
    # Retried again on the replay (a fixed handler would now handle it), but its dead letter is not sent again.
    assert calls.calls["poison-replayed"] == 6 and calls.calls["after-poison"] == 1


async def _partition_counts(bootstrap: str, topics: list[str]) -> dict[str, int]:
    def describe() -> dict[str, int]:
        admin = KafkaAdminClient(bootstrap_servers=bootstrap)
        try:
            return {t["name"]: len(t["partitions"]) for t in admin.describe_topics(topics) if t["error_code"] == 0}
        finally:
            admin.close()

    return await asyncio.to_thread(describe)


async def test_a_broker_replaced_by_an_empty_one_gets_its_topics_back_and_consumption_goes_on(launcher, caplog):
    caplog.set_level(logging.WARNING)
    topic, calls = new_topic(launcher, partitions=6), Recorder()
    calls.gate.clear()
    try:
        async with _service(launcher, topic, calls, consumer_commit_timeout_seconds=2) as svc:
            await _produce(launcher.bootstrap_servers, topic, [registered(f"before-{p}") for p in range(6)], partition=0)
            await _produce(launcher.bootstrap_servers, topic, [registered("hold-while-replaced")], partition=1)
            await asyncio.wait_for(calls.holding.wait(), 30)
            await asyncio.to_thread(launcher.broker.restart_empty)  # the batch is committed to the new broker
            caplog.clear()
            wanted = [topic, svc.settings.dead_letter_topic]
            with capture_logs() as ours:
                calls.gate.set()
                await eventually(lambda: _equal(_partition_counts(launcher.bootstrap_servers, wanted), dict.fromkeys(wanted, 6)),
                                 timeout=30, what="the topics created again by the consumer")
                await _produce(launcher.bootstrap_servers, topic, [registered(f"after-{p}") for p in range(6)], partition=3)
                await eventually(lambda: _count(svc, "SELECT count(*) = 6 FROM received WHERE product_id LIKE 'after-%'"),
                                 timeout=30, what="the events on the new broker")
    finally:
        launcher.create_topics()  # the contract topics, for the tests after this one

    lines = len(ours) + len([r for r in caplog.records if r.levelno >= logging.WARNING])
    assert any(line["event"] == "topics were gone from the broker: created again, read from the start" for line in ours)
    assert lines < 40, Counter(r.getMessage()[:80] for r in caplog.records).most_common(5)


async def _equal(found: Any, expected: Any) -> bool:
    return await found == expected
