"""Helpers for kernel tests: a running tally service, raw topic reads, polling with a deadline."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition

from shared.kafka import ensure_topics, ensure_topics_async
from shared.http.app import create_app
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings, service_settings
from tests.kernel.tally import definition, settings_for

T = TypeVar("T")


async def eventually(check: Callable[[], Awaitable[T]], *, timeout: float = 30.0, what: str = "condition") -> T:
    """Poll ``check`` until it returns something truthy; fail with ``what`` at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}; last result {result!r}")
        await asyncio.sleep(0.05)


def new_topic(launcher: Any, prefix: str = "test.tally", partitions: int = 3) -> str:
    topic = f"{prefix}.{uuid.uuid4().hex[:10]}"
    ensure_topics(launcher.bootstrap_servers, [topic], partitions=partitions)
    return topic


@asynccontextmanager
async def tally_service(
    launcher: Any, topic: str, *, consume: bool = True, relay: bool = True, name: str | None = None, **settings: Any
) -> AsyncIterator[ServiceRuntime]:
    name = name or f"kt_{uuid.uuid4().hex[:10]}"
    runtime = ServiceRuntime(definition(name, topic, consume=consume), settings_for(launcher, name, **settings))
    await runtime.start(relay=relay)
    try:
        yield runtime
    finally:
        await runtime.stop()


async def read_topic(bootstrap: str, topic: str, *, count: int, timeout: float = 30.0) -> list[ConsumerRecord]:
    """Every record of ``topic`` from the beginning, waiting until at least ``count`` arrived."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="earliest")
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in (consumer.partitions_for_topic(topic) or await _partitions(consumer, topic))]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        records: list[ConsumerRecord] = []
        deadline = time.monotonic() + timeout
        while len(records) < count and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            for part in batch.values():
                records.extend(part)
        return records
    finally:
        await consumer.stop()


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int]:
    await consumer._client.force_metadata_update()  # a fresh client knows no topic until it asks
    return consumer.partitions_for_topic(topic) or set()


async def produce(bootstrap: str, topic: str, messages: list[tuple[bytes, bytes, list[tuple[str, bytes]]]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False, acks="all")
    await producer.start()
    try:
        for key, value, headers in messages:
            await producer.send_and_wait(topic, value, key=key, headers=headers)
    finally:
        await producer.stop()


def header(record: ConsumerRecord, name: str) -> str | None:
    return next((v.decode() for k, v in record.headers if k == name), None)


async def start_groups_at_the_end(definition: Any, settings: ServiceSettings) -> None:
    """Commit each of the service's consumer groups at its topics' current ends, before the service first joins."""
    for subscription in definition.subscriptions:
        await ensure_topics_async(settings, subscription.topics)
        group = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap_servers, enable_auto_commit=False,
                                 group_id=f"{settings.consumer_group}.{subscription.name}")
        await group.start()
        try:
            await group._client.force_metadata_update()
            partitions = [TopicPartition(topic, p) for topic in subscription.topics
                          for p in group.partitions_for_topic(topic) or ()]
            group.assign(partitions)
            ends = await group.end_offsets(partitions)
            await group.commit({partition: offset for partition, offset in ends.items()})
        finally:
            await group.stop()


def isolated_settings(launcher: Any, definition: Any, **overrides: Any) -> ServiceSettings:
    """Settings of a service instance of its own (``<name>_<hex>``): schema, consumer groups, dead-letter topic.

    For a module whose figures must not include what other modules sent to the shared topics (start its groups at
    the topics' ends with :func:`start_groups_at_the_end`).
    """
    return service_settings(f"{definition.name}_{uuid.uuid4().hex[:8]}", database_url=launcher.database_url,
                            kafka_bootstrap_servers=launcher.bootstrap_servers, **overrides)


@asynccontextmanager
async def running_service(launcher: Any, definition: Any, settings: ServiceSettings | None = None,
                          ) -> AsyncIterator[tuple[httpx.AsyncClient, Any, ServiceRuntime]]:
    """A service app on the session's PostgreSQL and broker, driven in-process over ASGI: (client, settings, runtime)."""
    settings = settings or service_settings(
        definition.name, database_url=launcher.database_url, kafka_bootstrap_servers=launcher.bootstrap_servers
    )
    app = create_app(definition, settings)
    runtime = app.state.runtime
    await runtime.start()
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    client = httpx.AsyncClient(transport=transport, base_url=f"http://{definition.name}", timeout=30)
    try:
        yield client, settings, runtime
    finally:
        await client.aclose()
        await runtime.stop()
