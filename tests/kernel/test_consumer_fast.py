"""The inbox consumer in memory: faststream's TestKafkaBroker delivers, the in-memory unit of work stores.

The same consumer runs over the real broker and PostgreSQL in test_consumer.py and test_consumer_faults.py; here each
behaviour takes milliseconds: an event redelivered has one effect, a poison event is parked (its partition paused)
and reaches the dead-letter topic after the retries while other partitions go on, an event its topic does not
carry is refused at once, a dead letter is published once per record and continues the record's trace, and the
offset is acknowledged only after the commit.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiokafka import ConsumerRecord, TopicPartition
from faststream.kafka import TestKafkaBroker
from faststream.kafka import testing as kafka_testing
from faststream.kafka.annotations import KafkaMessage
from faststream.kafka.message import FakeConsumer, KafkaAckableMessage

from shared.consumer import DeadLetters, InboxConsumer, Subscription
from shared.contracts import PRODUCT_RATED_TOPIC, kafka_headers, serialize_event
from shared.eventstore import ConcurrencyError
from shared.kafka import make_broker
from shared.memory import InMemoryStore, InMemoryUnitOfWork
from shared.ports import ServicePorts
from shared.settings import ServiceSettings
from tests.kernel.tally import EVENTS, Tally, registered

TOPIC = "test.fast.registrations"
TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


class LoggedUnitOfWork(InMemoryUnitOfWork):
    def __init__(self, store: InMemoryStore, log: list[str]) -> None:
        super().__init__(store)
        self._log = log

    async def commit(self) -> Any:
        committed = await super().commit()
        self._log.append("commit")
        return committed


class DeadLetterTable:
    """Stands in for the pool of DeadLetters: the dead_letters rows, unique per (consumer, topic, partition, offset).

    It answers the claim as PostgreSQL does ("INSERT 0 0" when the row exists and was published).
    """

    def __init__(self, log: list[str]) -> None:
        self.rows: dict[tuple[Any, ...], dict[str, Any]] = {}
        self._log = log

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[DeadLetterTable]:
        yield self

    async def execute(self, sql: str, *args: Any) -> str:
        key = args[:4]
        if sql.startswith("UPDATE"):
            self.rows[key]["published"] = True
            return "UPDATE 1"
        row = self.rows.setdefault(key, {"published": False})
        if row["published"]:
            return "INSERT 0 0"
        row.update(error=args[6], attempts=args[7])
        self._log.append("dead letter")
        return "INSERT 0 1"


@dataclass
class Harness:
    """One service's consumer of TOPIC on a test broker: what reached the handler, the dead letters, the log."""

    store: InMemoryStore = field(default_factory=lambda: InMemoryStore(EVENTS))
    log: list[str] = field(default_factory=list)
    handled: list[str] = field(default_factory=list)
    dead: list[Any] = field(default_factory=list)
    unreachable: bool = False
    conflicts: int = 0  # how many more times a product named conflict-* meets another writer of its stream

    async def open_tally(self, envelope: Any, uow: Any, ports: Any) -> None:
        """The handler: one tally per registered product; products named poison-* cannot be handled."""
        self.handled.append(envelope.product_id)
        if envelope.product_id.startswith("poison"):
            raise RuntimeError(f"cannot handle {envelope.product_id}")
        if envelope.product_id.startswith("conflict") and self.conflicts > 0:
            self.conflicts -= 1
            raise ConcurrencyError(f"tally-{envelope.product_id}", 0)
        uow.repository(Tally).add(Tally.open(f"tally-{envelope.product_id}", envelope.product_id, "380"))

    def unit_of_work(self) -> InMemoryUnitOfWork:
        if self.unreachable:
            raise OSError("connection refused")
        return LoggedUnitOfWork(self.store, self.log)


def _numbered(build: Callable[..., Any]) -> Callable[..., Any]:
    """TestKafkaBroker gives every record offset 0; the consumer keys dead letters and parking on offsets."""
    offsets: dict[tuple[str, int], itertools.count[int]] = {}

    def numbered(record: ConsumerRecord) -> ConsumerRecord:
        counter = offsets.setdefault((record.topic, record.partition), itertools.count())
        return dataclasses.replace(record, offset=next(counter))

    if asyncio.iscoroutinefunction(build):

        async def build_async(*args: Any, **kwargs: Any) -> ConsumerRecord:
            return numbered(await build(*args, **kwargs))

        return build_async
    return lambda *args, **kwargs: numbered(build(*args, **kwargs))


def _partition_control(monkeypatch: pytest.MonkeyPatch, log: list[str]) -> None:
    """TestKafkaBroker's consumer only commits everything and seeks: note pauses, resumes and per-partition commits."""

    async def commit(self: Any, offsets: dict[TopicPartition, int] | None = None) -> None:
        if offsets is not None:
            log.extend(f"commit {tp.partition}@{offset}" for tp, offset in offsets.items())

    monkeypatch.setattr(FakeConsumer, "commit", commit)
    monkeypatch.setattr(FakeConsumer, "pause", lambda self, tp: log.append(f"pause {tp.partition}"), raising=False)
    monkeypatch.setattr(FakeConsumer, "resume", lambda self, tp: log.append(f"resume {tp.partition}"), raising=False)


@asynccontextmanager
async def _harness(monkeypatch: pytest.MonkeyPatch, **overrides: Any) -> AsyncIterator[tuple[Harness, Any, DeadLetterTable]]:
    h = Harness()
    values: dict[str, Any] = {"consumer_max_retries": 2, "consumer_retry_backoff_seconds": 0.001, **overrides}
    settings = ServiceSettings(service="kt_fast", **values)
    broker = make_broker(settings, client_id="kt-fast")
    table = DeadLetterTable(h.log)
    consumer = InboxConsumer(
        Subscription("tally-opener", (TOPIC, PRODUCT_RATED_TOPIC), h.open_tally),
        ServicePorts(uow=h.unit_of_work),
        DeadLetters(broker, table, settings.dead_letter_topic),  # type: ignore[arg-type]
        settings,
    )
    consumer.register(broker)

    @broker.subscriber(settings.dead_letter_topic)
    async def dead_letter_topic(message: KafkaMessage) -> None:
        h.dead.append(message.raw_message)

    ack = KafkaAckableMessage.ack

    async def logged_ack(message: Any) -> None:
        h.log.append("ack")
        await ack(message)

    async def logged_nack(message: Any) -> None:
        # Only noted: TestKafkaBroker hands a batch over as a list where aiokafka gives a tuple, and faststream's
        # nack (a seek per partition) reads a list as one record. The rewind itself is tested over the real broker.
        h.log.append("nack")

    monkeypatch.setattr(KafkaAckableMessage, "ack", logged_ack)
    monkeypatch.setattr(KafkaAckableMessage, "nack", logged_nack)
    monkeypatch.setattr(kafka_testing, "build_message", _numbered(kafka_testing.build_message))
    monkeypatch.setattr(kafka_testing, "_build_record", _numbered(kafka_testing._build_record))
    _partition_control(monkeypatch, h.log)
    async with TestKafkaBroker(broker) as test_broker:
        try:
            yield h, test_broker, table
        finally:
            await consumer.stop()


@pytest.fixture
async def harness(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[Harness, Any, DeadLetterTable]]:
    async with _harness(monkeypatch) as started:
        yield started


def _headers(envelope: Any, **extra: str) -> dict[str, str]:
    return {k: v.decode() for k, v in kafka_headers(envelope, None, None)} | extra


async def _deliver(broker: Any, envelope: Any, *, topic: str = TOPIC, partition: int | None = None, **headers: str) -> None:
    await broker.publish(
        serialize_event(envelope), topic, key=envelope.product_id.encode(), partition=partition,
        headers=_headers(envelope, **headers),
    )


def _header(record: Any, name: str) -> str:
    return next(v.decode() for k, v in record.headers if k == name)


async def _until(check: Callable[[], bool], what: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.005)


async def test_an_event_delivered_twice_reaches_the_handler_once(harness):
    h, broker, _ = harness
    event = registered(f"twice-{uuid.uuid4().hex[:6]}")
    await _deliver(broker, event)
    await _deliver(broker, event)

    assert h.handled == [event.product_id]
    assert [e.stream_id for e in h.store.events] == [f"tally-{event.product_id}"]
    assert h.store.inbox == {("kt_fast.tally-opener", event.event_id)}


async def test_facts_a_handler_records_carry_the_context_of_the_record_that_caused_them(harness):
    h, broker, _ = harness
    event = registered(f"ctx-{uuid.uuid4().hex[:6]}")
    await _deliver(broker, event)

    [stored] = h.store.events
    # Saved inside the record's context, not at commit: the public events derived from them continue its flow.
    assert stored.metadata["correlation_id"] == str(event.correlation_id)
    assert stored.metadata["causation_id"] == str(event.event_id)


async def test_the_offset_is_acknowledged_only_after_the_commit(harness):
    h, broker, _ = harness
    await _deliver(broker, registered("acked"))
    assert h.log == ["commit", "ack"]


async def test_a_poison_event_is_parked_and_dead_lettered_after_the_retries_while_the_record_before_it_commits(harness):
    h, broker, table = harness
    good, poison = registered("good-1"), registered("poison-1")
    await broker.publish_batch(serialize_event(good), serialize_event(poison), topic=TOPIC)
    await _until(lambda: "resume 0" in h.log, "the poison event's partition to resume")

    # The batch's transaction stops at the poison event; the good one before it commits; the poison one is tried
    # twice more, off the poll loop, while its partition is paused: three tries in all, as its dead letter says.
    assert h.handled == ["good-1", "poison-1", "good-1", "poison-1", "poison-1"]
    assert [e.stream_id for e in h.store.events] == ["tally-good-1"]
    assert [(r.value, _header(r, "dlq.error"), _header(r, "dlq.attempts")) for r in h.dead] == [
        (serialize_event(poison), "RuntimeError: cannot handle poison-1", "3")
    ]
    assert _header(h.dead[0], "dlq.consumer") == "kt_fast.tally-opener" and _header(h.dead[0], "dlq.topic") == TOPIC
    assert [row["error"] for row in table.rows.values()] == ["RuntimeError: cannot handle poison-1"]
    # Paused before the batch is acknowledged (its commit stops at the poison event), committed past it only once
    # it is dead-lettered, and resumed after that commit.
    assert h.log == ["commit", "pause 0", "ack", "dead letter", "commit 0@2", "resume 0"]


async def test_a_conflict_with_another_writer_is_retried_until_it_passes_and_never_dead_lettered(harness):
    h, broker, _ = harness
    h.conflicts = 6  # twice the retries that dead-letter a failing record
    event = registered("conflict-1")
    await broker.publish(serialize_event(event), topic=TOPIC)
    await _until(lambda: "resume 0" in h.log, "the conflicting event's partition to resume")

    assert h.handled == ["conflict-1"] * 7 and h.conflicts == 0
    assert [e.stream_id for e in h.store.events] == ["tally-conflict-1"]
    assert h.dead == []


async def test_a_poison_event_holds_back_no_other_partition(monkeypatch):
    async with _harness(monkeypatch, consumer_retry_backoff_seconds=0.2) as (h, broker, _):
        await _deliver(broker, registered("poison-p0"), partition=0)
        await _deliver(broker, registered("next-p1"), partition=1)

        assert h.handled == ["poison-p0", "next-p1"] and h.dead == []  # handled at once, while p0's retries wait
        await _until(lambda: len(h.dead) == 1, "the poison event's dead letter")
    assert h.handled == ["poison-p0", "next-p1", "poison-p0", "poison-p0"]


async def test_a_malformed_event_goes_to_the_dead_letter_topic_at_once(harness):
    h, broker, table = harness
    await broker.publish(b"{not json", TOPIC, key=b"junk")

    assert h.handled == [] and h.store.events == []
    assert [(r.key, _header(r, "dlq.attempts")) for r in h.dead] == [(b"junk", "1")]
    assert _header(h.dead[0], "dlq.error").startswith("malformed event")
    assert h.log == ["dead letter", "ack"]


async def test_an_event_type_its_topic_does_not_carry_is_refused_at_once(harness):
    h, broker, _ = harness
    await _deliver(broker, registered("stray"), topic=PRODUCT_RATED_TOPIC)

    assert h.handled == [] and h.store.events == []
    assert [_header(r, "dlq.error") for r in h.dead] == [
        f"event type ProductRegistered does not belong to topic {PRODUCT_RATED_TOPIC} (ProductRated only)"
    ]
    assert _header(h.dead[0], "dlq.attempts") == "1"


async def test_an_event_type_header_that_contradicts_the_envelope_is_refused_at_once(harness):
    h, broker, _ = harness
    await _deliver(broker, registered("disguised"), event_type="InspectionFailed")

    assert h.handled == []
    assert [_header(r, "dlq.error") for r in h.dead] == [
        "the event_type header 'InspectionFailed' contradicts the envelope's 'ProductRegistered'"
    ]


async def test_the_dead_letter_continues_the_trace_of_the_poison_event(harness):
    h, broker, _ = harness
    # The record carries its sender's trace context, as the relay writes it (test_consumer_faults.py: a real batch).
    await _deliver(broker, registered("poison-traced"), traceparent=TRACEPARENT, tracestate="ocop=1")
    await _until(lambda: len(h.dead) == 1, "the poison event's dead letter")

    trace_id = TRACEPARENT.split("-")[1]
    assert _header(h.dead[0], "traceparent").split("-")[1] == trace_id
    assert _header(h.dead[0], "tracestate") == "ocop=1"


async def test_a_batch_is_rewound_not_acknowledged_while_the_store_is_unreachable(harness):
    h, broker, _ = harness
    h.unreachable = True
    await _deliver(broker, registered("while-down"))
    assert (h.handled, h.dead, h.log) == ([], [], ["nack"])


class _Topic:
    """Stands in for the broker DeadLetters publishes to; the first ``failures`` publishes fail."""

    def __init__(self, failures: int = 0) -> None:
        self.records: list[bytes] = []
        self._failures = failures

    async def publish(self, value: bytes, topic: str, **_: Any) -> None:
        if self._failures:
            self._failures -= 1
            raise ConnectionError("broker gone")
        self.records.append(value)


def _poison_record(offset: int = 7) -> ConsumerRecord:
    return ConsumerRecord(TOPIC, 0, offset, 0, 0, b"k", b"poison", None, 1, 6, [])


async def test_a_record_dead_lettered_again_on_a_replay_is_published_once():
    topic, table = _Topic(), DeadLetterTable([])
    dead_letters = DeadLetters(topic, table, "ocop.dlq.kt_fast")  # type: ignore[arg-type]

    first = await dead_letters.send("kt_fast.c", _poison_record(), "RuntimeError: no", attempts=3)
    replay = await dead_letters.send("kt_fast.c", _poison_record(), "RuntimeError: no", attempts=3)

    assert (first, replay, topic.records) == (True, False, [b"poison"])
    assert len(table.rows) == 1


async def test_a_dead_letter_whose_publish_was_interrupted_is_published_when_its_record_comes_again():
    topic, table = _Topic(failures=1), DeadLetterTable([])
    dead_letters = DeadLetters(topic, table, "ocop.dlq.kt_fast")  # type: ignore[arg-type]

    with pytest.raises(ConnectionError):
        await dead_letters.send("kt_fast.c", _poison_record(), "RuntimeError: no", attempts=3)
    assert await dead_letters.send("kt_fast.c", _poison_record(), "RuntimeError: no", attempts=3)

    assert topic.records == [b"poison"] and [r["published"] for r in table.rows.values()] == [True]
