"""Tracing rules in memory: which spans are sampled, the messaging attributes, trace context in headers, and the dead
letter's span continuing the record's trace."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import structlog
from aiokafka import ConsumerRecord, TopicPartition
from aiokafka.structs import RecordMetadata
from opentelemetry import propagate, trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from shared.consumer import InboxConsumer, Subscription
from shared.contracts import kafka_headers, parse_event, serialize_event
from shared.dead_letters import DeadLetters
from shared.memory import InMemoryStore, InMemoryUnitOfWork
from shared.ports import ServicePorts
from shared.settings import ServiceSettings
from shared.tracing import SEND, headers_with, message_attributes, sampler
from tests.kernel.tally import EVENTS, Tally, registered

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
STATEMENT = {"db.system": "postgresql", "db.statement": "SELECT 1"}


def _traced(ratio: float = 1.0) -> tuple[trace.Tracer, InMemorySpanExporter]:
    """A tracer of a provider of its own, sampling as a service's does."""
    exporter, provider = InMemorySpanExporter(), TracerProvider(sampler=sampler(ratio))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider.get_tracer("tests"), exporter


def _names(exporter: InMemorySpanExporter) -> list[str]:
    return [s.name for s in exporter.get_finished_spans()]


def test_a_database_statement_outside_any_request_or_event_is_not_traced():
    tracer, exporter = _traced()
    with tracer.start_as_current_span("SELECT", kind=SpanKind.CLIENT, attributes=STATEMENT):
        pass
    with tracer.start_as_current_span("SELECT new", kind=SpanKind.CLIENT, attributes={"db.system.name": "postgresql"}):
        pass
    assert _names(exporter) == []


def test_a_database_statement_of_a_request_is_traced_and_other_roots_are():
    tracer, exporter = _traced()
    with tracer.start_as_current_span("POST /producers", kind=SpanKind.SERVER):
        with tracer.start_as_current_span("INSERT", kind=SpanKind.CLIENT, attributes=STATEMENT):
            pass
    with tracer.start_as_current_span("GET /elsewhere", kind=SpanKind.CLIENT):  # a client span, but no statement
        pass
    assert _names(exporter) == ["INSERT", "POST /producers", "GET /elsewhere"]


def test_a_transaction_s_begin_is_not_traced_inside_a_flow_and_its_other_statements_are():
    tracer, exporter = _traced()
    with tracer.start_as_current_span("POST /producers", kind=SpanKind.SERVER):
        # asyncpg sends "BEGIN;" for a transaction and its instrumentation names the span by the statement's first
        # word, semicolon included; "BEGIN ISOLATION LEVEL …" gives "BEGIN".
        for statement in ("BEGIN;", "BEGIN", "INSERT", "COMMIT;"):
            with tracer.start_as_current_span(statement, kind=SpanKind.CLIENT, attributes=STATEMENT):
                pass
    with tracer.start_as_current_span("process t", context=propagate.extract({"traceparent": TRACEPARENT})):
        with tracer.start_as_current_span("BEGIN", kind=SpanKind.CLIENT, attributes=STATEMENT):
            pass
        with tracer.start_as_current_span("BEGIN", kind=SpanKind.INTERNAL):  # not a statement: a span of our own
            pass
    assert _names(exporter) == ["INSERT", "COMMIT;", "POST /producers", "BEGIN", "process t"]


def test_a_statement_of_an_event_sent_from_a_traced_flow_is_traced_whatever_the_ratio_of_new_roots():
    tracer, exporter = _traced(ratio=0.0)
    with tracer.start_as_current_span("process t", context=propagate.extract({"traceparent": TRACEPARENT})):
        with tracer.start_as_current_span("INSERT", kind=SpanKind.CLIENT, attributes=STATEMENT):
            pass
    with tracer.start_as_current_span("POST /producers", kind=SpanKind.SERVER):  # a new root: ratio 0
        pass
    assert _names(exporter) == ["INSERT", "process t"]


def test_message_attributes_follow_the_messaging_conventions():
    assert message_attributes("process", "t", key=b"p-1", event_id="e-1", partition=2, offset=41, group="g") == {
        "messaging.system": "kafka", "messaging.destination.name": "t", "messaging.operation.type": "process",
        "messaging.operation.name": "process", "messaging.kafka.message.key": "p-1", "messaging.message.id": "e-1",
        "messaging.destination.partition.id": "2", "messaging.kafka.offset": 41, "messaging.consumer.group.name": "g",
    }
    # A null key is not set; partition and offset of a send are not known before its ack.
    assert message_attributes(SEND, "t", key=None, event_id=None) == {
        "messaging.system": "kafka", "messaging.destination.name": "t", "messaging.operation.type": "send",
        "messaging.operation.name": "send",
    }


def test_headers_carry_the_span_s_trace_context_in_place_of_the_one_they_had():
    tracer, _ = _traced()
    with tracer.start_as_current_span("send t", context=propagate.extract({"traceparent": TRACEPARENT})) as span:
        headers = headers_with(span, {"traceparent": TRACEPARENT, "tracestate": "old=1", "event_id": "e-1"})
    assert headers["traceparent"] == f"00-{TRACEPARENT.split('-')[1]}-{span.get_span_context().span_id:016x}-01"
    assert "tracestate" not in headers and headers["event_id"] == "e-1"
    assert headers_with(trace.INVALID_SPAN, {"event_id": "e-1"}) == {"event_id": "e-1"}  # no trace: as they were


class _Connection:
    async def execute(self, *_: Any) -> str:
        return "INSERT 0 1"


class _Pool:
    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[_Connection]:
        yield _Connection()


class _Topic:
    """The broker as DeadLetters publishes to it: what was published, acknowledged at offset 7 of partition 1."""

    def __init__(self) -> None:
        self.published: list[tuple[bytes, str, bytes | None, dict[str, str]]] = []

    async def publish(self, value: bytes, topic: str, *, key: bytes | None, headers: dict[str, str]) -> RecordMetadata:
        self.published.append((value, topic, key, headers))
        return RecordMetadata(topic, 1, TopicPartition(topic, 1), 7, -1, 0, 0)


async def test_a_dead_letter_continues_the_record_s_trace_and_keeps_its_correlation(spans):
    envelope = registered("p-poison")
    headers = kafka_headers(envelope, TRACEPARENT, "ocop=1")
    record = ConsumerRecord("t", 0, 12, 0, 0, b"p-poison", serialize_event(envelope), None, 0, 0, headers)
    topic = _Topic()

    assert await DeadLetters(topic, _Pool(), "ocop.dlq.tests").send("tests.c", record, "boom", attempts=3)  # type: ignore[arg-type]

    [(value, name, key, sent)] = topic.published
    [span] = [s for s in spans.get_finished_spans() if s.kind == SpanKind.PRODUCER]
    assert (span.name, span.parent.span_id) == ("send ocop.dlq.tests", int(TRACEPARENT.split("-")[2], 16))
    assert sent["traceparent"] == f"00-{span.context.trace_id:032x}-{span.context.span_id:016x}-01"
    assert span.context.trace_id == int(TRACEPARENT.split("-")[1], 16) and sent["tracestate"] == "ocop=1"
    assert parse_event(value).correlation_id == envelope.correlation_id and key == b"p-poison"
    assert dict(span.attributes) == {
        "messaging.system": "kafka", "messaging.destination.name": "ocop.dlq.tests", "messaging.operation.type": "send",
        "messaging.operation.name": "send", "messaging.kafka.message.key": "p-poison",
        "messaging.message.id": str(envelope.event_id), "messaging.destination.partition.id": "1",
        "messaging.kafka.offset": 7, "ocop.consumer": "tests.c",
    }


async def _open_tally(envelope: Any, uow: Any, _: Any) -> None:
    uow.repository(Tally).add(Tally.open(f"tally-{envelope.product_id}", envelope.product_id, "380"))


def _record(envelope: Any, offset: int, traceparent: str) -> ConsumerRecord:
    return ConsumerRecord("t", 0, offset, 0, 0, envelope.product_id.encode(), serialize_event(envelope), None, 0, 0,
                          kafka_headers(envelope, traceparent))


async def test_a_batch_s_records_each_have_their_process_span_and_their_shared_commit_a_batch_span_linked_to_them(spans):
    store = InMemoryStore(EVENTS)
    consumer = InboxConsumer(Subscription("tally-opener", ("t",), _open_tally),
                             ServicePorts(uow=lambda: InMemoryUnitOfWork(store)), None,  # type: ignore[arg-type]
                             ServiceSettings(service="kt_trace"))
    first, second = registered("p-first"), registered("p-second")
    senders = [f"00-{n:032x}-{n:016x}-01" for n in (1, 2)]
    batch = [_record(first, 0, senders[0]), _record(second, 1, senders[1]), _record(first, 2, senders[0])]

    with structlog.testing.capture_logs() as lines:
        assert await consumer.handle_batch(batch) == []

    processed = [s for s in spans.get_finished_spans() if s.kind == SpanKind.CONSUMER]
    [shared] = [s for s in processed if "messaging.batch.message_count" in s.attributes]
    records = [s for s in processed if s is not shared]
    assert shared.end_time <= min(s.end_time for s in records)  # a record's span ends once the commit did
    assert [(s.context.trace_id, s.parent.span_id) for s in records] == [(1, 1), (2, 2)]
    assert [s.attributes["messaging.kafka.offset"] for s in records] == [0, 1]
    assert (shared.name, shared.parent, shared.attributes["messaging.batch.message_count"]) == ("process t", None, 2)
    assert [link.context for link in shared.links] == [s.context for s in records]
    # One line per record: the copy of the first one met in the same batch is a repeat.
    assert [(line["outcome"], line["offset"]) for line in lines] == [("handled", 0), ("handled", 1), ("repeat", 2)]
