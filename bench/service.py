"""A bench-only service on the kernel: an item aggregate, its integration event, a consumer projection.

It uses the kernel exactly as a service does (aggregate, repository, unit of
work, outbox, relay, inbox consumer) and adds one thing for measurement: a unit
of work that tells the benchmark when the consumer's transaction committed.
No OCOP business rule lives here.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.aggregate import Aggregate, DomainEvent
from shared.consumer import Subscription
from shared.contracts import new_envelope, serialize_event
from shared.events import EventRegistry, Recorded
from shared.publication import Publisher, derived_id, public_event
from shared.runtime import ServiceDefinition, ServiceRuntime
from shared.settings import ServiceSettings
from shared.uow import UnitOfWork

MIGRATIONS = Path(__file__).parent / "migrations"
SUBSCRIPTION = "bench-projection"

# ``data`` of a valid ProductRegistered event; with the envelope it is ~500 bytes of UTF-8 JSON.
_PRODUCT = {"name": "Bánh gai Tứ Trụ", "sector": "food", "group": "processed", "product_set": 7, "description": ""}
_PRODUCER = {"producer_id": "htx-1", "name": "HTX Tứ Trụ", "legal_form": "cooperative"}
_LOCATION = {"district_code": "380", "commune_code": "15001"}


def registration_data() -> dict[str, Any]:
    return {
        "registration_id": str(uuid.uuid4()),
        "cycle_year": 2024,
        "product": _PRODUCT,
        "producer": _PRODUCER,
        "location": _LOCATION,
    }


def envelope(product_id: str) -> Any:
    return new_envelope("ProductRegistered", product_id, registration_data())


def sample_message(product_id: str = "bench-p-000000") -> bytes:
    """The bytes the relay puts on the topic for one event, used for the raw baselines too."""
    return serialize_event(envelope(product_id))


@dataclass(frozen=True)
class ItemOpened(DomainEvent):
    product_id: str
    registration: dict[str, Any]


@dataclass(frozen=True)
class ItemNoted(DomainEvent):
    seq: int
    registration: dict[str, Any]


class BenchItem(Aggregate):
    """One stream per item; each command records exactly one event."""

    stream_type = "bench_item"
    event_types = {"ItemOpened": ItemOpened, "ItemNoted": ItemNoted}

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.product_id = ""
        self.notes = 0

    @classmethod
    def open(cls, item_id: str, product_id: str, registration: dict[str, Any]) -> BenchItem:
        item = cls(item_id)
        item.record(ItemOpened(product_id, registration))
        return item

    def note(self, registration: dict[str, Any]) -> None:
        self.record(ItemNoted(self.notes + 1, registration))

    def apply(self, event: DomainEvent) -> None:
        match event:
            case ItemOpened(product_id=product_id):
                self.product_id = product_id
            case ItemNoted(seq=seq):
                self.notes = seq


def public_events(fact: Recorded, item: BenchItem) -> list[Any]:
    """One ProductRegistered per stored fact of an item, derived from it as a service's translator does."""
    registration = getattr(fact.event, "registration", None)
    return [] if registration is None else [public_event("ProductRegistered", item.product_id, registration, fact)]


async def command(uow: UnitOfWork, item_id: str, product_id: str, topic: str, events: int = 1) -> list[uuid.UUID]:
    """Load or create the item, record ``events`` events (each publishes one integration event to the definition's
    ``topic``), commit.

    Returns the published event ids (the integration events' ids).
    """
    async with uow:
        repo = uow.repository(BenchItem)
        item = await repo.find(item_id)
        for _ in range(events):
            data = registration_data()
            if item is None:
                item = BenchItem.open(item_id, product_id, data)
                repo.add(item)
            else:
                item.note(data)
        recorded = await uow.commit()
    return [derived_id(r.event_id) for r in recorded]


class TimedUnitOfWork(UnitOfWork):
    """A unit of work that reports, right after its commit returned, the event ids noted in it."""

    def __init__(self, *args: Any, on_commit: Callable[[Sequence[uuid.UUID], float], None], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._on_commit = on_commit
        self._noted: list[uuid.UUID] = []

    def note(self, event_id: uuid.UUID) -> None:
        self._noted.append(event_id)

    async def commit(self) -> Any:
        result = await super().commit()
        if self._noted:
            noted, self._noted = self._noted, []
            self._on_commit(noted, time.perf_counter())
        return result


async def project(envelope: Any, uow: UnitOfWork, ports: Any) -> None:
    """Consumer handler: upsert one read-model row per product."""
    await uow.connection.execute(
        "INSERT INTO bench_seen (product_id, messages, last_event) VALUES ($1, 1, $2)"
        " ON CONFLICT (product_id) DO UPDATE SET messages = bench_seen.messages + 1, last_event = $2,"
        " updated_at = clock_timestamp()",
        envelope.product_id,
        envelope.event_id,
    )
    if isinstance(uow, TimedUnitOfWork):
        uow.note(envelope.event_id)


class BenchRuntime(ServiceRuntime):
    """The kernel's runtime; only its units of work are timed."""

    def __init__(self, definition: ServiceDefinition, settings: ServiceSettings) -> None:
        super().__init__(definition, settings)
        self.committed: dict[uuid.UUID, float] = {}
        self.first_uow_at = 0.0

    def _on_commit(self, event_ids: Sequence[uuid.UUID], at: float) -> None:
        for event_id in event_ids:
            self.committed.setdefault(event_id, at)

    def uow(self) -> UnitOfWork:
        assert self.pool is not None, "service not started"
        if not self.first_uow_at:
            self.first_uow_at = time.perf_counter()
        return TimedUnitOfWork(
            self.pool, self.definition.events, self.projections, wake_relay=self.wakeup,
            on_commit=self._on_commit, publications=self.publications,
        )


def definition(name: str, topic: str) -> ServiceDefinition:
    return ServiceDefinition(
        name=name,
        events=EventRegistry.of(BenchItem),
        migrations=MIGRATIONS,
        subscriptions=(Subscription(SUBSCRIPTION, (topic,), project),),
        publishers=(Publisher(BenchItem, public_events, topic=topic),),
    )


def settings(name: str, database_url: str, bootstrap_servers: str, **overrides: Any) -> ServiceSettings:
    """Kernel defaults (and any OCOP_* variables), on the bench's database and broker."""
    values: dict[str, Any] = {"service": name, "database_url": database_url, "kafka_bootstrap_servers": bootstrap_servers}
    values.update(overrides)
    return ServiceSettings(**values)
