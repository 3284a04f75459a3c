"""Consumer lag of every service's consumer groups, per topic and partition, from the broker itself.

kafka-python's admin client lists the groups (``ocop-<service>.<subscription>``, see ``shared.runtime``), their
committed offsets and the partitions' first and end offsets; an aiokafka reader without a group reads the first
record each lagging group has not consumed, whose timestamp says how far behind the group is in seconds. A group that
is stopped keeps its committed offsets, so its lag grows while events arrive.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace

from aiokafka import AIOKafkaConsumer
from aiokafka import TopicPartition as AioPartition
from kafka import TopicPartition
from kafka.admin import KafkaAdminClient
from kafka.protocol.consumer.offsets import OffsetSpec

from shared.kafka import Security

GROUP_PREFIX = "ocop-"


@dataclass(frozen=True)
class PartitionLag:
    topic: str
    partition: int
    committed: int | None
    """The group's committed offset; None when it never committed on this partition (it starts at the first)."""
    end: int
    lag: int
    seconds_behind: float | None = None
    """Age of the first record the group has not consumed; 0 when it is not behind; None when unknown."""

    @property
    def position(self) -> int:
        return self.end - self.lag


@dataclass(frozen=True)
class GroupLag:
    group: str
    service: str
    subscription: str
    partitions: tuple[PartitionLag, ...]

    @property
    def lag(self) -> int:
        return sum(p.lag for p in self.partitions)

    @property
    def seconds_behind(self) -> float | None:
        """The oldest age among its lagging partitions; 0 when none lags; None when no lagging record was read."""
        lagging = [p for p in self.partitions if p.lag]
        if not lagging:
            return 0.0
        known = [p.seconds_behind for p in lagging if p.seconds_behind is not None]
        return max(known) if known else None


def service_of(group: str) -> tuple[str, str] | None:
    """``ocop-rating.product-registered`` → (``rating``, ``product-registered``); None for groups of others."""
    if not group.startswith(GROUP_PREFIX) or "." not in group:
        return None
    service, _, subscription = group[len(GROUP_PREFIX):].partition(".")
    return service, subscription


def _admin(bootstrap_servers: str, timeout: float, security: Security | None) -> KafkaAdminClient:
    timeout_ms = max(int(timeout * 1000), 100)
    return KafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="ocop-monitoring-health",
                            request_timeout_ms=timeout_ms, bootstrap_timeout_ms=timeout_ms, **(security or {}))


def group_offsets(bootstrap_servers: str, timeout: float = 5.0, *, security: Security | None = None) -> list[GroupLag]:
    """Every project consumer group with its committed offsets against the partitions' ends (one admin session).

    Under ACLs monitoring's principal describes the groups ``ocop-*`` and the topics (deploy/kafka/acls.sh)."""
    admin = _admin(bootstrap_servers, timeout, security)
    try:
        groups = sorted(g["group_id"] for g in admin.list_groups() if service_of(g["group_id"]))
        committed = {g: admin.list_group_offsets({g: None}).get(g, {}) for g in groups}
        topics = sorted({tp.topic for offsets in committed.values() for tp in offsets})
        described = admin.describe_topics(topics) if topics else []
        partitions = [TopicPartition(t["name"], p["partition_index"]) for t in described if t["error_code"] == 0
                      for p in t["partitions"]]
        ends = admin.list_partition_offsets({tp: OffsetSpec.LATEST for tp in partitions}) if partitions else {}
        starts = admin.list_partition_offsets({tp: OffsetSpec.EARLIEST for tp in partitions}) if partitions else {}
    finally:
        admin.close()
    return [_group(g, committed[g], partitions, ends, starts) for g in groups]


def _group(group: str, committed: dict, partitions: list[TopicPartition], ends: dict, starts: dict) -> GroupLag:
    service, subscription = service_of(group) or ("", "")
    topics = {tp.topic for tp in committed}
    rows = []
    for tp in sorted((tp for tp in partitions if tp.topic in topics), key=lambda tp: (tp.topic, tp.partition)):
        done = committed.get(tp)
        offset = done.offset if done is not None and done.offset >= 0 else None
        # A partition never committed is read from its first offset (auto_offset_reset=earliest).
        position = offset if offset is not None else starts[tp].offset
        lag = max(ends[tp].offset - position, 0)
        rows.append(PartitionLag(tp.topic, tp.partition, offset, ends[tp].offset, lag, 0.0 if lag == 0 else None))
    return GroupLag(group, service, subscription, tuple(rows))


async def with_seconds_behind(bootstrap_servers: str, groups: list[GroupLag], *, now_ms: float | None = None,
                              timeout: float = 5.0, security: Security | None = None) -> list[GroupLag]:
    """The groups, each lagging partition with the age of the first record its group has not consumed."""
    wanted = {(p.topic, p.partition, p.position) for g in groups for p in g.partitions if p.lag}
    stamps = await first_record_timestamps(bootstrap_servers, wanted, timeout, security=security) if wanted else {}
    now_ms = now_ms if now_ms is not None else time.time() * 1000

    def aged(p: PartitionLag) -> PartitionLag:
        stamp = stamps.get((p.topic, p.partition, p.position))
        return p if not p.lag or stamp is None else replace(p, seconds_behind=max(now_ms - stamp, 0) / 1000)

    return [replace(g, partitions=tuple(aged(p) for p in g.partitions)) for g in groups]


async def first_record_timestamps(bootstrap_servers: str, positions: Iterable[tuple[str, int, int]],
                                  timeout: float, *, security: Security | None = None) -> dict[tuple[str, int, int], int]:
    """The timestamp (ms) of the record at each (topic, partition, offset), read without joining any group."""
    by_partition: dict[AioPartition, set[int]] = {}
    for topic, partition, offset in positions:
        by_partition.setdefault(AioPartition(topic, partition), set()).add(offset)
    found: dict[tuple[str, int, int], int] = {}
    reader = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False, client_id="ocop-monitoring-lag",
                              **(security or {}))
    await reader.start()
    try:
        pending = {(tp, offset) for tp, offsets in by_partition.items() for offset in offsets}
        deadline = time.monotonic() + timeout
        while pending and time.monotonic() < deadline:
            # One offset per partition at a time: a consumer holds a single position per partition.
            current = {}
            for tp, offset in sorted(pending, key=lambda item: item[1]):
                current.setdefault(tp, offset)
            reader.assign(list(current))
            for tp, offset in current.items():
                reader.seek(tp, offset)
            await _read_once(reader, current, found, pending, deadline)
    finally:
        await reader.stop()
    return found


async def _read_once(reader: AIOKafkaConsumer, current: dict[AioPartition, int], found: dict, pending: set,
                     deadline: float) -> None:
    waiting = dict(current)
    while waiting and time.monotonic() < deadline:
        batch = await reader.getmany(*waiting, timeout_ms=200, max_records=len(waiting) * 10)
        for tp, records in batch.items():
            offset = waiting.get(tp)
            record = next((r for r in records if offset is not None and r.offset >= offset), None)
            if record is not None:
                found[(tp.topic, tp.partition, offset)] = record.timestamp
                pending.discard((tp, offset))
                waiting.pop(tp, None)
                reader.pause(tp)
    for tp in current:
        reader.resume(tp)


async def group_lags(bootstrap_servers: str, timeout: float = 5.0, *, security: Security | None = None) -> list[GroupLag]:
    """Every project consumer group's lag in messages and seconds, per topic and partition."""
    groups = await asyncio.wait_for(asyncio.to_thread(group_offsets, bootstrap_servers, timeout, security=security),
                                    timeout * 3)
    return await with_seconds_behind(bootstrap_servers, groups, timeout=timeout, security=security)
