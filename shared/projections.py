"""Projections (read models) are disposable: derived from events, dropped and rebuilt at will."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

import asyncpg

from shared.aggregate import DomainEvent
from shared.events import EventRegistry, Recorded
from shared.eventstore import EventStore


class Projection(Protocol):
    """Read-model writer. ``apply`` must give the same rows whether events come live or from a rebuild.

    It receives typed events (decoded through the service's upcasters), so a stored shape that changed replays.
    """

    name: str
    tables: Sequence[str]

    async def apply(self, conn: asyncpg.Connection, events: Sequence[Recorded]) -> None: ...


Writer = Callable[[asyncpg.Connection, Recorded], Awaitable[None]]


class EventWriters:
    """A projection made of one row writer per event class; events without a writer leave it unchanged."""

    name: str = ""
    tables: Sequence[str] = ()
    writers: dict[type[DomainEvent], Writer] = {}

    async def apply(self, conn: asyncpg.Connection, events: Sequence[Recorded]) -> None:
        for recorded in events:
            writer = self.writers.get(type(recorded.event))
            if writer is not None:
                await writer(conn, recorded)


Progress = Callable[[int, int], None]


async def apply_all(conn: asyncpg.Connection, projections: Sequence[Projection], events: Sequence[Recorded]) -> None:
    if events:
        for projection in projections:
            await projection.apply(conn, events)


async def rebuild(
    pool: asyncpg.Pool,
    projections: Sequence[Projection],
    registry: EventRegistry,
    *,
    batch_size: int = 1000,
    progress: Progress | None = None,
    attempts: int = 5,
) -> int:
    """Empty the read models and replay the whole store into them, in one transaction.

    Every stored event is decoded through ``registry`` (with its upcasters), as the live path reads them.

    The read-model tables are locked before anything is read, and held until commit: live writers (who write
    their events and projection rows in one transaction) wait instead of interleaving rows with the replay, and
    one that commits while the rebuild waits for its lock is in the replay. A failure leaves the old read models.
    """
    for attempt in range(1, attempts + 1):
        try:
            return await _rebuild_once(pool, projections, registry, batch_size, progress)
        except asyncpg.DeadlockDetectedError:
            # The tables are locked one by one, so a live writer holding one and waiting for another can deadlock
            # with us; PostgreSQL then aborts one side. Our whole transaction rolled back, so running it again is safe.
            if attempt == attempts:
                raise
            await asyncio.sleep(0.05 * attempt)
    raise AssertionError("unreachable")


async def _rebuild_once(pool: asyncpg.Pool, projections: Sequence[Projection], registry: EventRegistry,
                        batch_size: int, progress: Progress | None) -> int:
    tables = ", ".join(table for p in projections for table in p.tables)
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read"):
        if tables:
            # First statement: REPEATABLE READ takes its snapshot at the first query, and LOCK is none, so a writer
            # committing while we wait is in the snapshot. TRUNCATE first would snapshot before waiting, losing it.
            await conn.execute(f"LOCK TABLE {tables} IN ACCESS EXCLUSIVE MODE")
        total = await conn.fetchval("SELECT count(*) FROM events")
        if tables:
            await conn.execute(f"TRUNCATE {tables}")
        store, position, done = EventStore(conn), 0, 0
        while batch := await store.read_all(after_position=position, limit=batch_size):
            await apply_all(conn, projections, [registry.recorded(stored) for stored in batch])
            position, done = batch[-1].position, done + len(batch)
            if progress:
                progress(done, total)
    return done
