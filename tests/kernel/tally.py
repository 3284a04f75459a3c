"""A test-only service on the kernel: a tally per product, counted up by commands, seen by a consumer.

It exercises every kernel part (aggregate, repository, unit of work, outbox,
projection, inbox consumer, dead letters) without any OCOP business rule.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from shared.aggregate import Aggregate, DomainEvent
from shared.auth import Actor, require
from shared.contracts.roles import Role
from shared.consumer import Subscription
from shared.contracts import new_envelope
from shared.events import EventRegistry, Recorded
from shared.http.app import ports_of
from shared.publication import Publisher, derived_id
from shared.runtime import ServiceDefinition
from shared.settings import ServiceSettings
from shared.uow import UnitOfWork
from tests.kernel.stall import UPCASTS as STALL_UPCASTS
from tests.kernel.stall import Stall, StallProjection


@dataclass(frozen=True)
class TallyOpened(DomainEvent):
    product_id: str
    district: str


@dataclass(frozen=True)
class TallyIncremented(DomainEvent):
    amount: int


class Tally(Aggregate):
    stream_type = "tally"
    event_types = {"TallyOpened": TallyOpened, "TallyIncremented": TallyIncremented}

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.product_id = ""
        self.district = ""
        self.total = 0

    @classmethod
    def open(cls, tally_id: str, product_id: str, district: str) -> Tally:
        tally = cls(tally_id)
        tally.record(TallyOpened(product_id, district))
        return tally

    def increment(self, amount: int) -> None:
        if amount <= 0:
            raise ValueError("amount must be positive")
        self.record(TallyIncremented(amount))

    def apply(self, event: DomainEvent) -> None:
        match event:
            case TallyOpened(product_id=product_id, district=district):
                self.product_id, self.district = product_id, district
            case TallyIncremented(amount=amount):
                self.total += amount


@dataclass(frozen=True)
class ProducerRegistered(DomainEvent):
    """Stored by tests under another stream type, to show that an id belongs to one aggregate type."""

    name: str


# The stall is a second, test-only aggregate whose events changed shape (v1 → v2 through upcasters).
EVENTS = EventRegistry.of(Tally, Stall, upcasts=STALL_UPCASTS, extra=(ProducerRegistered,))


class TallyProjection:
    name = "tallies"
    tables = ("tallies",)

    async def apply(self, conn: asyncpg.Connection, events: Sequence[Recorded]) -> None:
        for r in events:
            match r.event:
                case TallyOpened(product_id=product_id, district=district):
                    await conn.execute("INSERT INTO tallies VALUES ($1, $2, $3, 0, $4)", r.stream_id, product_id, district, r.version)
                case TallyIncremented(amount=amount):
                    await conn.execute(
                        "UPDATE tallies SET total = total + $2, version = $3 WHERE tally_id = $1", r.stream_id, amount, r.version
                    )


def registered(product_id: str, registration_id: str | None = None, **overrides: Any) -> Any:
    """A valid public event used as the tally's integration event."""
    data = {
        "registration_id": registration_id or str(uuid.uuid4()),
        "cycle_year": 2021,
        "product": {"name": "Bánh gai Tứ Trụ", "sector": "food", "group": "processed food", "product_set": 7, "description": "bánh"},
        "producer": {"producer_id": "p-1", "name": "HTX Tứ Trụ", "legal_form": "cooperative"},
        "location": {"district_code": "380", "commune_code": "15001"},
    }
    return new_envelope("ProductRegistered", product_id, data, **overrides)


def public_events(fact: Recorded, tally: Tally) -> list[Any]:
    """One integration event per increment, derived from the stored fact (as a service's translator does)."""
    if isinstance(fact.event, TallyIncremented):
        return [registered(tally.product_id, tally.id, event_id=derived_id(fact.event_id),
                           occurred_at=fact.recorded_at, **_flow(fact))]
    return []


def _flow(fact: Recorded) -> dict[str, Any]:
    correlation = fact.metadata.get("correlation_id")
    return {"correlation_id": uuid.UUID(correlation)} if correlation else {}


def publisher(topic: str) -> Publisher[Tally]:
    return Publisher(Tally, public_events, topic=topic)


async def open_and_increment(uow: UnitOfWork, tally_id: str, product_id: str, amounts: Sequence[int], topic: str) -> None:
    """Handler: load or open the tally, record increments (each publishes one integration event to ``topic``: the
    unit of work must have been built with ``publisher(topic)``)."""
    async with uow:
        repo = uow.repository(Tally)
        tally = await repo.find(tally_id) or Tally.open(tally_id, product_id, "380")
        repo.add(tally)
        for amount in amounts:
            tally.increment(amount)
        await uow.commit()


async def count_received(envelope: Any, uow: UnitOfWork, ports: Any) -> None:
    """Consumer handler: one row per product, counting the events seen."""
    if envelope.product_id.startswith("poison"):
        raise RuntimeError(f"cannot handle {envelope.product_id}")
    await uow.connection.execute(
        "INSERT INTO received VALUES ($1, 1, $2) ON CONFLICT (product_id) DO UPDATE SET messages = received.messages + 1, last_event = $2",
        envelope.product_id,
        envelope.event_id,
    )


class Increment(BaseModel):
    amount: int = Field(gt=0)
    expected_version: int = Field(ge=0)


def router(topic: str) -> APIRouter:
    api = APIRouter()

    @api.post("/districts/{district}/tallies/{tally_id}/increments", status_code=201)
    async def increment(
        district: str, tally_id: str, body: Increment, request: Request, actor: Actor = Depends(require(Role.district_officer, Role.provincial_office))
    ) -> dict[str, int]:
        actor.ensure_district(district)
        async with ports_of(request).uow() as uow:
            tally = await uow.repository(Tally).get(tally_id, expected_version=body.expected_version)
            tally.increment(body.amount)
            await uow.commit()
        return {"version": tally.version}

    return api


def definition(name: str, topic: str, *, consume: bool = True) -> ServiceDefinition:
    subscriptions = (Subscription("tally-counter", (topic,), count_received),) if consume else ()
    return ServiceDefinition(
        name=name,
        events=EVENTS,
        migrations=Path(__file__).parent / "migrations",
        projections=lambda: (TallyProjection(), StallProjection()),
        subscriptions=subscriptions,
        routers=(router(topic),),
        publishers=(publisher(topic),),
    )


def settings_for(launcher: Any, name: str, **overrides: Any) -> ServiceSettings:
    values: dict[str, Any] = dict(
        service=name,
        database_url=launcher.database_url,
        kafka_bootstrap_servers=launcher.bootstrap_servers,
        relay_poll_seconds=0.2,
        consumer_retry_backoff_seconds=0.01,
        consumer_max_retries=2,
    )
    values.update(overrides)
    return ServiceSettings(**values)
