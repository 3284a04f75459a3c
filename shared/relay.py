"""Outbox relay: publishes committed integration events to Kafka in order, then marks them published.

One relay per service schema is active at a time (a PostgreSQL advisory lock
elects it), so rows are published in id order without competing replicas
reordering a product's events. Rows are chosen by ``published_at IS NULL``,
never by "id greater than the last one": identity values commit out of order.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

import asyncpg
import structlog
from aiokafka import AIOKafkaProducer
from opentelemetry import propagate, trace

from shared.kafka import cluster_id_async, make_producer
from shared.settings import ServiceSettings

log = structlog.get_logger(__name__)
tracer = trace.get_tracer("ocop.relay")

_PENDING = "SELECT id, topic, message_key, payload, headers FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1"
_MARK = "UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])"


class LeadershipLost(RuntimeError):
    pass


def notify_channel(schema: str) -> str:
    return f"ocop_outbox_{schema}"


class OutboxRelay:
    def __init__(
        self,
        pool: asyncpg.Pool,
        settings: ServiceSettings,
        *,
        producer_factory: Callable[[], AIOKafkaProducer] | None = None,
    ) -> None:
        self._pool = pool
        self._settings = settings
        self._producer_factory = producer_factory or (lambda: make_producer(settings, client_id=f"ocop-{settings.service}-relay"))
        self._producer: AIOKafkaProducer | None = None
        self._wake = asyncio.Event()
        self.published = 0
        self.is_leader = False

    async def run(self) -> None:
        """Run until cancelled; a lost database connection (and with it the leadership) starts over."""
        delay = 0.5
        while True:
            try:
                await self._run_once()
            except Exception as exc:
                log.warning("relay restarting", error=str(exc), retry_in=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)

    async def _run_once(self) -> None:
        """Win leadership, connect, then publish whenever woken or polled."""
        lock_conn = await self._pool.acquire()
        try:
            await self._become_leader(lock_conn)
            await lock_conn.add_listener(notify_channel(self._settings.schema), self._on_notify)
            await self._start_producer()
            await self._loop(lock_conn)
        finally:
            await self._close(lock_conn)

    async def _become_leader(self, conn: asyncpg.Connection) -> None:
        key = f"relay:{self._settings.schema}"
        while not await conn.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", key):
            await asyncio.sleep(self._settings.relay_poll_seconds * 5)
        self.is_leader = True
        log.info("relay leader", service=self._settings.service)

    def _on_notify(self, *_: Any) -> None:
        self._wake.set()

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

    async def _loop(self, lock_conn: asyncpg.Connection) -> None:
        delay = 0.2
        await self._with_retry(self.check_cluster)
        while True:
            self._wake.clear()
            try:
                while await self.publish_pending() == self._settings.relay_batch_size:
                    pass
                delay = 0.2
            except Exception as exc:
                if lock_conn.is_closed():
                    # The advisory lock died with its session: another replica may lead now.
                    raise LeadershipLost("relay lost its database session") from exc
                log.warning("relay publish failed; rows stay pending", error=str(exc), retry_in=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
                await self._with_retry(self.check_cluster)
                continue
            # asyncio.timeout, not wait_for: on 3.11 wait_for swallows a cancellation that lands just as the
            # NOTIFY wakes it, and the relay would then outlive its service's stop.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._settings.relay_poll_seconds):
                    await self._wake.wait()

    async def _with_retry(self, step: Callable[[], Any]) -> None:
        delay = 0.2
        while True:
            try:
                return await step()
            except Exception as exc:
                log.warning("relay step failed", step=step.__name__, error=str(exc), retry_in=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def check_cluster(self) -> bool:
        """A broker with a new cluster id has lost our log: publish everything again from the store.

        Consumers' inboxes make the repeats harmless. Returns True when a republish was scheduled.
        """
        current = await cluster_id_async(self._settings.kafka_bootstrap_servers)
        async with self._pool.acquire() as conn, conn.transaction():
            known = await conn.fetchval("SELECT cluster_id FROM relay_state FOR UPDATE")
            if known == current:
                return False
            await conn.execute(
                "INSERT INTO relay_state (singleton, cluster_id) VALUES (true, $1)"
                " ON CONFLICT (singleton) DO UPDATE SET cluster_id = $1, updated_at = now()",
                current,
            )
            if known is None:
                return False
            count = await conn.fetchval(
                "WITH r AS (UPDATE outbox SET published_at = NULL WHERE published_at IS NOT NULL RETURNING 1)"
                " SELECT count(*) FROM r"
            )
        log.warning("broker lost its log; republishing from the store", old=known, new=current, events=count)
        return True

    async def publish_pending(self) -> int:
        """Publish one batch of pending rows; returns how many were published."""
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(_PENDING, self._settings.relay_batch_size)
        if not rows:
            return 0
        await self.send(rows)
        async with self._pool.acquire() as conn:
            await conn.execute(_MARK, [r["id"] for r in rows])
        self.published += len(rows)
        return len(rows)

    async def send(self, rows: list[asyncpg.Record]) -> None:
        """Send in row order and wait for every acknowledgement; aiokafka batches them per partition."""
        assert self._producer is not None
        futures = []
        for row in rows:
            headers = self._continue_trace(row)
            futures.append(
                await self._producer.send(row["topic"], row["payload"], key=row["message_key"].encode(), headers=headers)
            )
        await asyncio.gather(*futures)

    @staticmethod
    def _continue_trace(row: asyncpg.Record) -> list[tuple[str, bytes]]:
        stored = {name: value for name, value in row["headers"]}
        parent = propagate.extract(stored)
        with tracer.start_as_current_span(f"{row['topic']} publish", context=parent, kind=trace.SpanKind.PRODUCER):
            carrier: dict[str, str] = {}
            propagate.inject(carrier)
        merged = {**stored, **carrier} if carrier else stored
        return [(name, value.encode()) for name, value in merged.items()]

    async def _close(self, lock_conn: asyncpg.Connection) -> None:
        self.is_leader = False
        if self._producer is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._producer.stop(), 5)
            self._producer = None
        with contextlib.suppress(Exception):
            await lock_conn.remove_listener(notify_channel(self._settings.schema), self._on_notify)
            await lock_conn.execute("SELECT pg_advisory_unlock_all()")
        with contextlib.suppress(Exception):
            await self._pool.release(lock_conn)
