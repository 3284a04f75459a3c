"""Outbox relay: publishes committed integration events to Kafka in order, then marks them published.

One relay per service schema is active at a time (a PostgreSQL advisory lock
elects it), so rows are published in id order without competing replicas
reordering a product's events. Rows are chosen by ``published_at IS NULL``,
never by "id greater than the last one": identity values commit out of order.

The store is the system of record and the broker holds a copy: whenever the producer (re)connects, before it
sends to a topic it does not know, after a failed publish and every ``relay_broker_check_seconds``, the relay
checks that the broker still holds what it acknowledged, and publishes everything again when it does not.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import asyncpg
import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.structs import RecordMetadata
from opentelemetry import propagate, trace

from shared.contracts import ContractError, parse_event
from shared.contracts.cloudevents import kafka_binary_headers
from shared.kafka import broker_view_async, client_security, contract_topics, ensure_topics_async, make_producer
from shared.settings import ServiceSettings
from shared.tracing import SEND, failed, headers_with, message_attributes, placed, span_name

log = structlog.get_logger(__name__)
tracer = trace.get_tracer("ocop.relay")

# FOR UPDATE: the claim's row locks are held until the batch is marked, see publish_pending.
_CLAIM = (
    "SELECT id, topic, message_key, payload, headers FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1"
    " FOR UPDATE"
)
_MARK = "UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])"
_REMEMBER_OFFSETS = (
    "INSERT INTO relay_offsets (topic, kafka_partition, acked_offset)"
    " SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[])"
    " ON CONFLICT (topic, kafka_partition)"
    " DO UPDATE SET acked_offset = greatest(relay_offsets.acked_offset, excluded.acked_offset)"
)
_REMEMBER_CLUSTER = (
    "INSERT INTO relay_state (singleton, cluster_id) VALUES (true, $1)"
    " ON CONFLICT (singleton) DO UPDATE SET cluster_id = $1, updated_at = now()"
)
_ACKED = "SELECT topic, kafka_partition, acked_offset FROM relay_offsets"
# A lock session that stopped answering is treated as lost (its server side may already have let the lock go).
_PROBE_SECONDS = 5.0


class LeadershipLost(RuntimeError):
    pass


def notify_channel(schema: str) -> str:
    return f"ocop_outbox_{schema}"


# Its own transaction, committed without waiting for its WAL flush: PostgreSQL holds its notification lock from a
# notifying commit's start to its end, and a notify that waited for fdatasync there would make every other notify
# wait for it. Losing it in a crash loses nothing: the rows are in the outbox, and the relay polls.
_NOTIFY = "SELECT set_config('synchronous_commit', 'off', true), pg_notify($1, '')"


class RelayWakeup:
    """Wakes the service's leading relay once a unit of work has committed outbox rows, outside that unit's transaction.

    A NOTIFY sent in the command's own transaction serialised the commits: PostgreSQL holds its notification lock
    through the whole commit, WAL flush included, so notifying transactions never shared a flush (group commit) and
    each command waited for its own fdatasync in turn. Now the command commits alone; then, when this process's relay
    leads, it is woken in process (an asyncio.Event: no round trip); otherwise (another replica leads, or this
    process runs no relay) one NOTIFY is sent from a pool connection, in the background, at most one in flight: the
    commits that land meanwhile are covered by one more NOTIFY after it, however many they are. A crash between a
    commit and its wake-up only delays publication to the relay's next poll (``relay_poll_seconds``).
    """

    def __init__(self, pool: asyncpg.Pool, schema: str, local: Callable[[], OutboxRelay | None]) -> None:
        self._pool = pool
        self._channel = notify_channel(schema)
        self._local = local
        self._task: asyncio.Task[None] | None = None
        self._again = False
        self._closed = False
        self.notifies = 0  # NOTIFYs sent (the in-process wake-ups cost nothing to count)

    def __call__(self) -> None:
        """Never raises: it runs after the command committed, and the command's outcome is not in doubt."""
        try:
            relay = self._local()
            if relay is not None and relay.wake_if_leading():
                return
            if self._closed:  # the pool is closing: the relays' polls find the rows
                return
            if self._task is not None:
                # The NOTIFY in flight may reach the relay before this commit is visible to it: one more after it.
                self._again = True
                return
            self._task = asyncio.create_task(self._notify(), name=f"{self._channel}-wakeup")
        except Exception as exc:
            log.warning("relay wake-up not sent; the relay's poll will publish", error=repr(exc))

    async def _notify(self) -> None:
        try:
            while True:
                self._again = False
                try:
                    # Bounded: commands need the pool's connections more than the relay needs this nudge.
                    async with self._pool.acquire(timeout=5.0) as conn:
                        await conn.execute(_NOTIFY, self._channel)
                    self.notifies += 1
                except Exception as exc:  # the rows wait in the outbox for the relay's poll
                    log.warning("relay wake-up not sent; the relay's poll will publish", error=repr(exc))
                if not self._again:
                    return
        finally:
            self._task = None

    async def close(self, timeout: float = 2.0) -> None:
        """Send no more; let a NOTIFY in flight finish for up to ``timeout``, else cancel it (the relays' polls cover
        it). Called before the pool closes."""
        self._closed = True
        if (task := self._task) is not None:
            if not (await asyncio.wait({task}, timeout=timeout))[0]:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task


class OutboxRelay:
    def __init__(
        self,
        pool: asyncpg.Pool,
        settings: ServiceSettings,
        *,
        regenerate: Callable[[asyncpg.Connection], Awaitable[int]],
        producer_factory: Callable[[], AIOKafkaProducer] | None = None,
    ) -> None:
        self._pool = pool
        self._regenerate = regenerate
        self._settings = settings
        self._producer_factory = producer_factory or (lambda: make_producer(settings, client_id=f"ocop-{settings.service}-relay"))
        self._producer: AIOKafkaProducer | None = None
        self._lock_conn: asyncpg.Connection | None = None
        self._wake = asyncio.Event()
        self._next_check = 0.0  # time.monotonic() of the next broker check
        self._unknown: frozenset[str] = frozenset()  # topics the producer lacked at the last look
        self.published = 0
        self.polls = 0  # claims of the outbox, whether they found rows or not
        self.checks = 0  # broker checks done
        self.republished = 0  # how many of them found that the broker had lost acknowledged events
        self.leaderships = 0
        self.is_leader = False

    async def run(self) -> None:
        """Run until cancelled; a lost database connection (and with it the leadership) starts over."""
        delay = 0.5
        while True:
            leaderships = self.leaderships
            try:
                await self._run_once()
            except Exception as exc:
                # A round that led competes again at once (a lost lock session); failing to even lead backs off.
                delay = 0.5 if self.leaderships > leaderships else min(delay * 2, 10.0)
                log.warning("relay restarting", error=str(exc), retry_in=delay)
                await asyncio.sleep(delay)

    async def _run_once(self) -> None:
        """Win leadership, connect, then publish whenever woken or polled."""
        lock_conn = await self._pool.acquire()
        # The lock lives and dies with this session: its end must wake the relay at once, to step down.
        lock_conn.add_termination_listener(self._on_notify)
        try:
            await self._become_leader(lock_conn)
            await lock_conn.add_listener(notify_channel(self._settings.schema), self._on_notify)
            await self._start_producer()
            await self._loop()
        finally:
            await self._close(lock_conn)

    async def _become_leader(self, conn: asyncpg.Connection) -> None:
        key = f"relay:{self._settings.schema}"
        while not await conn.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", key):
            await asyncio.sleep(self._settings.relay_poll_seconds * 5)
        self._lock_conn = conn
        self.is_leader = True
        self.leaderships += 1
        log.info("relay leader", service=self._settings.service)

    def _on_notify(self, *_: Any) -> None:
        self._wake.set()

    def wake_if_leading(self) -> bool:
        """Wake this relay if it leads (its lock session alive): True. False: whoever leads must be woken otherwise."""
        lock = self._lock_conn
        try:
            leading = self.is_leader and lock is not None and not lock.is_closed()
        except asyncpg.InterfaceError:  # already released to the pool: the session, and the lock, ended
            leading = False
        if leading:
            self._wake.set()
        return leading

    def _ensure_leader(self) -> None:
        """Never publish without the lock: it is held exactly as long as its session lives."""
        if self._lock_conn is None or self._lock_conn.is_closed():
            raise LeadershipLost("relay lost its database session, and with it the lock")

    async def _probe_leader(self) -> None:
        """One round trip on the lock session: a connection can die without a word (a half-open socket)."""
        self._ensure_leader()
        assert self._lock_conn is not None
        try:
            await self._lock_conn.fetchval("SELECT 1", timeout=_PROBE_SECONDS)
        except Exception as exc:
            raise LeadershipLost(f"relay's lock session does not answer: {exc!r}") from exc

    async def _start_producer(self) -> None:
        delay = 0.2
        while True:
            producer = self._producer_factory()
            try:
                await producer.start()
                self._producer = producer
                return
            except Exception as exc:  # broker unreachable: wait and retry, events stay in the outbox
                log.warning("relay cannot reach the broker", error=str(exc), retry_in=delay)
                with contextlib.suppress(Exception):
                    await producer.stop()
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def _loop(self) -> None:
        self._next_check = 0.0  # a (re)connected producer may face another broker: check it before publishing
        delay = 0.2
        while True:
            self._wake.clear()
            await self._probe_leader()
            try:
                await self._drain()
                delay = 0.2
            except LeadershipLost:
                raise
            except Exception as exc:
                self._ensure_leader()  # a publish that failed with the lock session is a lost leadership
                log.warning("relay publish failed; rows stay pending", error=str(exc), retry_in=delay)
                self._next_check = 0.0  # a failed publish may be the first sign of a new broker
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
                continue
            await self._idle()

    async def _drain(self) -> None:
        """Publish until the outbox is empty, checking the broker first whenever a check is due."""
        while True:
            if self._check_due():
                await self.check_broker()
            full = await self.publish_pending() == self._settings.relay_batch_size
            if not full and not self._check_due():
                return

    def _check_due(self) -> bool:
        return time.monotonic() >= self._next_check

    async def _idle(self) -> None:
        """Wait for a NOTIFY, the end of the lock session, the poll interval or the next broker check."""
        seconds = min(self._settings.relay_poll_seconds, max(self._next_check - time.monotonic(), 0.0))
        # asyncio.timeout, not wait_for: on 3.11 wait_for swallows a cancellation that lands just as the
        # NOTIFY wakes it, and the relay would then outlive its service's stop.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._wake.wait()

    async def check_broker(self) -> bool:
        """Publish everything again if the broker lost what it acknowledged; create our topics where missing.

        Lost means a new cluster id (a new, empty cluster), or a partition whose end offset is not above the first
        offset of the newest batch the broker acknowledged there (data lost under the same id: a configured
        CLUSTER_ID with a lost volume). Missing topics are created before anything is published, with the project's
        partition count. Returns True when a republish was scheduled.
        """
        async with self._pool.acquire() as conn:
            known = await conn.fetchval("SELECT cluster_id FROM relay_state")
            acked = {(r["topic"], r["kafka_partition"]): r["acked_offset"] for r in await conn.fetch(_ACKED)}
        wanted = self._own_topics() | {topic for topic, _ in acked} | self._unknown
        view = await broker_view_async(self._settings.kafka_bootstrap_servers, wanted,
                                       security=client_security(self._settings))
        await self._create_topics(wanted - view.topics)
        self._next_check = time.monotonic() + self._settings.relay_broker_check_seconds
        self.checks += 1
        lost = lost_partitions(acked, view.end_offsets)
        if known is None:  # the first broker this schema ever sees: nothing to compare yet
            async with self._pool.acquire() as conn:
                await conn.execute(_REMEMBER_CLUSTER, view.cluster_id)
            return False
        if known == view.cluster_id and not lost:
            return False
        await self._republish(view.cluster_id, old_cluster=known, new_cluster=view.cluster_id, lost_partitions=lost)
        return True

    def _own_topics(self) -> set[str]:
        return {*contract_topics(), self._settings.dead_letter_topic}

    async def _create_topics(self, missing: Iterable[str]) -> None:
        if missing := set(missing):
            log.info("relay creates missing topics", topics=sorted(missing))
            await ensure_topics_async(self._settings, missing)
            if self._producer is not None:
                await self._producer.client.force_metadata_update()  # so the next batch finds them known

    async def _republish(self, cluster_id: str, **why: Any) -> None:
        """The one way back from a broker that lost acknowledged events: every public event, derived again from the
        store (outbox rows pruned long ago included), is pending again, in store order.

        The derived events keep their ids, so consumers' inboxes (and their aggregates) take the repeats as repeats.
        """
        async with self._pool.acquire() as conn, conn.transaction():
            count = await self._regenerate(conn)
            await conn.execute("DELETE FROM relay_offsets")  # offsets of the lost log mean nothing on the new one
            await conn.execute(_REMEMBER_CLUSTER, cluster_id)
        self.republished += 1
        log.warning("broker lost acknowledged events; republishing from the store", events=count, **why)

    async def publish_pending(self) -> int:
        """Claim, publish and mark one batch in one transaction; returns how many rows were published.

        The claim's row locks fence a relay that lost its lock in the middle of a batch: a successor's claim waits
        for this transaction, then skips the rows it marked, so no row is published by both.
        """
        self.polls += 1
        async with self._pool.acquire() as conn:
            async with conn.transaction():
                rows = await conn.fetch(_CLAIM, self._settings.relay_batch_size)
                if not rows or not self._producer_ready({row["topic"] for row in rows}):
                    return 0
                self._ensure_leader()
                published, acks, error = settled(rows, await self.send(rows))
                # Rows the broker took are marked even when others of the batch failed: sent again, they would
                # be on the topic twice (a batch spans partitions, and one partition can fail alone).
                if published:
                    await conn.execute(_MARK, [row["id"] for row in published])
                    await conn.execute(_REMEMBER_OFFSETS, *first_offsets(acks))
        self.published += len(published)
        if error is not None:
            raise error
        return len(rows)

    def _producer_ready(self, topics: set[str]) -> bool:
        """Whether the producer knows the batch's topics; if not, check the broker first (once for the same topics).

        A producer that reconnected to a new, empty broker has lost our topics from its metadata: this is where a
        replacement shows first, and a republish must start from the oldest row, not after this batch.
        """
        assert self._producer is not None
        unknown = frozenset(t for t in topics if self._producer.client.cluster.partitions_for_topic(t) is None)
        if unknown and unknown != self._unknown:
            self._unknown, self._next_check = unknown, 0.0
            return False
        self._unknown = frozenset()
        return True

    async def send(self, rows: list[asyncpg.Record]) -> list[RecordMetadata | BaseException]:
        """Send in row order and wait for every answer: each row's acknowledgement or the error it failed with.

        aiokafka batches the rows per partition. When the producer refuses a row, the rows after it are not sent and
        fail with the same error; the ones already on their way are still waited for, so the caller knows their fate.
        """
        assert self._producer is not None
        futures = []
        refused: BaseException | None = None
        for row in rows:
            span = _publish_span(row)
            try:
                future = await self._producer.send(row["topic"], row["payload"], key=row["message_key"].encode(),
                                                   headers=_headers(row, span))
            except asyncio.CancelledError:
                failed(span, asyncio.CancelledError())
                span.end()
                raise
            except Exception as exc:
                failed(span, exc)
                span.end()
                refused = exc
                break
            future.add_done_callback(functools.partial(_acknowledged_row, span, row))
            futures.append(future)
        outcomes = await self._acknowledged(futures, {row["topic"] for row in rows}) if futures else []
        return outcomes + [refused] * (len(rows) - len(outcomes))  # type: ignore[list-item]

    async def _acknowledged(
        self, futures: list[asyncio.Future[Any]], topics: set[str],
    ) -> list[RecordMetadata | BaseException]:
        """Wait for every answer; while they are late, create whichever of the topics is missing.

        A broker replaced while the batch was on its way lacks our topics, and the producer, which may not create
        them, would wait for them until its timeout. The broker is checked again right after this batch.
        """
        acks = asyncio.gather(*futures, return_exceptions=True)
        try:
            while not (await asyncio.wait({acks}, timeout=self._settings.relay_broker_check_seconds))[0]:
                self._next_check = 0.0
                with contextlib.suppress(Exception):  # an unreachable broker: the producer's own timeout ends the wait
                    await ensure_topics_async(self._settings, topics | self._own_topics())
            return acks.result()
        finally:
            acks.cancel()  # a no-op once done; on cancellation the producer's own futures are left to it

    async def _close(self, lock_conn: asyncpg.Connection) -> None:
        self.is_leader = False
        self._lock_conn = None
        if self._producer is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._producer.stop(), 5)
            self._producer = None
        lock_conn.remove_termination_listener(self._on_notify)
        with contextlib.suppress(Exception):
            await lock_conn.remove_listener(notify_channel(self._settings.schema), self._on_notify)
            await lock_conn.execute("SELECT pg_advisory_unlock_all()")
        with contextlib.suppress(Exception):
            await self._pool.release(lock_conn)


def _publish_span(row: asyncpg.Record) -> trace.Span:
    """The send span of one row, continuing the trace its fact was recorded in; not current: it lives until the ack."""
    headers = _stored_headers(row)
    return tracer.start_span(
        span_name(SEND, row["topic"]), context=propagate.extract(headers), kind=trace.SpanKind.PRODUCER,
        attributes=message_attributes(SEND, row["topic"], key=row["message_key"], event_id=headers.get("event_id")),
    )


def _stored_headers(row: asyncpg.Record) -> dict[str, str]:
    return {name: value for name, value in row["headers"]}


def _headers(row: asyncpg.Record, span: trace.Span) -> list[tuple[str, bytes]]:
    """The row's headers, carrying the send span's trace context: the consumer's span is its child."""
    return [(name, value.encode()) for name, value in headers_with(span, with_cloudevents(row)).items()]


def with_cloudevents(row: asyncpg.Record) -> dict[str, str]:
    """The row's stored headers; a row written before the contract had the CloudEvents headers gets them here, from
    its payload, so every public event published carries them (rows written since carry them already)."""
    headers = _stored_headers(row)
    if "ce_id" in headers:
        return headers
    try:
        envelope = parse_event(row["payload"])
    except ContractError:  # not an envelope of the contract (never written by our units of work): sent as stored
        return headers
    return headers | {name: value.decode() for name, value in kafka_binary_headers(envelope)}


def _acknowledged_row(span: trace.Span, row: asyncpg.Record, done: asyncio.Future[RecordMetadata]) -> None:
    """End the row's send span when the broker answered (or the send failed); one log line per published event."""
    with trace.use_span(span, end_on_exit=True, record_exception=False, set_status_on_exception=False):
        error = asyncio.CancelledError() if done.cancelled() else done.exception()
        if error is not None:
            failed(span, error)
            return
        ack = done.result()
        span.set_attributes(placed(ack.partition, ack.offset))
        headers = _stored_headers(row)
        log.info("event published", outcome="published", event_id=headers.get("event_id"),
                 event_type=headers.get("event_type"), product_id=row["message_key"], topic=ack.topic,
                 partition=ack.partition, offset=ack.offset)


def settled(
    rows: list[Any], outcomes: list[RecordMetadata | BaseException],
) -> tuple[list[Any], list[RecordMetadata], Exception | None]:
    """The rows to mark published (every one the broker acknowledged), their acknowledgements, and the batch's first
    error (None if none).

    A row the broker took is on the topic whatever happened to the others: sent again, it would be there twice. The
    failed rows stay pending and go with the next batch. If a failed row had a later row of its key acknowledged, that
    key's order on the topic is already broken, and sending the later row again would not mend it for a consumer that
    takes each event id once (the inbox). A cancelled send comes back as a RuntimeError, so the relay's loop retries
    it instead of ending.
    """
    published, acks, error = [], [], None
    for row, outcome in zip(rows, outcomes, strict=True):
        if isinstance(outcome, BaseException):
            if error is None:
                error = outcome if isinstance(outcome, Exception) else RuntimeError(f"send ended: {outcome!r}")
            continue
        published.append(row)
        acks.append(outcome)
    return published, acks, error


def first_offsets(acks: Iterable[RecordMetadata]) -> tuple[list[str], list[int], list[int]]:
    """Per partition, the first offset of the batch: columns for relay_offsets.

    The first, not the last: a batch is appended whole, so it is on the broker exactly when its first offset is below
    the end offset, and Tansu (0.6) reports a partition's end offset as its last batch's first offset + 1.
    """
    first: dict[tuple[str, int], int] = {}
    for ack in acks:
        key = (ack.topic, ack.partition)
        first[key] = min(first.get(key, ack.offset), ack.offset)
    return [t for t, _ in first], [p for _, p in first], list(first.values())


def lost_partitions(acked: dict[tuple[str, int], int], end_offsets: dict[tuple[str, int], int]) -> list[str]:
    """"topic/partition" of each partition whose end offset is not above the acknowledged offset (or that is gone)."""
    return sorted(f"{t}/{p}" for (t, p), offset in acked.items() if end_offsets.get((t, p), 0) <= offset)
