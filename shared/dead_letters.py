"""The dead-letter topic of a service: each unhandleable record once, with the reason, and a local copy.

Kept apart from the consumer because its order of writes is its own reason to change: the ``dead_letters`` row is
written before the record is published and marked after, so a replay publishes nothing twice and a crash loses
nothing (see :meth:`DeadLetters.send`).
"""

from __future__ import annotations

import asyncpg
import structlog
from aiokafka import ConsumerRecord
from faststream.kafka import KafkaBroker
from opentelemetry import propagate, trace

log = structlog.get_logger(__name__)
tracer = trace.get_tracer("ocop.consumer")


def record_headers(record: ConsumerRecord) -> dict[str, str]:
    return {k: v.decode("utf-8", "replace") for k, v in (record.headers or ())}


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
            log.info("event already dead-lettered", consumer=consumer, topic=record.topic, offset=record.offset)
            return False
        await self._publish(consumer, record, error, attempts)
        async with self._pool.acquire() as conn:
            await conn.execute(_PUBLISHED, *key)
        self.sent += 1
        log.error("event sent to dead-letter topic", consumer=consumer, topic=record.topic, offset=record.offset, error=error)
        return True

    async def _claim(self, key: tuple[str, str, int, int], record: ConsumerRecord, error: str, attempts: int) -> bool:
        async with self._pool.acquire() as conn:
            status = await conn.execute(_CLAIM, *key, record.key, record.value, error, attempts)
        return status != "INSERT 0 0"  # 0 rows: the row exists and its record was published

    async def _publish(self, consumer: str, record: ConsumerRecord, error: str, attempts: int) -> None:
        original = record_headers(record)
        headers = original | {
            "dlq.error": error[:2000],
            "dlq.consumer": consumer,
            "dlq.topic": record.topic,
            "dlq.partition": str(record.partition),
            "dlq.offset": str(record.offset),
            "dlq.attempts": str(attempts),
        }
        # The dead letter continues the record's own trace: the telemetry middleware writes the current span into
        # the traceparent it publishes, which would otherwise be the batch's.
        with tracer.start_as_current_span(
            f"{consumer} dead-letter", context=propagate.extract(original), kind=trace.SpanKind.PRODUCER
        ):
            await self._broker.publish(record.value or b"", self.topic, key=record.key, headers=headers)
