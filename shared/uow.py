"""Unit of work: new events, outbox rows, projection rows and the inbox row commit together or not at all."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

import asyncpg
from opentelemetry import propagate

from shared.aggregate import Aggregate, DomainEvent
from shared.context import current_context
from shared.db import connection_lost
from shared.events import EventRegistry, Recorded
from shared.eventstore import ConcurrencyError, EventStore, NewEvent, StoredEvent, WrongStreamType
from shared.projections import Projection, apply_all
from shared.publication import OutboxRow, Publications

A = TypeVar("A", bound=Aggregate)
T = TypeVar("T")


# No NOTIFY here: a notifying transaction holds PostgreSQL's notification lock through its WAL flush, so commits that
# notify never share a flush. The relay is woken after the commit instead (``wake_relay``, shared.relay.RelayWakeup).
_OUTBOX = """
INSERT INTO outbox (event_id, topic, message_key, payload, headers)
SELECT e, t, k, p, h::jsonb FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bytea[], $5::text[]) AS u(e, t, k, p, h)
"""

_INBOX_BATCH = """
INSERT INTO inbox (consumer, event_id, topic, kafka_partition, kafka_offset)
SELECT $1, e, t, p, o FROM unnest($2::uuid[], $3::text[], $4::int[], $5::bigint[]) AS u(e, t, p, o)
ON CONFLICT DO NOTHING
RETURNING event_id
"""


def event_metadata() -> dict[str, Any]:
    """What every recorded event carries besides its data: correlation, causation, actor, and the current trace."""
    metadata = current_context().as_metadata()
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    metadata["traceparent"] = carrier.get("traceparent")
    return metadata


class NotFound(LookupError):
    def __init__(self, stream_type: str, stream_id: str) -> None:
        super().__init__(f"{stream_type} {stream_id!r} not found")
        self.stream_type = stream_type
        self.stream_id = stream_id


class CommitOutcomeUnknown(asyncpg.InterfaceError):
    """The connection dropped during COMMIT and the database could not be asked whether the unit committed.

    An ``InterfaceError``, so code that takes a lost connection as "try again" still does where that is safe (a
    consumer's inbox turns a repeat into a no-op); an HTTP command must not run again blindly and answers 503.
    """


class Repository(Generic[A]):
    """Loads aggregates from their streams; the unit of work saves what they recorded."""

    def __init__(self, uow: UnitOfWork, aggregate: type[A]) -> None:
        self._uow = uow
        self._aggregate = aggregate

    async def get(self, aggregate_id: str, *, expected_version: int | None = None) -> A:
        """Load an aggregate; with ``expected_version`` (the caller's view), a stale view is a conflict."""
        found = await self.find(aggregate_id)
        if found is None:
            raise NotFound(self._aggregate.stream_type, aggregate_id)
        if expected_version is not None and found.version != expected_version:
            raise ConcurrencyError(aggregate_id, expected_version)
        return found

    async def find(self, aggregate_id: str) -> A | None:
        events = await self._uow.events.read_stream(aggregate_id)
        if not events:
            return None
        if events[0].stream_type != self._aggregate.stream_type:
            raise WrongStreamType(aggregate_id, self._aggregate.stream_type, events[0].stream_type)
        aggregate = self._aggregate(aggregate_id)
        history = [self._uow.registry.decode(s.event_type, s.schema_version, s.data) for s in events]
        for event in history:
            aggregate.replay(event)
        self._uow.track(aggregate, history)
        return aggregate

    def add(self, aggregate: A) -> None:
        self._uow.track(aggregate)


class UnitOfWork:
    """``async with uow:`` opens a transaction; leaving without ``commit()`` rolls it back."""

    def __init__(self, pool: asyncpg.Pool, registry: EventRegistry, projections: Sequence[Projection] = (), *,
                 wake_relay: Callable[[], None] | None = None, acquire_timeout: float | None = None,
                 publications: Publications | None = None) -> None:
        self._pool = pool
        self._acquire_timeout = acquire_timeout
        self.registry = registry
        self.publications = publications or Publications()
        self._projections = projections
        # Called once a unit that wrote outbox rows committed; must not block (without it, the relay's poll finds them).
        self._wake_relay = wake_relay
        self._conn: asyncpg.Connection | None = None
        self._tx: Any = None
        self._tracked: list[Aggregate] = []
        self._histories: dict[str, Sequence[DomainEvent]] = {}
        self._appended: list[Recorded] = []
        self._outbox: list[OutboxRow] = []

    async def __aenter__(self) -> UnitOfWork:
        self._tracked, self._histories, self._appended, self._outbox = [], {}, [], []  # a retried unit starts clean
        self._conn = await self._pool.acquire(timeout=self._acquire_timeout)
        self._tx = self._conn.transaction()
        await self._tx.start()
        self.events = EventStore(self._conn)
        return self

    async def __aexit__(self, *exc: object) -> None:
        try:
            if self._tx is not None:
                await self._tx.rollback()
        except Exception as exc:
            if not connection_lost(exc):
                raise
            # The connection died and took its transaction with it: nothing is left to roll back, and the error
            # that brought us here (if any) is the one the caller must see.
        finally:
            await self._pool.release(self._conn)
            self._conn, self._tx = None, None

    @property
    def connection(self) -> asyncpg.Connection:
        assert self._conn is not None, "unit of work used outside 'async with'"
        return self._conn

    def repository(self, aggregate: type[A]) -> Repository[A]:
        return Repository(self, aggregate)

    def track(self, aggregate: Aggregate, history: Sequence[DomainEvent] = ()) -> None:
        """Save ``aggregate``'s new events at commit; ``history``, the events it was loaded from, lets its public
        events be derived with the state each fact left."""
        if aggregate not in self._tracked:
            self._tracked.append(aggregate)
            self._histories[aggregate.id] = history

    async def append(self, stream_id: str, stream_type: str, expected_version: int, events: Sequence[NewEvent]) -> list[StoredEvent]:
        """Append already-encoded events (the projections read them decoded, as a rebuild would)."""
        stored = await self.events.append(stream_id, stream_type, expected_version, events)
        self._appended.extend(self.registry.recorded(s) for s in stored)
        return stored

    async def claim_inbox_batch(self, consumer: str, claims: Sequence[tuple[uuid.UUID, str, int, int]]) -> set[uuid.UUID]:
        """Claim many ``(event_id, topic, partition, offset)`` at once; returns the ids seen for the first time."""
        rows = await self.connection.fetch(_INBOX_BATCH, consumer, *zip(*claims))
        return {row["event_id"] for row in rows}

    async def claim_inbox(self, consumer: str, event_id: uuid.UUID, topic: str, partition: int, offset: int) -> bool:
        """True the first time ``consumer`` sees ``event_id``; False means it was already handled."""
        row = await self.connection.fetchval(
            "INSERT INTO inbox (consumer, event_id, topic, kafka_partition, kafka_offset) VALUES ($1, $2, $3, $4, $5)"
            " ON CONFLICT DO NOTHING RETURNING true",
            consumer,
            event_id,
            topic,
            partition,
            offset,
        )
        return bool(row)

    async def flush(self) -> None:
        """Save what the tracked aggregates recorded so far, now, in this unit's transaction, with the current message
        context (a consumer flushes each record's facts inside that record's context; the rest waits for commit)."""
        await self._save_tracked()

    async def commit(self) -> list[Recorded]:
        await self._save_tracked()
        await apply_all(self.connection, self._projections, self._appended)
        if rows := self._outbox:
            await self.connection.execute(_OUTBOX, [r.event_id for r in rows], [r.topic for r in rows],
                                          [r.key for r in rows], [r.payload for r in rows],
                                          [r.headers_json() for r in rows])
        try:
            await self._tx.commit()
        except Exception as exc:
            if not connection_lost(exc):
                raise
            await self._settle_lost_commit(exc)
        self._tx = None
        if rows and self._wake_relay is not None:
            self._wake_relay()
        appended, self._appended, self._outbox = self._appended, [], []
        return appended

    async def _settle_lost_commit(self, lost: Exception) -> None:
        """COMMIT was sent but its answer lost: the server may have committed. Ask it instead of guessing.

        Returns when the unit's events are stored (it committed); re-raises ``lost`` when they are not (it rolled
        back: running again is safe); raises :class:`CommitOutcomeUnknown` when nobody can tell.
        """
        event_ids = [recorded.event_id for recorded in self._appended]
        try:
            stored = bool(event_ids) and await self._stored(event_ids)
        except Exception as exc:
            if not connection_lost(exc):
                raise
            raise CommitOutcomeUnknown(f"connection lost during COMMIT, and the database is unreachable: {exc}") from lost
        if stored:
            return
        if not event_ids:  # inbox claims and outbox rows alone leave nothing to look up
            raise CommitOutcomeUnknown(f"connection lost during COMMIT of a unit without events: {lost}") from lost
        raise lost

    async def _stored(self, event_ids: list[uuid.UUID]) -> bool:
        # The pool's other connections were likely cut with this one: replace them rather than try each in turn.
        await self._pool.expire_connections()
        async with self._pool.acquire(timeout=self._acquire_timeout) as conn:
            return bool(await conn.fetchval("SELECT count(*) FROM events WHERE event_id = ANY($1::uuid[])", event_ids))

    async def _save_tracked(self) -> None:
        metadata = event_metadata()
        for aggregate in self._tracked:
            expected = aggregate.loaded_version
            pending = aggregate.collect()
            new = [self.registry.encode(e, metadata) for e in pending]
            stored = await self.events.append(aggregate.id, aggregate.stream_type, expected, new)
            recorded = [self.registry.recorded(s, e) for s, e in zip(stored, pending)]
            self._appended.extend(recorded)
            self._outbox.extend(self.publications.rows_of_unit(aggregate.stream_type, aggregate.id,
                                                               self._histories.get(aggregate.id, ()), recorded))
        self._tracked.clear()


async def retry_on_conflict(attempt: Callable[[], Awaitable[T]], *, tries: int = 10) -> T:
    """Run a whole load-decide-commit attempt again when another writer got to the stream first.

    For commands whose outcome does not depend on what the caller saw (e.g. members scoring one session at
    once); a command carrying the caller's ``expected_version`` must surface the conflict instead.
    """
    for tried in range(1, tries + 1):
        try:
            return await attempt()
        except ConcurrencyError:
            if tried == tries:
                raise
            # Full jitter, growing: writers that collided spread out instead of colliding again.
            await asyncio.sleep(random.uniform(0, min(0.2, 0.005 * 2**tried)))
    raise AssertionError("unreachable")
