"""Kafka wiring: broker and producer construction, topics, cluster identity."""

from __future__ import annotations

import asyncio
import functools
import logging
import ssl
import time
import types
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import structlog
from aiokafka import AIOKafkaClient, AIOKafkaProducer
from aiokafka.errors import OutOfOrderSequenceNumber, UnknownProducerId
from aiokafka.producer.transaction_manager import NO_PRODUCER_EPOCH, NO_PRODUCER_ID, PidAndEpoch
from aiokafka.protocol.metadata import MetadataRequest
from aiokafka.util import create_future
from faststream.kafka import KafkaBroker
from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256, SASLScram512
from kafka import TopicPartition
from kafka.admin import KafkaAdminClient
from kafka.protocol.consumer.offsets import OffsetSpec

from shared.contracts import CONTRACTS, dead_letter_topic
from shared.settings import SERVICES, KernelSettings

log = structlog.get_logger(__name__)


def contract_topics() -> list[str]:
    """Every topic of the public contract plus each service's dead-letter topic."""
    return sorted({c.topic for c in CONTRACTS.values()} | {dead_letter_topic(s) for s in SERVICES})


Security = Mapping[str, Any]
"""How a client authenticates: the keyword arguments aiokafka and kafka-python both take (see client_security)."""

_FASTSTREAM_SASL = {"SCRAM-SHA-512": SASLScram512, "SCRAM-SHA-256": SASLScram256, "PLAIN": SASLPlaintext}


def client_security(settings: KernelSettings) -> dict[str, Any]:
    """The security keyword arguments of every aiokafka and kafka-python client (producers, consumers, admin clients):
    both libraries take the same names. PLAINTEXT gives no credentials; SASL_SSL verifies the brokers with
    ``kafka_ssl_cafile`` (the system's CAs when unset). The settings were checked together when they were read."""
    protocol = settings.kafka_security_protocol
    if protocol == "PLAINTEXT":
        return {"security_protocol": "PLAINTEXT"}
    assert settings.kafka_sasl_password is not None  # KernelSettings refuses SASL without credentials
    security: dict[str, Any] = {
        "security_protocol": protocol,
        "sasl_mechanism": settings.kafka_sasl_mechanism,
        "sasl_plain_username": settings.kafka_sasl_username,
        "sasl_plain_password": settings.kafka_sasl_password.get_secret_value(),
    }
    if protocol == "SASL_SSL":
        security["ssl_context"] = ssl.create_default_context(cafile=settings.kafka_ssl_cafile)
    return security


def broker_security(settings: KernelSettings) -> BaseSecurity | None:
    """The same for faststream's ``KafkaBroker`` (its subscribers' consumers and its producer): a security object."""
    security = client_security(settings)
    if security["security_protocol"] == "PLAINTEXT":
        return None
    sasl = _FASTSTREAM_SASL[security["sasl_mechanism"]]
    return sasl(security["sasl_plain_username"], security["sasl_plain_password"],
                ssl_context=security.get("ssl_context"), use_ssl=security["security_protocol"] == "SASL_SSL")


def make_broker(settings: KernelSettings, *, client_id: str) -> KafkaBroker:
    """faststream broker for subscribers; per-message logs are at DEBUG because they cost ~40 % of throughput.

    No telemetry middleware: its spans started traces of their own, unlinked to the business flow. The consumer's
    process spans (``shared.consumer``) and the dead letters' send spans continue the records' traces instead.

    Its consumers never make the broker create a topic (``refuse_topic_auto_creation_in_every_client``).
    """
    refuse_topic_auto_creation_in_every_client()
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        client_id=client_id,
        acks="all",
        enable_idempotence=settings.kafka_idempotence,
        request_timeout_ms=settings.kafka_request_timeout_ms,
        logger=structlog.get_logger("faststream"),
        log_level=logging.DEBUG,
        allow_auto_create_topics=False,
        security=broker_security(settings),
    )


def make_producer(settings: KernelSettings, *, client_id: str) -> AIOKafkaProducer:
    """Producer for the outbox relay: acks from all replicas, idempotent where the broker supports it.

    It never makes the broker create a topic (see :func:`refuse_topic_auto_creation`).
    """
    producer = RelayProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        client_id=client_id,
        acks="all",
        enable_idempotence=settings.kafka_idempotence,
        linger_ms=2,
        request_timeout_ms=settings.kafka_request_timeout_ms,
        max_batch_size=256 * 1024,
        **client_security(settings),
    )
    refuse_topic_auto_creation(producer.client)
    return producer


# The broker no longer knows the idempotent producer's id or the sequence it is at: it lost its state.
_FORGOTTEN_PRODUCER = (OutOfOrderSequenceNumber, UnknownProducerId)


class RelayProducer(AIOKafkaProducer):
    """An idempotent producer that asks for a new producer id when the broker has forgotten its id.

    A broker that lost its log under the same address (emptied, or restored without its data, keeping its cluster id)
    answers every later batch of the producer OutOfOrderSequenceNumber or UnknownProducerId: its sequence numbers go
    on from where they were, and the broker expects 0 from a producer it does not know. The Java client then takes a
    new id; aiokafka keeps the old one, and the relay would fail every retry for ever. After such an answer the next
    batch waits for a new id (InitProducerId) and starts its sequences at 0; the failed batch stays in the outbox.
    """

    async def send(self, *args: Any, **kwargs: Any) -> asyncio.Future[Any]:
        future = await super().send(*args, **kwargs)
        if self._txn_manager is not None:
            producer_id = self._txn_manager.producer_id
            future.add_done_callback(lambda done: self._forget_id_if_unknown(done, producer_id))
        return future

    def _forget_id_if_unknown(self, done: asyncio.Future[Any], producer_id: int) -> None:
        txn = self._txn_manager
        forgotten = not done.cancelled() and isinstance(done.exception(), _FORGOTTEN_PRODUCER)
        # Once per id: every record of the failed batches reports it, and a new id may already be in use.
        if forgotten and txn is not None and txn.has_pid() and txn.producer_id == producer_id:
            log.warning("the broker forgot the idempotent producer's id; asking for a new one",
                        producer_id=producer_id, error=repr(done.exception()))
            txn._pid_and_epoch = PidAndEpoch(NO_PRODUCER_ID, NO_PRODUCER_EPOCH)
            txn._pid_waiter = create_future()  # set_pid_and_epoch resolves it: the first id's is resolved already
            txn._sequence_numbers.clear()


def refuse_topic_auto_creation(client: AIOKafkaClient) -> None:
    """Make ``client``'s metadata requests ask the broker not to create the topics they name.

    aiokafka names every topic it sends to in its metadata refreshes, with allow_auto_topic_creation, and refreshes
    on every reconnect: against a new, empty broker that creates our topics with the broker's default partition
    count before anyone could create them with ours. aiokafka has no option for it, so the client gets its own copy
    of aiokafka's ``_metadata_update`` whose ``MetadataRequest`` passes False; nothing else of it changes.
    """
    client._metadata_update = types.MethodType(_refusing(AIOKafkaClient._metadata_update), client)  # type: ignore[method-assign]


def refuse_topic_auto_creation_in_every_client() -> None:
    """The same for every aiokafka client of the process, consumers included (faststream builds them itself).

    A consumer's client names its subscribed topics in every metadata refresh too: against a new, empty broker it
    created them with the broker's default partition count (seen under load, racing the relay). Our topics are
    created by ``ensure_topics`` only; a consumer that finds them gone creates them so (``shared.consumer``).
    """
    if not getattr(AIOKafkaClient, "_ocop_refuses_auto_creation", False):
        AIOKafkaClient._metadata_update = _refusing(AIOKafkaClient._metadata_update)  # type: ignore[method-assign]
        AIOKafkaClient._ocop_refuses_auto_creation = True  # type: ignore[attr-defined]


def _refusing(method: Any) -> Any:
    """A copy of aiokafka's ``_metadata_update`` whose ``MetadataRequest`` refuses topic auto-creation."""
    refusing = functools.partial(MetadataRequest, allow_auto_topic_creation=False)
    namespace = {**method.__globals__, "MetadataRequest": refusing}
    return types.FunctionType(method.__code__, namespace, method.__name__, method.__defaults__, method.__closure__)


_TOPIC_ALREADY_EXISTS = 36


def _admin(bootstrap_servers: str, timeout_ms: int, security: Security | None) -> KafkaAdminClient:
    # bootstrap_timeout_ms defaults to 30 s; bound it so probes of a dead or paused broker fail in time.
    timeout_ms = max(timeout_ms, 100)
    return KafkaAdminClient(
        bootstrap_servers=bootstrap_servers,
        client_id="ocop-admin",
        request_timeout_ms=timeout_ms,
        bootstrap_timeout_ms=timeout_ms,
        **(security or {}),
    )


def ensure_topics(
    bootstrap_servers: str, topics: Iterable[str], *, partitions: int, replication_factor: int = 1, timeout: float = 30.0,
    security: Security | None = None,
) -> None:
    """Create missing topics (idempotent, in one request) and wait until the broker lists them all."""
    wanted = set(topics)
    deadline = time.monotonic() + timeout
    admin = _admin(bootstrap_servers, int(min(timeout, 10.0) * 1000), security)
    try:
        missing = sorted(wanted - set(admin.list_topics()))
        if missing:
            spec = {"num_partitions": partitions, "replication_factor": replication_factor}
            result = admin.create_topics({name: dict(spec) for name in missing}, raise_errors=False)
            # "Already exists" is success: another process may be creating the same topics.
            failed = [t for t in result.get("topics", []) if t.get("error_code") not in (0, _TOPIC_ALREADY_EXISTS)]
            if failed:
                details = ", ".join(f"{t['name']}: {t.get('error_message') or t['error_code']}" for t in failed)
                raise RuntimeError(f"could not create topics: {details}")
        while not wanted <= set(admin.list_topics()):
            if time.monotonic() > deadline:
                raise TimeoutError(f"topics not visible after {timeout}s: {sorted(wanted - set(admin.list_topics()))}")
            time.sleep(0.1)
    finally:
        admin.close()


def cluster_id(bootstrap_servers: str, timeout: float = 10.0, *, security: Security | None = None) -> str:
    """The id the broker reports; a new id means a new, empty cluster."""
    admin = _admin(bootstrap_servers, int(timeout * 1000), security)
    try:
        return _cluster_id(admin)
    finally:
        admin.close()


def _cluster_id(admin: KafkaAdminClient) -> str:
    try:
        found = admin.describe_cluster()["cluster_id"]
    except KeyError:
        # kafka-python reads DescribeCluster v1's endpoint_type and fails on a broker that offers v0 only (noida-db
        # 0.2.3, older Kafka releases); a MetadataRequest (v2 and later) carries the cluster id as well.
        found = _metadata(admin, [])["cluster_id"]
    if not found:
        raise RuntimeError("the broker reports no cluster id")
    return str(found)


def _metadata(admin: KafkaAdminClient, topics: list[str]) -> dict:
    """One MetadataRequest for ``topics`` (never creating them); kafka-python's public calls drop the cluster id."""
    return admin._manager.run(admin._get_cluster_metadata, topics)


async def cluster_id_async(bootstrap_servers: str, timeout: float = 10.0, *, security: Security | None = None) -> str:
    return await asyncio.to_thread(cluster_id, bootstrap_servers, timeout, security=security)


async def ensure_topics_async(settings: KernelSettings, topics: Iterable[str]) -> None:
    """Create the missing ones of ``topics`` with the project's partition count and replication (idempotent)."""
    await asyncio.to_thread(
        ensure_topics,
        settings.kafka_bootstrap_servers,
        list(topics),
        partitions=settings.kafka_partitions,
        replication_factor=settings.kafka_replication_factor,
        security=client_security(settings),
    )


@dataclass(frozen=True)
class BrokerView:
    """What a relay compares with what it remembers: the cluster's id, which topics exist, their end offsets."""

    cluster_id: str
    topics: frozenset[str]
    end_offsets: dict[tuple[str, int], int]


def broker_view(bootstrap_servers: str, topics: Iterable[str], timeout: float = 10.0, *,
                security: Security | None = None) -> BrokerView:
    """The cluster id, which of ``topics`` exist and the end offset of each of their partitions (one admin session)."""
    admin = _admin(bootstrap_servers, int(timeout * 1000), security)
    try:
        found = _cluster_id(admin)
        described = admin.describe_topics(sorted(set(topics))) if topics else []
        existing = [t for t in described if t["error_code"] == 0]
        partitions = [TopicPartition(t["name"], p["partition_index"]) for t in existing for p in t["partitions"]]
        ends = admin.list_partition_offsets({tp: OffsetSpec.LATEST for tp in partitions}) if partitions else {}
        offsets = {(tp.topic, tp.partition): found_offset.offset for tp, found_offset in ends.items()}
        return BrokerView(found, frozenset(t["name"] for t in existing), offsets)
    finally:
        admin.close()


async def broker_view_async(bootstrap_servers: str, topics: Iterable[str], timeout: float = 10.0, *,
                            security: Security | None = None) -> BrokerView:
    return await asyncio.to_thread(broker_view, bootstrap_servers, list(topics), timeout, security=security)


def consumer_lag(bootstrap_servers: str, group_id: str, topics: Iterable[str], timeout: float = 5.0, *,
                 security: Security | None = None) -> dict[str, int]:
    """Messages not yet committed by ``group_id``, per topic (a partition never committed counts from 0)."""
    admin = _admin(bootstrap_servers, int(timeout * 1000), security)
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


async def read_topic(bootstrap_servers: str, topic: str, *, timeout: float = 60.0) -> list[Any]:
    """Every record of ``topic`` from its start to its end as of now, read by a client of no consumer group (the
    broker's record, whatever any service's group has consumed): for tools and checks, not for services.
    ``TimeoutError`` if the end is not reached within ``timeout`` seconds (a partition that never gets there)."""
    from aiokafka import AIOKafkaConsumer
    from aiokafka.structs import TopicPartition as Partition

    reader = AIOKafkaConsumer(bootstrap_servers=bootstrap_servers, enable_auto_commit=False)
    await reader.start()
    try:
        partitions = [Partition(topic, p) for p in sorted(reader.partitions_for_topic(topic) or ())]
        if not partitions:
            return []
        reader.assign(partitions)
        await reader.seek_to_beginning(*partitions)
        ends = await reader.end_offsets(partitions)
        records: list[Any] = []
        # Tansu's end offset of a partition can fall inside its last batch of several records: read past it until a
        # fetch brings nothing more.
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            fetched = [r for batch in (await reader.getmany(timeout_ms=500)).values() for r in batch]
            records += fetched
            if not fetched and not [tp for tp in partitions if await reader.position(tp) < ends[tp]]:
                return records
        raise TimeoutError(f"{topic}: its end offsets {ends} not reached in {timeout:.0f} s")
    finally:
        await reader.stop()
