"""Consumers of integration events: inbox for idempotency, bounded retries, dead-letter topic.

A batch is first handled in one transaction (fast path). If anything in it
fails, each record is retried on its own so one poison message cannot block
the others; after the retries it goes to ``ocop.dlq.<service>`` with the error
and the consumer moves on. Offsets are committed only after the transaction
committed or the record reached the dead-letter topic (at-least-once delivery,
effectively-once effects through the inbox).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
import structlog
from aiokafka import ConsumerRecord
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from opentelemetry import propagate, trace

from shared.context import message_context
from shared.contracts import ContractError, parse_event
from shared.eventstore import ConcurrencyError
from shared.ports import ServicePorts
from shared.settings import ServiceSettings
from shared.uow import UnitOfWork

log = structlog.get_logger(__name__)
tracer = trace.get_tracer("ocop.consumer")

Handler = Callable[[Any, UnitOfWork, Any], Awaitable[None]]

_TRANSIENT = (
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    OSError,
)


@dataclass(frozen=True)
class Subscription:
    """``name`` identifies the consumer in the inbox and its consumer group; ``handler(envelope, uow, ports)``.

    The consumer opens ``uow`` (the inbox row commits with the handler's events); ``ports`` are the service's
    (catalogue, policy, clock …), as its bootstrap built them.
    """

    name: str
    topics: tuple[str, ...]
    handler: Handler


def _headers(record: ConsumerRecord) -> dict[str, str]:
    return {k: v.decode("utf-8", "replace") for k, v in (record.headers or ())}


class InboxConsumer:
    def __init__(
        self,
        subscription: Subscription,
        ports: ServicePorts,
        dead_letters: DeadLetters,
        settings: ServiceSettings,
    ) -> None:
        self.subscription = subscription
        self.consumer = f"{settings.service}.{subscription.name}"
        self.group_id = f"{settings.consumer_group}.{subscription.name}"
        self._ports = ports
        self._uow_factory = ports.uow
        self._dead_letters = dead_letters
        self._settings = settings
        self.handled = 0

    def register(self, broker: KafkaBroker) -> Any:
        settings = self._settings

        @broker.subscriber(
            *self.subscription.topics,
            group_id=self.group_id,
            batch=True,
            max_records=settings.consumer_batch_size,
            batch_timeout_ms=settings.kafka_fetch_max_wait_ms,
            fetch_max_wait_ms=settings.kafka_fetch_max_wait_ms,
            auto_offset_reset="earliest",
            ack_policy=AckPolicy.MANUAL,
            decoder=_keep_raw,
        )
        async def on_batch(message: KafkaMessage) -> None:
            try:
                await self.handle_batch(message.raw_message)
            except Exception as exc:
                # Database or broker unreachable: rewind, so nothing is committed past these records.
                log.warning("batch not handled; will be redelivered", consumer=self.consumer, error=str(exc))
                await asyncio.sleep(settings.consumer_retry_backoff_seconds * 5)
                await message.nack()
                return
            await message.ack()

        return on_batch

    async def handle_batch(self, records: Sequence[ConsumerRecord]) -> None:
        try:
            await self._in_one_transaction(records)
        except _TRANSIENT:
            raise
        except Exception as exc:
            log.info("batch failed, handling records one by one", consumer=self.consumer, error=str(exc))
            for record in records:
                await self._one_with_retries(record)

    async def _in_one_transaction(self, records: Sequence[ConsumerRecord]) -> None:
        envelopes = [parse_event(r.value) for r in records]
        async with self._uow_factory() as uow:
            fresh = await uow.claim_inbox_batch(
                self.consumer, [(e.event_id, r.topic, r.partition, r.offset) for r, e in zip(records, envelopes)]
            )
            for record, envelope in zip(records, envelopes):
                if envelope.event_id in fresh:
                    fresh.discard(envelope.event_id)  # a repeat inside the batch is handled once
                    await self._handle(record, envelope, uow)
            await uow.commit()
        self.handled += len(records)

    async def _one_with_retries(self, record: ConsumerRecord) -> None:
        try:
            envelope = parse_event(record.value)
        except ContractError as exc:
            await self._dead_letters.send(self.consumer, record, f"malformed event: {exc}", attempts=1)
            return
        attempts = 0
        while True:
            attempts += 1
            try:
                async with self._uow_factory() as uow:
                    await self._apply(uow, record, envelope)
                    await uow.commit()
                self.handled += 1
                return
            except _TRANSIENT:
                raise
            except Exception as exc:
                if attempts > self._settings.consumer_max_retries:
                    error = f"{type(exc).__name__}: {exc}"
                    await self._dead_letters.send(self.consumer, record, error, attempts=attempts)
                    return
                backoff = 0 if isinstance(exc, ConcurrencyError) else self._settings.consumer_retry_backoff_seconds
                await asyncio.sleep(backoff * attempts)

    async def _apply(self, uow: UnitOfWork, record: ConsumerRecord, envelope: Any) -> None:
        if await uow.claim_inbox(self.consumer, envelope.event_id, record.topic, record.partition, record.offset):
            await self._handle(record, envelope, uow)

    async def _handle(self, record: ConsumerRecord, envelope: Any, uow: UnitOfWork) -> None:
        parent = propagate.extract(_headers(record))
        with (
            tracer.start_as_current_span(f"{self.consumer} handle {envelope.event_type}", context=parent, kind=trace.SpanKind.CONSUMER),
            structlog.contextvars.bound_contextvars(event_id=str(envelope.event_id), product_id=envelope.product_id),
            message_context(correlation_id=envelope.correlation_id, causation_id=envelope.event_id, actor=None),
        ):
            await self.subscription.handler(envelope, uow, self._ports)


async def _keep_raw(message: Any) -> Any:
    """The consumer parses envelopes itself, so a malformed body reaches the dead-letter path instead of the decoder."""
    return message.body


class DeadLetters:
    """Sends unhandleable records to the service's dead-letter topic with the reason, and keeps a local copy."""

    def __init__(self, broker: KafkaBroker, pool: asyncpg.Pool, topic: str) -> None:
        self._broker = broker
        self._pool = pool
        self.topic = topic
        self.sent = 0

    async def send(self, consumer: str, record: ConsumerRecord, error: str, *, attempts: int) -> None:
        headers = _headers(record) | {
            "dlq.error": error[:2000],
            "dlq.consumer": consumer,
            "dlq.topic": record.topic,
            "dlq.partition": str(record.partition),
            "dlq.offset": str(record.offset),
            "dlq.attempts": str(attempts),
        }
        await self._broker.publish(record.value or b"", self.topic, key=record.key, headers=headers)
        async with self._pool.acquire() as conn:
            await conn.execute(
                "INSERT INTO dead_letters (consumer, topic, kafka_partition, kafka_offset, message_key, payload, error, attempts)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
                consumer,
                record.topic,
                record.partition,
                record.offset,
                record.key,
                record.value,
                error,
                attempts,
            )
        self.sent += 1
        log.error("event sent to dead-letter topic", consumer=consumer, topic=record.topic, offset=record.offset, error=error)
