"""The dead-letter topic of a service: each unhandleable record once, with the reason, and a local copy.

Kept apart from the consumer because its order of writes is its own reason to change: the ``dead_letters`` row is
written before the record is published and marked after, so a replay publishes nothing twice and a crash loses
nothing (see :meth:`DeadLetters.send`).
"""

from __future__ import annotations

from typing import Any

import asyncpg
import structlog
from aiokafka import ConsumerRecord
from aiokafka.structs import RecordMetadata
from faststream.kafka import KafkaBroker
from opentelemetry import propagate, trace

from shared.tracing import SEND, headers_with, message_attributes, placed, span_name

log = structlog.get_logger(__name__)
tracer = trace.get_tracer("ocop.consumer")


def record_headers(record: ConsumerRecord) -> dict[str, str]:
    return {k: v.decode("utf-8", "replace") for k, v in (record.headers or ())}


def record_fields(record: ConsumerRecord) -> dict[str, Any]:
    """What a log line says of a record that may be no event at all: what its headers and key claim, and its place."""
    headers = record_headers(record)
    return {"event_id": headers.get("event_id"), "event_type": headers.get("event_type"),
            "product_id": record.key.decode("utf-8", "replace") if record.key is not None else None,
            "topic": record.topic, "partition": record.partition, "offset": record.offset}


_CLAIM = (
    "INSERT INTO dead_letters (consumer, topic, kafka_partition, kafka_offset, message_key, payload, error, attempts)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    " ON CONFLICT (consumer, topic, kafka_partition, kafka_offset)"
    " DO UPDATE SET error = EXCLUDED.error, attempts = EXCLUDED.attempts WHERE dead_letters.published_at IS NULL"
)
_PUBLISHED = (
    "UPDATE dead_letters SET published_at = now()"
    " WHERE consumer = $1 AND topic = $2 AND kafka_partition = $3 AND kafka_offset = $4"
)


class DeadLetters:
    """Sends unhandleable records to the service's dead-letter topic with the reason, once each, and keeps a copy."""

    def __init__(self, broker: KafkaBroker, pool: asyncpg.Pool, topic: str) -> None:
        self._broker = broker
        self._pool = pool
        self.topic = topic
        self.sent = 0

    async def send(self, consumer: str, record: ConsumerRecord, error: str, *, attempts: int) -> bool:
        """True when published now; False when an earlier delivery of the same record was (a replay)."""
        key = (consumer, record.topic, record.partition, record.offset)
        # Row first, topic second, mark third: a crash before the mark leaves an unmarked row and an uncommitted
        # offset, so the redelivered record publishes it (never lost); only a crash between publish and mark
        # publishes twice. Publishing first and recording after has the same window, but then a row could not say
        # whether its record reached the topic.
        if not await self._claim(key, record, error, attempts):
            log.info("event already dead-lettered", outcome="repeat", consumer=consumer, **record_fields(record))
            return False
        # The dead letter continues the record's own trace: its span is a child of the record's sender, and the
        # record's correlation id travels in its payload, copied as it came.
        original = record_headers(record)
        with tracer.start_as_current_span(
            span_name(SEND, self.topic), context=propagate.extract(original), kind=trace.SpanKind.PRODUCER,
            attributes=message_attributes(SEND, self.topic, key=record.key, event_id=original.get("event_id"))
            | {"ocop.consumer": consumer},
        ) as span:
            await self._publish(span, consumer, record, error, attempts)
            async with self._pool.acquire() as conn:
                await conn.execute(_PUBLISHED, *key)
            self.sent += 1
            log.error("event sent to dead-letter topic", outcome="dead-lettered", consumer=consumer, error=error,
                      attempts=attempts, **record_fields(record))
        return True

    async def _claim(self, key: tuple[str, str, int, int], record: ConsumerRecord, error: str, attempts: int) -> bool:
        async with self._pool.acquire() as conn:
            status = await conn.execute(_CLAIM, *key, record.key, record.value, error, attempts)
        return status != "INSERT 0 0"  # 0 rows: the row exists and its record was published

    async def _publish(self, span: trace.Span, consumer: str, record: ConsumerRecord, error: str, attempts: int) -> None:
        headers = headers_with(span, record_headers(record)) | {
            "dlq.error": error[:2000],
            "dlq.consumer": consumer,
            "dlq.topic": record.topic,
            "dlq.partition": str(record.partition),
            "dlq.offset": str(record.offset),
            "dlq.attempts": str(attempts),
        }
        ack = await self._broker.publish(record.value or b"", self.topic, key=record.key, headers=headers)
        if isinstance(ack, RecordMetadata):
            span.set_attributes(placed(ack.partition, ack.offset))
