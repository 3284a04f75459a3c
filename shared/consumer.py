"""Consumers of integration events: inbox for idempotency, retries outside the poll loop, dead-letter topic.

A batch is handled partition by partition, in offset order, each partition's records in one transaction. When a
handler fails on a record, the records before it commit and the failing one is *parked*: its partition is rewound
to it and paused, and a task of its own retries it with back-off until it is handled or goes to
``ocop.dlq.<service>``, then commits it and resumes the partition. Other partitions flow on meanwhile, and no retry
holds the poll loop, so the broker never drops the consumer from its group (max poll interval). A record that cannot
be an event of its topic (malformed, or an event type the topic does not carry) is dead-lettered at once. Offsets
are committed only after the transaction committed or the record reached the dead-letter topic (at-least-once
delivery, effectively-once effects through the inbox).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import nullcontext, suppress
from dataclasses import dataclass
from typing import Any

import asyncpg
import structlog
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import IllegalStateError, KafkaError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from opentelemetry import context as otel_context
from opentelemetry import propagate, trace

from shared.context import message_context
from shared.contracts import ContractError, contract_for_topic, parse_event
from shared.dead_letters import DeadLetters, record_fields, record_headers  # DeadLetters: the runtime builds it from here
from shared.eventstore import ConcurrencyError
from shared.kafka import ensure_topics_async
from shared.ports import ServicePorts
from shared.settings import ServiceSettings
from shared.tracing import PROCESS, batch_attributes, failed, message_attributes, span_name
from shared.uow import UnitOfWork

log = structlog.get_logger(__name__)
tracer = trace.get_tracer("ocop.consumer")

Handler = Callable[[Any, UnitOfWork, Any], Awaitable[None]]

# A conflicting writer of the same stream is retried within this (uniform jitter), as often as it takes.
_CONFLICT_JITTER_SECONDS = 0.05

_TRANSIENT = (
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    OSError,
)


_RECORD: contextvars.ContextVar[ConsumerRecord | None] = contextvars.ContextVar("ocop_consumed_record", default=None)


def consumed_value() -> bytes | None:
    """The value of the record whose handler runs now, exactly as the broker delivered it (the envelope a handler
    gets is parsed and brought up to the version this code reads); None outside a handler."""
    record = _RECORD.get()
    return record.value if record is not None else None


@dataclass(frozen=True)
class Subscription:
    """``name`` identifies the consumer in the inbox and its consumer group; ``handler(envelope, uow, ports)``.

    The consumer opens ``uow`` (the inbox row commits with the handler's events); ``ports`` are the service's
    (catalogue, policy, clock …), as its bootstrap built them.
    """

    name: str
    topics: tuple[str, ...]
    handler: Handler


@dataclass(frozen=True)
class _Refused:
    """A record that cannot be an event of its topic, and why: it never reaches the handler."""

    reason: str


@dataclass(frozen=True)
class _Parked:
    """The first record of a partition that failed and has retries left, with its envelope and error."""

    record: ConsumerRecord
    envelope: Any
    error: Exception

    @property
    def partition(self) -> TopicPartition:
        return TopicPartition(self.record.topic, self.record.partition)


class _HandlerFailed(Exception):
    """The handler failed on the ``index``-th record of a transaction."""

    def __init__(self, index: int, error: Exception) -> None:
        super().__init__(f"{type(error).__name__}: {error}")
        self.index, self.error = index, error


def _partitions(records: Sequence[ConsumerRecord]) -> dict[TopicPartition, list[ConsumerRecord]]:
    grouped: dict[TopicPartition, list[ConsumerRecord]] = {}
    for record in records:
        grouped.setdefault(TopicPartition(record.topic, record.partition), []).append(record)
    return grouped


def _error(exc: Exception) -> Exception:
    return exc.error if isinstance(exc, _HandlerFailed) else exc


def _described(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"


def _envelope_or_refusal(record: ConsumerRecord) -> Any:
    """The record's envelope, or :class:`_Refused` when it cannot be an event of its topic."""
    try:
        envelope = parse_event(record.value)
    except ContractError as exc:
        return _Refused(f"malformed event: {exc}")
    declared = record_headers(record).get("event_type")
    if declared is not None and declared != envelope.event_type:
        return _Refused(f"the event_type header {declared!r} contradicts the envelope's {envelope.event_type!r}")
    carried = contract_for_topic(record.topic)
    # Only contract topics say what they carry; a private topic (a test's) carries what its producer sends.
    if carried is not None and carried.event_type != envelope.event_type:
        return _Refused(f"event type {envelope.event_type} does not belong to topic {record.topic} ({carried.event_type} only)")
    return envelope


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
        self._parked: dict[TopicPartition, asyncio.Task[None]] = {}
        self.handled = 0

    def register(self, broker: KafkaBroker) -> Any:
        settings = self._settings
        quiet_repeated_client_logs()

        @broker.subscriber(
            *self.subscription.topics,
            group_id=self.group_id,
            batch=True,
            max_records=settings.consumer_batch_size,
            batch_timeout_ms=settings.kafka_fetch_max_wait_ms,
            fetch_max_wait_ms=settings.kafka_fetch_max_wait_ms,
            max_poll_interval_ms=settings.kafka_max_poll_interval_ms,
            auto_offset_reset="earliest",
            ack_policy=AckPolicy.MANUAL,
            decoder=_keep_raw,
        )
        async def on_batch(message: KafkaMessage) -> None:
            await self.on_batch(message)

        return on_batch

    async def on_batch(self, message: KafkaMessage) -> None:
        consumer = message.consumer
        records = self._hold_parked_partitions(consumer, message.raw_message)
        try:
            parked = await self.handle_batch(records)
        except Exception as exc:
            # Database or broker unreachable: rewind, so nothing is committed past these records.
            log.warning("batch not handled; will be redelivered", consumer=self.consumer, error=str(exc))
            await asyncio.sleep(self._settings.consumer_retry_backoff_seconds * 5)
            await message.nack()
            return
        for failure in parked:
            self._park(consumer, failure)
        await self._commit(consumer, message.ack())

    async def handle_batch(self, records: Sequence[ConsumerRecord]) -> list[_Parked]:
        """Handle each partition's records in order; the failures with retries left, one per partition at most."""
        parked = []
        for part in _partitions(records).values():
            failure = await self._handle_partition([(record, _envelope_or_refusal(record)) for record in part])
            if failure is not None:
                parked.append(failure)
        return parked

    async def _handle_partition(self, items: list[tuple[ConsumerRecord, Any]]) -> _Parked | None:
        start = 0
        while start < len(items):
            record, envelope = items[start]
            if isinstance(envelope, _Refused):
                await self._dead_letters.send(self.consumer, record, envelope.reason, attempts=1)
                start += 1
                continue
            end = next((i for i in range(start, len(items)) if isinstance(items[i][1], _Refused)), len(items))
            failed = await self._leading(items[start:end])
            if failed is None:
                start = end
                continue
            index, error = failed
            record, envelope = items[start + index]
            if self._settings.consumer_max_retries > 0:
                return _Parked(record, envelope, error)
            await self._dead_letters.send(self.consumer, record, _described(error), attempts=1)
            start += index + 1
        return None

    async def _leading(self, items: list[tuple[ConsumerRecord, Any]]) -> tuple[int, Exception] | None:
        """Commit the records before the first that fails; return its index and error (None: all committed)."""
        try:
            await self._in_one_transaction(items)
            return None
        except _TRANSIENT:
            raise
        except _HandlerFailed as failed:
            before = await self._leading(items[: failed.index]) if failed.index else None
            return before or (failed.index, failed.error)
        except Exception:
            return await self._one_by_one(items)  # not one handler's failure (a conflict at commit): find whose

    async def _one_by_one(self, items: list[tuple[ConsumerRecord, Any]]) -> tuple[int, Exception] | None:
        for index, item in enumerate(items):
            try:
                await self._in_one_transaction([item])
            except _TRANSIENT:
                raise
            except Exception as exc:
                return index, _error(exc)
        return None

    async def _in_one_transaction(self, items: Sequence[tuple[ConsumerRecord, Any]]) -> None:
        """Claim, handle and commit ``items`` in one transaction; each fresh record is handled in its process span.

        The spans stay open until the commit, so they time it and fail with it. The commit's statements run inside
        the record's span when it is the only one; a commit shared by several records runs in a batch span linked to
        theirs (a statement belongs to one trace only).
        """
        handled: list[tuple[trace.Span, ConsumerRecord, Any]] = []
        repeats: list[tuple[ConsumerRecord, Any]] = []
        try:
            async with self._uow_factory() as uow:
                claims = [(e.event_id, r.topic, r.partition, r.offset) for r, e in items]
                fresh = await uow.claim_inbox_batch(self.consumer, claims)
                for index, (record, envelope) in enumerate(items):
                    if envelope.event_id not in fresh:
                        repeats.append((record, envelope))
                        continue
                    fresh.discard(envelope.event_id)  # a repeat inside the batch is handled once
                    span = self._process_span(record, envelope)
                    handled.append((span, record, envelope))
                    await self._handle(index, record, envelope, uow, span)
                with self._commit_span(handled, items[0][0].topic):
                    await uow.commit()
        except BaseException as exc:
            for span, _, _ in handled:
                failed(span, exc.error if isinstance(exc, _HandlerFailed) else exc)
            raise
        finally:
            for span, _, _ in handled:
                span.end()
        self.handled += len(items)
        for span, record, envelope in handled:
            self._log_event("handled", record, envelope, span)
        for record, envelope in repeats:
            self._log_event("repeat", record, envelope)

    def _process_span(self, record: ConsumerRecord, envelope: Any) -> trace.Span:
        """The record's process span, a child of its send span (whose context the record's headers carry)."""
        attributes = message_attributes(PROCESS, record.topic, key=record.key, event_id=str(envelope.event_id),
                                        partition=record.partition, offset=record.offset, group=self.group_id)
        attributes |= {"ocop.consumer": self.consumer, "ocop.event_type": envelope.event_type,
                       "ocop.product_id": envelope.product_id}
        return tracer.start_span(span_name(PROCESS, record.topic), context=propagate.extract(record_headers(record)),
                                 kind=trace.SpanKind.CONSUMER, attributes=attributes)

    def _commit_span(self, handled: list[tuple[trace.Span, ConsumerRecord, Any]], topic: str) -> Any:
        if len(handled) == 1:
            return trace.use_span(handled[0][0], record_exception=False, set_status_on_exception=False)
        if not handled:  # repeats only: the inbox claim was all, and it belongs to no flow
            return nullcontext()
        return tracer.start_as_current_span(
            span_name(PROCESS, topic), kind=trace.SpanKind.CONSUMER, context=otel_context.Context(),
            links=[trace.Link(span.get_span_context()) for span, _, _ in handled],
            attributes=batch_attributes(topic, group=self.group_id, count=len(handled)),
        )

    async def _handle(self, index: int, record: ConsumerRecord, envelope: Any, uow: UnitOfWork, span: trace.Span) -> None:
        token = _RECORD.set(record)
        try:
            await self._handle_in_context(index, record, envelope, uow, span)
        finally:
            _RECORD.reset(token)

    async def _handle_in_context(self, index: int, record: ConsumerRecord, envelope: Any, uow: UnitOfWork,
                                 span: trace.Span) -> None:
        with (
            trace.use_span(span, record_exception=False, set_status_on_exception=False),
            structlog.contextvars.bound_contextvars(event_id=str(envelope.event_id), product_id=envelope.product_id),
            message_context(correlation_id=envelope.correlation_id, causation_id=envelope.event_id, actor=None),
        ):
            try:
                await self.subscription.handler(envelope, uow, self._ports)
                # Its facts are saved now, inside its context: they carry its correlation, causation and trace (and
                # so do the public events derived from them), not whatever context is current at commit.
                await uow.flush()
            except _TRANSIENT:
                raise
            except Exception as exc:
                raise _HandlerFailed(index, exc) from exc

    def _log_event(self, outcome: str, record: ConsumerRecord, envelope: Any, span: trace.Span | None = None,
                   **more: Any) -> None:
        """The one line per event this consumer is done with (or retries), in the event's span (else its sender's)."""
        with trace.use_span(span or trace.get_current_span(propagate.extract(record_headers(record)))):
            log.info(f"event {outcome}", outcome=outcome, consumer=self.consumer, **record_fields(record)
                     | {"event_id": str(envelope.event_id), "event_type": envelope.event_type,
                        "product_id": envelope.product_id}, **more)

    def _hold_parked_partitions(self, consumer: AIOKafkaConsumer, records: Sequence[ConsumerRecord]) -> list[ConsumerRecord]:
        """Records of a partition whose parked record is still retried wait for it (a rebalance can resume one)."""
        kept, held = [], {}
        for record in records:
            partition = TopicPartition(record.topic, record.partition)
            if partition in self._parked:
                held.setdefault(partition, record.offset)
            else:
                kept.append(record)
        for partition, offset in held.items():
            with suppress(IllegalStateError):  # taken away meanwhile: not ours to commit either
                consumer.seek(partition, offset)
                consumer.pause(partition)
        return kept

    def _park(self, consumer: AIOKafkaConsumer, failure: _Parked) -> None:
        try:
            # Rewound to the failed record and paused: the records after it wait for it (order per partition), and
            # the batch's commit commits this partition up to it only.
            consumer.seek(failure.partition, failure.record.offset)
            consumer.pause(failure.partition)
        except IllegalStateError:
            return  # the partition was taken away meanwhile: its new owner gets the record again
        task = asyncio.create_task(self._retry_parked(consumer, failure), name=f"{self.consumer}-retry")
        self._parked[failure.partition] = task

    async def _retry_parked(self, consumer: AIOKafkaConsumer, failure: _Parked) -> None:
        try:
            next_offset = await self._retry(failure)
        except Exception as exc:
            # Database or broker unreachable: nothing is committed past the record; it comes again once resumed.
            log.warning("parked event not handled; will be redelivered", consumer=self.consumer, error=str(exc))
            next_offset = failure.record.offset
        await self._release(consumer, failure, next_offset)

    async def _retry(self, failure: _Parked) -> int:
        """Retry with back-off until handled or out of retries (then dead-lettered); the offset after the record.

        A conflict with another writer of the same stream (``ConcurrencyError``) is no fault of the record: it is
        retried at once, with jitter, and never counts towards the retries that dead-letter a record.
        """
        record, error = failure.record, failure.error
        attempt = 1
        while True:
            if isinstance(error, ConcurrencyError):
                await asyncio.sleep(random.uniform(0, _CONFLICT_JITTER_SECONDS))
            else:
                attempt += 1
                if attempt > self._settings.consumer_max_retries + 1:
                    break
                self._log_event("retried", record, failure.envelope, attempt=attempt, error=_described(error))
                await asyncio.sleep(self._settings.consumer_retry_backoff_seconds * (attempt - 1))
            try:
                await self._in_one_transaction([(record, failure.envelope)])
                return record.offset + 1
            except _TRANSIENT:
                raise
            except Exception as exc:
                error = _error(exc)
        await self._dead_letters.send(self.consumer, record, _described(error), attempts=self._settings.consumer_max_retries + 1)
        return record.offset + 1

    async def _release(self, consumer: AIOKafkaConsumer, failure: _Parked, next_offset: int) -> None:
        partition = failure.partition
        try:
            consumer.seek(partition, next_offset)
            if next_offset > failure.record.offset:
                # Committed before the partition resumes, so no later commit of it can be older than this one.
                await self._commit(consumer, consumer.commit({partition: next_offset}))
        except IllegalStateError:
            log.info("partition reassigned while its event was retried", consumer=self.consumer, partition=str(partition))
        finally:
            self._parked.pop(partition, None)
            with suppress(IllegalStateError):
                consumer.resume(partition)

    async def _commit(self, consumer: AIOKafkaConsumer, commit: Awaitable[None]) -> None:
        """Commit within a bound: aiokafka retries some failures for ever (a topic the broker no longer has)."""
        try:
            await asyncio.wait_for(commit, self._settings.consumer_commit_timeout_seconds)
        except (KafkaError, TimeoutError) as exc:
            await self._after_failed_commit(consumer, exc)

    async def _after_failed_commit(self, consumer: AIOKafkaConsumer, exc: Exception) -> None:
        """A broker that lost our topics is a new or emptied one: create them again and read them from the start."""
        log.warning("offset commit failed; the records will come again", consumer=self.consumer, error=repr(exc))
        topics = {*self.subscription.topics, self._settings.dead_letter_topic}
        try:
            missing = topics - set(await asyncio.wait_for(consumer.topics(), self._settings.consumer_commit_timeout_seconds))
            if missing:
                await ensure_topics_async(self._settings, topics)
        except Exception as err:
            log.warning("broker not reachable to check the topics", consumer=self.consumer, error=repr(err))
            return
        if missing:
            log.warning("topics were gone from the broker: created again, read from the start", consumer=self.consumer, topics=sorted(missing))
            self._forget_positions(consumer)

    def _forget_positions(self, consumer: AIOKafkaConsumer) -> None:
        # Positions and parked records belong to the old broker's logs; the new logs start at 0, and what the relays
        # publish there again is a no-op through the inbox.
        for task in self._parked.values():
            task.cancel()
        self._parked.clear()
        for partition in consumer.assignment():
            consumer.seek(partition, 0)
            consumer.resume(partition)

    async def stop(self) -> None:
        """Stop retrying parked records; their offsets were not committed, so they come again."""
        tasks = list(self._parked.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._parked.clear()


async def _keep_raw(message: Any) -> Any:
    """The consumer parses envelopes itself, so a malformed body reaches the dead-letter path instead of the decoder."""
    return message.body


class _QuietRepeats(logging.Filter):
    """Lets one record per message template through every ``seconds``: the same failure retried does not flood."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self._seconds = seconds
        self._last: dict[tuple[str, object], float] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        now, key = time.monotonic(), (record.name, record.msg)
        if now - self._last.get(key, -self._seconds) < self._seconds:
            return False
        self._last[key] = now
        return True


_CLIENT_LOGGERS = ("aiokafka", "aiokafka.consumer.group_coordinator", "aiokafka.consumer.fetcher")


def quiet_repeated_client_logs(seconds: float = 10.0) -> None:
    """aiokafka logs each retry of a failing commit or fetch (~65 lines a second against a broker without our topics)."""
    for name in _CLIENT_LOGGERS:
        client_log = logging.getLogger(name)
        if not any(isinstance(f, _QuietRepeats) for f in client_log.filters):
            client_log.addFilter(_QuietRepeats(seconds))
