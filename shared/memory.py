"""An in-memory unit of work: the port of ``shared.uow.UnitOfWork`` without PostgreSQL, for fast tests.

An ``InMemoryStore`` holds what the database would (events by stream, outbox, inbox); each ``unit_of_work()`` is
a transaction on it: appends, outbox rows and inbox claims are its own until ``commit()``, dropped otherwise. A unit
appending to a stream (or claiming an inbox key) another open unit holds waits for it, as PostgreSQL waits on the
unique index. Events go through the service's ``EventRegistry`` and JSON and are read back at commit, so a fast test
fails on an event that could not be stored or replayed. Projections are NOT applied: read models are SQL, tested
over PostgreSQL (``uow.connection`` says so if a handler reaches for it).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import uuid
from collections.abc import Hashable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from shared.aggregate import Aggregate, DomainEvent
from shared.events import EventDecodingError, EventRegistry, Recorded
from shared.eventstore import ConcurrencyError, NewEvent, StoredEvent, WrongStreamType
from shared.publication import OutboxRow, Publications
from shared.uow import Repository, event_metadata

A = TypeVar("A", bound=Aggregate)
Held = dict[Hashable, asyncio.Future[None]]


class InMemoryStore:
    """The committed state every unit of work of one test shares."""

    def __init__(self, registry: EventRegistry, publications: Publications | None = None) -> None:
        self.registry = registry
        self.publications = publications or Publications()
        self.streams: dict[str, list[StoredEvent]] = {}
        self.outbox: list[OutboxRow] = []
        self.inbox: set[tuple[str, uuid.UUID]] = set()
        self.positions = itertools.count(1)
        self._holders: Held = {}

    def unit_of_work(self) -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(self)

    @property
    def published(self) -> list[Any]:
        """Envelopes in the outbox, in commit order."""
        return [row.envelope for row in self.outbox]

    @property
    def events(self) -> list[StoredEvent]:
        """Every committed event in store order, as stored (type, schema version, JSON data)."""
        return sorted((e for stream in self.streams.values() for e in stream), key=lambda e: e.position)

    def recorded(self) -> list[Recorded]:
        """Every committed event decoded through the registry, as a rebuild would read it."""
        return [self.registry.recorded(stored) for stored in self.events]

    async def hold(self, key: Hashable, held: Held) -> None:
        """Wait until no other open unit holds ``key``, then hold it for the unit owning ``held``."""
        if key in held:
            return
        while (other := self._holders.get(key)) is not None:
            await asyncio.shield(other)  # a cancelled waiter must not cancel the holder's future
        self._holders[key] = held[key] = asyncio.get_running_loop().create_future()

    def release(self, held: Held) -> None:
        for key, done in held.items():
            del self._holders[key]
            done.set_result(None)
        held.clear()


def _as_stored(value: dict[str, Any]) -> dict[str, Any]:
    """The value as jsonb gives it back (the PostgreSQL store writes JSON with ``default=str``)."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


class InMemoryEventStore:
    """The event store as one unit of work sees it: committed streams plus its own uncommitted appends."""

    def __init__(self, store: InMemoryStore, held: Held) -> None:
        self._store = store
        self._held = held
        self.pending: dict[str, list[StoredEvent]] = {}

    def _stream(self, stream_id: str) -> list[StoredEvent]:
        return [*self._store.streams.get(stream_id, ()), *self.pending.get(stream_id, ())]

    async def append(
        self, stream_id: str, stream_type: str, expected_version: int, events: Sequence[NewEvent]
    ) -> list[StoredEvent]:
        if not events:
            return []
        await self._store.hold(("stream", stream_id), self._held)
        stream = self._stream(stream_id)
        if stream and stream[0].stream_type != stream_type:
            raise WrongStreamType(stream_id, stream_type, stream[0].stream_type)
        if len(stream) != expected_version:
            raise ConcurrencyError(stream_id, expected_version)
        now = datetime.now(UTC)
        stored = [
            StoredEvent(next(self._store.positions), stream_id, stream_type, expected_version + n, e.event_id,
                        e.event_type, e.schema_version, _as_stored(e.data), _as_stored(e.metadata), now)
            for n, e in enumerate(events, 1)
        ]
        self.pending.setdefault(stream_id, []).extend(stored)
        return stored

    async def read_stream(self, stream_id: str, after_version: int = 0) -> list[StoredEvent]:
        return [e for e in self._stream(stream_id) if e.version > after_version]

    async def read_all(self, after_position: int = 0, limit: int = 1000) -> list[StoredEvent]:
        mine = [e for stream in self.pending.values() for e in stream]
        every = sorted([*self._store.events, *mine], key=lambda e: e.position)
        return [e for e in every if e.position > after_position][:limit]

    async def stream_version(self, stream_id: str) -> int:
        return len(self._stream(stream_id))


class InMemoryUnitOfWork:
    """``async with uow:`` … ``await uow.commit()``, as ``shared.uow.UnitOfWork``; rolls back unless committed."""

    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self.registry = store.registry
        self._held: Held = {}
        self._reset()

    def _reset(self) -> None:
        self.events = InMemoryEventStore(self._store, self._held)
        self._tracked: list[Aggregate] = []
        self._histories: dict[str, Sequence[DomainEvent]] = {}
        self._appended: list[Recorded] = []
        self._outbox: list[OutboxRow] = []
        self._claims: set[tuple[str, uuid.UUID]] = set()

    async def __aenter__(self) -> InMemoryUnitOfWork:
        self._reset()  # a retried unit starts clean
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._store.release(self._held)
        self._reset()

    @property
    def connection(self) -> Any:
        raise NotImplementedError("the in-memory unit of work has no SQL connection: test read models over PostgreSQL")

    @property
    def published(self) -> list[Any]:
        """Envelopes committed to the store's outbox (by every unit of the store)."""
        return self._store.published

    def repository(self, aggregate: type[A]) -> Repository[A]:
        return Repository(self, aggregate)  # type: ignore[arg-type]  # the same loading rules over this port

    def track(self, aggregate: Aggregate, history: Sequence[DomainEvent] = ()) -> None:
        if aggregate not in self._tracked:
            self._tracked.append(aggregate)
            self._histories[aggregate.id] = history

    async def append(self, stream_id: str, stream_type: str, expected_version: int, events: Sequence[NewEvent]) -> list[StoredEvent]:
        """Append already-encoded events; they are decoded as a reader (or a projection) would read them."""
        stored = await self.events.append(stream_id, stream_type, expected_version, events)
        self._appended.extend(self.registry.recorded(s) for s in stored)
        return stored

    async def claim_inbox(self, consumer: str, event_id: uuid.UUID, topic: str, partition: int, offset: int) -> bool:
        key = (consumer, event_id)
        await self._store.hold(("inbox", *key), self._held)
        if key in self._store.inbox or key in self._claims:
            return False
        self._claims.add(key)
        return True

    async def claim_inbox_batch(self, consumer: str, claims: Sequence[tuple[uuid.UUID, str, int, int]]) -> set[uuid.UUID]:
        return {claim[0] for claim in claims if await self.claim_inbox(consumer, *claim)}

    async def flush(self) -> None:
        """Save what the tracked aggregates recorded so far, now, in this unit's transaction, with the current message
        context (a consumer flushes each record's facts inside that record's context; the rest waits for commit)."""
        await self._save_tracked()

    async def commit(self) -> list[Recorded]:
        await self._save_tracked()
        store, appended = self._store, self._appended
        # No await from here on: the whole unit lands at once, as a transaction commits.
        for stream_id, stored in self.events.pending.items():
            store.streams.setdefault(stream_id, []).extend(stored)
        store.outbox.extend(self._outbox)
        store.inbox.update(self._claims)
        store.release(self._held)
        self._reset()
        return appended

    async def _save_tracked(self) -> None:
        metadata = event_metadata()
        for aggregate in self._tracked:
            expected, pending = aggregate.loaded_version, aggregate.collect()
            new = [self.registry.encode(e, metadata) for e in pending]
            stored = await self.events.append(aggregate.id, aggregate.stream_type, expected, new)
            recorded = [self._read_back(s, e) for s, e in zip(stored, pending)]
            self._appended.extend(recorded)
            self._outbox.extend(self._store.publications.rows_of_unit(
                aggregate.stream_type, aggregate.id, self._histories.get(aggregate.id, ()), recorded))
        self._tracked.clear()

    def _read_back(self, stored: StoredEvent, event: Any) -> Recorded:
        """The event as a later reader will see it; an event that does not survive the store fails here, not in a replay."""
        recorded = self.registry.recorded(stored)
        if recorded.event != event:
            raise EventDecodingError(f"{event.event_type} does not read back as recorded: {event!r} became {recorded.event!r}")
        return recorded
