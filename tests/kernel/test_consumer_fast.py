"""The inbox consumer in memory: faststream's TestKafkaBroker delivers, the in-memory unit of work stores.

The same consumer runs over the real broker and PostgreSQL in test_consumer.py; here each behaviour takes
milliseconds: an event redelivered has one effect, a poison event reaches the dead-letter topic after the retries
without holding back the rest of its batch, and the offset is acknowledged only after the commit.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from faststream.kafka import TestKafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.kafka.message import KafkaAckableMessage

from shared.consumer import DeadLetters, InboxConsumer, Subscription
from shared.contracts import kafka_headers, serialize_event
from shared.kafka import make_broker
from shared.memory import InMemoryStore, InMemoryUnitOfWork
from shared.ports import ServicePorts
from shared.settings import ServiceSettings
from tests.kernel.tally import EVENTS, Tally, registered

TOPIC = "test.fast.registrations"


class LoggedUnitOfWork(InMemoryUnitOfWork):
    def __init__(self, store: InMemoryStore, log: list[str]) -> None:
        super().__init__(store)
        self._log = log

    async def commit(self) -> Any:
        committed = await super().commit()
        self._log.append("commit")
        return committed


class DeadLetterTable:
    """Stands in for the pool in which DeadLetters keeps its local copy: records each row it inserts."""

    def __init__(self, log: list[str]) -> None:
        self.rows: list[tuple[Any, ...]] = []
        self._log = log

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[DeadLetterTable]:
        yield self

    async def execute(self, _sql: str, *row: Any) -> None:
        self.rows.append(row)
        self._log.append("dead letter")


@dataclass
class Harness:
    """One service's consumer of TOPIC on a test broker: what reached the handler, the dead letters, the log."""

    store: InMemoryStore = field(default_factory=lambda: InMemoryStore(EVENTS))
    log: list[str] = field(default_factory=list)
    handled: list[str] = field(default_factory=list)
    dead: list[Any] = field(default_factory=list)
    unreachable: bool = False

    async def open_tally(self, envelope: Any, uow: Any, ports: Any) -> None:
        """The handler: one tally per registered product; products named poison-* cannot be handled."""
        self.handled.append(envelope.product_id)
        if envelope.product_id.startswith("poison"):
            raise RuntimeError(f"cannot handle {envelope.product_id}")
        uow.repository(Tally).add(Tally.open(f"tally-{envelope.product_id}", envelope.product_id, "380"))

    def unit_of_work(self) -> InMemoryUnitOfWork:
        if self.unreachable:
            raise OSError("connection refused")
        return LoggedUnitOfWork(self.store, self.log)


@pytest.fixture
async def harness(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[Harness, Any, DeadLetterTable]]:
    h = Harness()
    settings = ServiceSettings(service="kt_fast", consumer_max_retries=2, consumer_retry_backoff_seconds=0.001)
    broker = make_broker(settings, client_id="kt-fast")
    table = DeadLetterTable(h.log)
    consumer = InboxConsumer(
        Subscription("tally-opener", (TOPIC,), h.open_tally),
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
    async with TestKafkaBroker(broker) as test_broker:
        yield h, test_broker, table


def _headers(envelope: Any) -> dict[str, str]:
    return {k: v.decode() for k, v in kafka_headers(envelope, None, None)}


async def _deliver(broker: Any, envelope: Any) -> None:
    await broker.publish(serialize_event(envelope), TOPIC, key=envelope.product_id.encode(), headers=_headers(envelope))


def _header(record: Any, name: str) -> str:
    return next(v.decode() for k, v in record.headers if k == name)


async def test_an_event_delivered_twice_reaches_the_handler_once(harness):
    h, broker, _ = harness
    event = registered(f"twice-{uuid.uuid4().hex[:6]}")
    await _deliver(broker, event)
    await _deliver(broker, event)

    assert h.handled == [event.product_id]
    assert [e.stream_id for e in h.store.events] == [f"tally-{event.product_id}"]
    assert h.store.inbox == {("kt_fast.tally-opener", event.event_id)}


async def test_the_offset_is_acknowledged_only_after_the_commit(harness):
    h, broker, _ = harness
    await _deliver(broker, registered("acked"))
    assert h.log == ["commit", "ack"]


async def test_a_poison_event_goes_to_the_dead_letter_topic_after_the_retries_and_its_batch_goes_on(harness):
    h, broker, table = harness
    good, poison = registered("good-1"), registered("poison-1")
    await broker.publish_batch(serialize_event(good), serialize_event(poison), topic=TOPIC)

    # One try in the batch's transaction, then each record alone: the good one commits, the poison one tries 3 times.
    assert h.handled == ["good-1", "poison-1", "good-1", "poison-1", "poison-1", "poison-1"]
    assert [e.stream_id for e in h.store.events] == ["tally-good-1"]
    assert [(r.value, _header(r, "dlq.error"), _header(r, "dlq.attempts")) for r in h.dead] == [
        (serialize_event(poison), "RuntimeError: cannot handle poison-1", "3")
    ]
    assert _header(h.dead[0], "dlq.consumer") == "kt_fast.tally-opener" and _header(h.dead[0], "dlq.topic") == TOPIC
    assert [row[6] for row in table.rows] == ["RuntimeError: cannot handle poison-1"]
    assert h.log == ["commit", "dead letter", "ack"]


async def test_a_malformed_event_goes_to_the_dead_letter_topic_at_once(harness):
    h, broker, table = harness
    await broker.publish(b"{not json", TOPIC, key=b"junk")

    assert h.handled == [] and h.store.events == []
    assert [(r.key, _header(r, "dlq.attempts")) for r in h.dead] == [(b"junk", "1")]
    assert _header(h.dead[0], "dlq.error").startswith("malformed event")
    assert h.log == ["dead letter", "ack"]


async def test_a_batch_is_rewound_not_acknowledged_while_the_store_is_unreachable(harness):
    h, broker, _ = harness
    h.unreachable = True
    await _deliver(broker, registered("while-down"))
    assert (h.handled, h.dead, h.log) == ([], [], ["nack"])
