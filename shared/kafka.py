"""Kafka wiring: broker and producer construction, topics, cluster identity."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable

from aiokafka import AIOKafkaProducer
from faststream.kafka import KafkaBroker
from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import TopicAlreadyExistsError

from shared.contracts import CONTRACTS, dead_letter_topic
from shared.settings import SERVICES, KernelSettings


def contract_topics() -> list[str]:
    """Every topic of the public contract plus each service's dead-letter topic."""
    return sorted({c.topic for c in CONTRACTS.values()} | {dead_letter_topic(s) for s in SERVICES})


def make_broker(settings: KernelSettings, *, client_id: str) -> KafkaBroker:
    """faststream broker for subscribers; per-message logs are at DEBUG because they cost ~40 % of throughput."""
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        client_id=client_id,
        acks="all",
        enable_idempotence=settings.kafka_idempotence,
        request_timeout_ms=settings.kafka_request_timeout_ms,
        middlewares=[KafkaTelemetryMiddleware()],
        log_level=logging.DEBUG,
        allow_auto_create_topics=False,
    )


def make_producer(settings: KernelSettings, *, client_id: str) -> AIOKafkaProducer:
    """Producer for the outbox relay: acks from all replicas, idempotent where the broker supports it."""
    return AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        client_id=client_id,
        acks="all",
        enable_idempotence=settings.kafka_idempotence,
        linger_ms=2,
        request_timeout_ms=settings.kafka_request_timeout_ms,
        max_batch_size=256 * 1024,
    )


def _admin(bootstrap_servers: str, timeout_ms: int) -> KafkaAdminClient:
    return KafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=timeout_ms, client_id="ocop-admin")


def ensure_topics(
    bootstrap_servers: str, topics: Iterable[str], *, partitions: int, replication_factor: int = 1, timeout: float = 30.0
) -> None:
    """Create missing topics (idempotent) and wait until the broker lists them all."""
    wanted = set(topics)
    admin = _admin(bootstrap_servers, int(timeout * 1000))
    try:
        missing = wanted - set(admin.list_topics())
        for name in sorted(missing):
            try:
                admin.create_topics([NewTopic(name, partitions, replication_factor)])
            except TopicAlreadyExistsError:
                pass
        deadline = time.monotonic() + timeout
        while not wanted <= set(admin.list_topics()):
            if time.monotonic() > deadline:
                raise TimeoutError(f"topics not visible after {timeout}s: {sorted(wanted - set(admin.list_topics()))}")
            time.sleep(0.1)
    finally:
        admin.close()


def cluster_id(bootstrap_servers: str, timeout: float = 10.0) -> str:
    admin = _admin(bootstrap_servers, int(timeout * 1000))
    try:
        return str(admin.describe_cluster()["cluster_id"])
    finally:
        admin.close()


async def cluster_id_async(bootstrap_servers: str, timeout: float = 10.0) -> str:
    return await asyncio.to_thread(cluster_id, bootstrap_servers, timeout)


async def ensure_topics_async(settings: KernelSettings, topics: Iterable[str]) -> None:
    await asyncio.to_thread(
        ensure_topics,
        settings.kafka_bootstrap_servers,
        list(topics),
        partitions=settings.kafka_partitions,
        replication_factor=settings.kafka_replication_factor,
    )


def consumer_lag(bootstrap_servers: str, group_id: str, topics: Iterable[str], timeout: float = 5.0) -> dict[str, int]:
    """Messages not yet committed by ``group_id``, per topic (a partition never committed counts from 0)."""
    from kafka import TopicPartition
    from kafka.protocol.consumer.offsets import OffsetSpec

    admin = _admin(bootstrap_servers, int(timeout * 1000))
    try:
        partitions = [
            TopicPartition(t["name"], p["partition_index"]) for t in admin.describe_topics(list(topics)) for p in t["partitions"]
        ]
        ends = admin.list_partition_offsets({tp: OffsetSpec.LATEST for tp in partitions})
        committed = admin.list_group_offsets({group_id: partitions}).get(group_id, {})
        lag: dict[str, int] = {}
        for tp in partitions:
            done = committed.get(tp)
            position = done.offset if done is not None and done.offset >= 0 else 0
            lag[tp.topic] = lag.get(tp.topic, 0) + max(ends[tp].offset - position, 0)
        return lag
    finally:
        admin.close()
