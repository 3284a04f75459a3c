"""A reader of the four public topics with a plain aiokafka client: partitions assigned by hand and seeked to the
offsets the subscriber stored itself. No consumer group: a group's committed offsets live in the broker, apart from
the subscriber's table, and could not be written in the same transaction as it."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from ocop.subscribe.contract import public_event
from ocop.subscribe.errors import SubscribeError
from ocop.subscribe.store import Incoming
from shared.contracts.topics import (
    INSPECTION_FAILED_TOPIC,
    PRODUCT_RATED_TOPIC,
    PRODUCT_REGISTERED_TOPIC,
    REWARD_APPROVED_TOPIC,
)

TOPICS = {PRODUCT_REGISTERED_TOPIC: "ProductRegistered", PRODUCT_RATED_TOPIC: "ProductRated",
          REWARD_APPROVED_TOPIC: "RewardApproved", INSPECTION_FAILED_TOPIC: "InspectionFailed"}
PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
MECHANISMS = ("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN")


@dataclass(frozen=True)
class Security:
    """How to reach a production cluster (SASL/SCRAM over TLS, say); the defaults fit the embedded broker."""

    protocol: str = "PLAINTEXT"
    mechanism: str | None = None
    username: str | None = None
    password: str | None = None
    cafile: str | None = None

    def options(self) -> dict[str, Any]:
        """aiokafka's options; a combination that cannot work is refused here, naming the option."""
        if self.protocol not in PROTOCOLS:
            raise SubscribeError(f"--security-protocol must be one of {', '.join(PROTOCOLS)}, not {self.protocol!r}")
        options: dict[str, Any] = {"security_protocol": self.protocol}
        if self.protocol.startswith("SASL_"):
            if self.mechanism not in MECHANISMS:
                raise SubscribeError(f"{self.protocol} needs --sasl-mechanism, one of {', '.join(MECHANISMS)}")
            if not self.username or not self.password:
                raise SubscribeError(f"{self.protocol} needs --sasl-username and --sasl-password "
                                     f"(or OCOP_KAFKA_SASL_PASSWORD)")
            options |= {"sasl_mechanism": self.mechanism, "sasl_plain_username": self.username,
                        "sasl_plain_password": self.password}
        elif self.mechanism or self.username:
            raise SubscribeError(f"--sasl-mechanism and --sasl-username need a SASL --security-protocol "
                                 f"(SASL_PLAINTEXT or SASL_SSL), not {self.protocol}")
        if self.protocol.endswith("SSL"):
            try:
                options["ssl_context"] = ssl.create_default_context(cafile=self.cafile)
            except (OSError, ssl.SSLError) as exc:
                raise SubscribeError(f"cannot use --ssl-cafile {self.cafile}: {exc}") from None
        return options


@dataclass
class Batch:
    events: list[Incoming] = field(default_factory=list)
    offsets: dict[tuple[str, int], int] = field(default_factory=dict)
    """Each partition's next offset after this batch (also for records skipped as malformed)."""
    skipped: list[str] = field(default_factory=list)


class KafkaReader:
    def __init__(self, servers: str, *, security: Security = Security(), max_records: int = 500) -> None:
        self.servers = servers
        self.consumer = AIOKafkaConsumer(bootstrap_servers=servers, enable_auto_commit=False, group_id=None,
                                         auto_offset_reset="earliest", max_poll_records=max_records,
                                         request_timeout_ms=15000, **security.options())
        self.partitions: list[TopicPartition] = []

    async def start(self, offsets: dict[tuple[str, int], int]) -> None:
        try:
            await self.consumer.start()
        except KafkaError as exc:
            await self.consumer.stop()
            raise SubscribeError(f"cannot reach Kafka at {self.servers}: {exc}") from None
        await self.assign(offsets)

    async def stop(self) -> None:
        await self.consumer.stop()

    async def assign(self, offsets: dict[tuple[str, int], int]) -> bool:
        """Assign every partition of the public topics the cluster has (again, when it has more than before), each
        at its stored offset or, never read, at its beginning. True when the assignment changed."""
        await self.consumer.topics()  # a metadata request: a fresh client knows no topic until it asks
        found = sorted(TopicPartition(topic, p) for topic in TOPICS
                       for p in self.consumer.partitions_for_topic(topic) or ())
        if found == self.partitions:
            return False
        self.partitions = found
        self.consumer.assign(found)
        for tp in found:
            stored = offsets.get((tp.topic, tp.partition))
            if stored is None:
                await self.consumer.seek_to_beginning(tp)
            else:
                self.consumer.seek(tp, stored)
        return True

    async def batch(self, timeout_ms: int) -> Batch:
        """The records fetched within ``timeout_ms``, each partition's in its order."""
        batch = Batch()
        if not self.partitions:
            return batch
        fetched = await self.consumer.getmany(timeout_ms=timeout_ms)
        for tp, records in sorted(fetched.items()):
            for record in records:
                event = _incoming(record)
                if isinstance(event, str):
                    batch.skipped.append(f"{tp.topic}[{tp.partition}]@{record.offset}: {event}")
                else:
                    batch.events.append(event)
            if records:
                batch.offsets[(tp.topic, tp.partition)] = records[-1].offset + 1
        return batch

    async def caught_up(self) -> bool:
        """Every assigned partition read to the end it has now."""
        if not self.partitions:
            return True
        ends = await self.consumer.end_offsets(self.partitions)
        for tp in self.partitions:
            if await self.consumer.position(tp) < ends[tp]:
                return False
        return True


def _incoming(record: Any) -> Incoming | str:
    """The record's envelope, or why it is no public event of its topic (such a record is skipped, logged, and its
    offset passed: another province's subscriber cannot repair our topics)."""
    envelope = public_event(record.value, TOPICS[record.topic])
    if isinstance(envelope, str):
        return envelope
    return Incoming(envelope, topic=record.topic, partition=record.partition, offset=record.offset)
