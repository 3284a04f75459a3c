"""What every service process runs: pool and migrations, topics, broker, consumers, outbox relay, background work.

A service describes itself with a :class:`ServiceDefinition`; a :class:`ServiceRuntime` starts and stops its live
parts. Nothing connects at import time. The HTTP face is :mod:`shared.http.app`, the process :mod:`shared.serve`.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import asyncpg
import structlog

from shared.consumer import DeadLetters, InboxConsumer, Subscription
from shared.db import KERNEL_MIGRATIONS, create_pool, discover, migrate
from shared.events import EventRegistry
from shared.kafka import (
    client_security,
    cluster_id_async,
    consumer_lag,
    contract_topics,
    ensure_topics_async,
    make_broker,
)
from shared.ports import ServicePorts
from shared.projections import Projection
from shared.publication import Publications, Publisher, regenerate_outbox
from shared.relay import OutboxRelay, RelayWakeup
from shared.retention import prune_periodically
from shared.settings import ServiceSettings
from shared.uow import UnitOfWork

if TYPE_CHECKING:
    from fastapi import APIRouter

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class ServiceDefinition:
    name: str
    # Every domain event the service stores, with its upcasters: the repository, projections and rebuild decode through it.
    events: EventRegistry = field(default_factory=lambda: EventRegistry(()))
    migrations: Path | None = None
    projections: Callable[[], Sequence[Projection]] = lambda: ()
    subscriptions: Sequence[Subscription] = ()
    routers: Sequence[APIRouter] = ()
    # Domain exception type → (HTTP status, error code); the body names the field and the rule. A DomainError
    # not listed (nor any of its bases) answers 422 invalid_input.
    errors: dict[type[Exception], tuple[int, str]] = field(default_factory=dict)
    # The composition root: given a factory of PostgreSQL units of work, the service's ports (ServicePorts or a
    # subclass with its catalogue, policy, reference data); routes read them through ``ports_of``, consumers get them.
    bootstrap: Callable[[Callable[[], UnitOfWork]], ServicePorts] = lambda uow: ServicePorts(uow=uow)
    # Who derives which public events from which stored facts (shared.publication): the unit of work writes them to
    # the outbox with their facts, and the relay derives them all again for a broker that lost its log.
    publishers: Sequence[Publisher[Any]] = ()
    # Called with the started runtime, for background work (schedules).
    on_start: Callable[[ServiceRuntime], Any] | None = None


class ServiceRuntime:
    """The live parts of one service process; tests build it directly with their own settings."""

    def __init__(self, definition: ServiceDefinition, settings: ServiceSettings) -> None:
        self.definition = definition
        self.settings = settings
        self.projections = list(definition.projections())
        self.publications = Publications(definition.publishers)
        self.pool: asyncpg.Pool | None = None
        self.broker = make_broker(settings, client_id=f"ocop-{settings.service}")
        self.relay: OutboxRelay | None = None
        self.consumers: list[InboxConsumer] = []
        # Each consumer's way into its group, for /ops/status: waiting for the broker → joining → joined.
        self.joins: dict[str, str] = {}
        self._subscribers: dict[str, Any] = {}  # consumer → its broker subscriber (whose client holds the assignment)
        self.ports: ServicePorts | None = None
        self.wakeup: RelayWakeup | None = None  # wakes the leading relay after a commit that wrote outbox rows
        self._tasks: list[asyncio.Task[Any]] = []

    def spawn(self, work: Any, name: str) -> None:
        """Run a background coroutine of the service (a scheduled job) until the service stops."""
        self._tasks.append(asyncio.create_task(work, name=f"{self.settings.service}-{name}"))

    def uow(self) -> UnitOfWork:
        assert self.pool is not None, "service not started"
        return UnitOfWork(self.pool, self.definition.events, self.projections, wake_relay=self.wakeup,
                          acquire_timeout=self.settings.database_acquire_timeout_seconds, publications=self.publications)

    async def regenerate_outbox(self, conn: asyncpg.Connection) -> int:
        """Every public event derived again from the store, in the outbox (the relay's way back from a lost log)."""
        return await regenerate_outbox(conn, self.definition.events, self.publications)

    async def reconnect(self) -> None:
        """After a lost connection: the pool's other connections were likely cut too, so each is replaced on its
        next use instead of failing once more."""
        if self.pool is not None:
            await self.pool.expire_connections()

    async def start(self, *, relay: bool = True, consumers: bool = True, timeout: float = 60.0) -> None:
        """Return once the database is migrated: commands need nothing else (the outbox holds their events).

        The relay connects to the broker by itself, and the broker's topics, clients and consumer groups are joined
        in the background, every group at once: after a crash the broker may hold a group for its session timeout.
        """
        await self.open_database(timeout)
        if consumers:
            self._register_consumers(DeadLetters(self.broker, self.pool, self.settings.dead_letter_topic))
        if self.definition.on_start is not None:
            self.definition.on_start(self)
        if relay:
            self.relay = OutboxRelay(self.pool, self.settings, regenerate=self.regenerate_outbox)
            self.spawn(self.relay.run(), "relay")
        self.spawn(self._join_broker(), "broker")
        self.spawn(prune_periodically(self.pool, self.settings), "pruning")
        log.info("service started", port=self.settings.port)

    async def open_database(self, timeout: float = 60.0) -> None:
        """The pool, migrated, and the ports the service's bootstrap builds on it: all a command-line tool running the
        service's handlers needs (``ocop feed-key``); the broker is not touched."""
        self.pool = await _retry(self._connect_database, timeout, "database")
        self.wakeup = RelayWakeup(self.pool, self.settings.schema, lambda: self.relay)
        self.ports = self.definition.bootstrap(self.uow)

    async def _join_broker(self) -> None:
        await _retry(lambda: ensure_topics_async(self.settings, self._topics()), math.inf, "broker")
        await _retry(self.broker.connect, math.inf, "broker")
        subscribers = {subscriber.group_id: subscriber for subscriber in self.broker.subscribers}
        await asyncio.gather(*(self._join(consumer, subscribers[consumer.group_id]) for consumer in self.consumers))

    async def _join(self, consumer: InboxConsumer, subscriber: Any) -> None:
        self.joins[consumer.consumer] = "joining"
        self._subscribers[consumer.consumer] = subscriber

        async def attempt() -> None:
            try:
                await subscriber.start()
            except Exception:
                await subscriber.stop()  # a half-started client would be left behind by the next attempt
                raise

        await _retry(attempt, math.inf, f"consumer group {consumer.group_id}")
        self.joins[consumer.consumer] = "joined"
        log.info("consumer group joined", consumer=consumer.consumer, group=consumer.group_id)

    async def wait_joined(self, timeout: float = 60.0) -> None:
        """Until every consumer has joined its group (tests and tools that need consumers running)."""
        deadline = time.monotonic() + timeout
        while any(state != "joined" for state in self.joins.values()):
            if time.monotonic() > deadline:
                raise TimeoutError(f"consumer groups not joined after {timeout:.0f}s: {self.joins}")
            await asyncio.sleep(0.05)

    def _topics(self) -> set[str]:
        subscribed = (topic for subscription in self.definition.subscriptions for topic in subscription.topics)
        return {*contract_topics(), self.settings.dead_letter_topic, *subscribed}

    def _register_consumers(self, dead_letters: DeadLetters) -> None:
        assert self.ports is not None
        for subscription in self.definition.subscriptions:
            consumer = InboxConsumer(subscription, self.ports, dead_letters, self.settings)
            consumer.register(self.broker)
            self.consumers.append(consumer)
            self.joins[consumer.consumer] = "waiting for the broker"

    async def _connect_database(self) -> asyncpg.Pool:
        settings = self.settings
        pool = await create_pool(
            settings.database_url,
            settings.schema,
            min_size=settings.database_pool_min,
            max_size=settings.database_pool_max,
            name=f"ocop-{settings.service}",
        )
        migrations = discover("kernel", KERNEL_MIGRATIONS)
        if self.definition.migrations:
            migrations += discover(settings.service, self.definition.migrations)
        await migrate(pool, settings.schema, migrations)
        return pool

    async def stop(self) -> None:
        """Stop background work, broker clients and the pool; a step that does not finish in time is forced.

        Nothing is lost by forcing: unpublished events stay in the outbox and unacknowledged records are
        redelivered, so a bounded shutdown only trades a clean goodbye for a process that always exits.
        """
        limit = self.settings.shutdown_step_seconds
        await self._stop_tasks(limit)
        await asyncio.gather(*(consumer.stop() for consumer in self.consumers))  # their retries of parked records
        try:
            await asyncio.wait_for(self.broker.stop(), limit)
        except Exception as exc:  # a stuck or failing client must not keep the process alive
            log.warning("broker clients did not stop cleanly", error=repr(exc), seconds=limit)
        if self.wakeup is not None:  # after the consumers: their last commits may still send one
            await self.wakeup.close(limit)
        if self.pool is not None:
            pool, self.pool = self.pool, None
            try:
                await asyncio.wait_for(pool.close(), limit)
            except TimeoutError:
                log.warning("database pool did not close in time; terminating its connections", seconds=limit)
                pool.terminate()

    async def _stop_tasks(self, limit: float) -> None:
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            _, stuck = await asyncio.wait(self._tasks, timeout=limit)
            for task in stuck:
                log.warning("background task did not stop in time", task=task.get_name(), seconds=limit)
        self._tasks.clear()

    async def status(self) -> dict[str, Any]:
        """Pipeline health for operators and alerts: outbox backlog, dead letters, the broker, the consumers' groups
        and their lag (not asked of a broker that does not answer)."""
        assert self.pool is not None, "service not started"
        async with self.pool.acquire() as conn:
            outbox = await conn.fetchrow(
                "SELECT count(*) AS pending, extract(epoch FROM now() - min(created_at)) AS oldest_seconds"
                " FROM outbox WHERE published_at IS NULL"
            )
            dead_letters = await conn.fetchval("SELECT count(*) FROM dead_letters")
        broker = await self._broker_check()
        return {
            "service": self.settings.service,
            "relay_leader": bool(self.relay and self.relay.is_leader),
            "outbox_pending": outbox["pending"],
            "outbox_oldest_pending_seconds": float(outbox["oldest_seconds"] or 0),
            "dead_letters": dead_letters,
            "broker": broker,
            "consumers": dict(self.joins),
            "assigned_partitions": self.assigned_partitions(),
            "consumer_lag": await self._consumer_lag() if broker == "ok" else {},
        }

    def assigned_partitions(self) -> dict[str, list[str]]:
        """Each consumer's partitions (``topic:partition``) as its group last assigned them to this process: replicas
        of a service share a topic's partitions, and only the members themselves know the split (Tansu's group
        coordinator does not keep the assignment the group's leader computed)."""
        out: dict[str, list[str]] = {}
        for name, subscriber in self._subscribers.items():
            client = getattr(subscriber, "consumer", None)
            owned = client.assignment() if client is not None else set()
            out[name] = sorted(f"{tp.topic}:{tp.partition}" for tp in owned)
        return out

    async def _consumer_lag(self) -> dict[str, Any]:
        lags = await asyncio.gather(*(
            asyncio.to_thread(consumer_lag, self.settings.kafka_bootstrap_servers, c.group_id, c.subscription.topics,
                              security=client_security(self.settings))
            for c in self.consumers
        ))
        return {consumer.consumer: lag for consumer, lag in zip(self.consumers, lags)}

    async def readiness(self) -> dict[str, str]:
        """Can the service take commands? Only the database decides: while the broker is away the outbox holds the
        events, so a broker outage must not take the API out of service (its health is in :meth:`status`)."""
        return {"database": await self._database_check()}

    async def _database_check(self) -> str:
        try:
            assert self.pool is not None, "not started"
            async with self.pool.acquire(timeout=2) as conn:
                await conn.fetchval("SELECT 1")
            return "ok"
        except Exception as exc:
            return f"unreachable: {exc}"

    async def _broker_check(self) -> str:
        try:
            await asyncio.wait_for(cluster_id_async(self.settings.kafka_bootstrap_servers, 2.0,
                                                    security=client_security(self.settings)), 3.0)
            return "ok"
        except Exception as exc:
            return f"unreachable: {exc or type(exc).__name__}"


async def _retry(step: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline, delay = time.monotonic() + timeout, 0.2
    while True:
        try:
            return await step()
        except Exception as exc:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what} not reachable after {timeout:.0f}s: {exc}") from exc
            log.warning("waiting for dependency", dependency=what, error=str(exc))
            await asyncio.sleep(delay)
            delay = min(delay * 2, 3.0)
