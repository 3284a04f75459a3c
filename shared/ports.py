"""The ports a service's bootstrap (composition root) injects into its handlers: units of work and a clock.

Each service extends ``ServicePorts`` with its own (catalogue, policy, reference data) in ``services/<name>/bootstrap.py``;
production passes PostgreSQL units of work, tests pass the in-memory one and a fixed clock.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol, Self, TypeVar, runtime_checkable

from shared.contracts.envelope import VIETNAM_TZ

if TYPE_CHECKING:
    from shared.aggregate import Aggregate, DomainEvent
    from shared.events import EventRegistry, Recorded
    from shared.eventstore import NewEvent, StoredEvent

A = TypeVar("A", bound="Aggregate")

Clock = Callable[[], datetime]
UnitOfWorkFactory = Callable[[], Any]


def system_clock() -> datetime:
    """Now, aware, in Asia/Ho_Chi_Minh (the civil time of every OCOP date)."""
    return datetime.now(VIETNAM_TZ)


def fixed_clock(at: datetime) -> Clock:
    """A clock that always answers ``at`` (tests, replays of a past day)."""
    return lambda: at


@dataclass(frozen=True)
class ServicePorts:
    """What every handler may need: a fresh unit of work per attempt, and the time."""

    uow: UnitOfWorkFactory
    clock: Clock = system_clock

    def today(self) -> date:
        """The civil date in Asia/Ho_Chi_Minh."""
        return self.clock().astimezone(VIETNAM_TZ).date()


# The unit-of-work port: ``shared.uow.UnitOfWork`` (PostgreSQL) and ``shared.memory.InMemoryUnitOfWork`` both satisfy
# it, and one test suite (tests/kernel/test_uow_port.py) holds them to the same behaviour.


@runtime_checkable
class EventStorePort(Protocol):
    """Streams of stored events with a version per stream; appends check the version the writer expects."""

    async def append(
        self, stream_id: str, stream_type: str, expected_version: int, events: Sequence[NewEvent]
    ) -> list[StoredEvent]: ...

    async def read_stream(self, stream_id: str, after_version: int = 0) -> list[StoredEvent]: ...

    async def read_all(self, after_position: int = 0, limit: int = 1000) -> list[StoredEvent]: ...

    async def stream_version(self, stream_id: str) -> int: ...


class RepositoryPort(Protocol[A]):
    async def get(self, aggregate_id: str, *, expected_version: int | None = None) -> A: ...

    async def find(self, aggregate_id: str) -> A | None: ...

    def add(self, aggregate: A) -> None: ...


@runtime_checkable
class UnitOfWorkPort(Protocol):
    """``async with uow:`` … ``await uow.commit()``: events, outbox, inbox claims (and read models) commit together.

    Leaving the block without ``commit()`` discards everything; nothing is visible to other units before the commit.
    """

    registry: EventRegistry
    events: EventStorePort

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, *exc: object) -> None: ...

    def repository(self, aggregate: type[A]) -> RepositoryPort[A]: ...

    def track(self, aggregate: Aggregate, history: Sequence[DomainEvent] = ()) -> None: ...

    async def append(
        self, stream_id: str, stream_type: str, expected_version: int, events: Sequence[NewEvent]
    ) -> list[StoredEvent]: ...

    async def claim_inbox(self, consumer: str, event_id: uuid.UUID, topic: str, partition: int, offset: int) -> bool: ...

    async def claim_inbox_batch(
        self, consumer: str, claims: Sequence[tuple[uuid.UUID, str, int, int]]
    ) -> set[uuid.UUID]: ...

    async def flush(self) -> None: ...

    async def commit(self) -> list[Recorded]: ...
