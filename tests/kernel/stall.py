"""A test-only aggregate whose events changed shape: older code stored v1, today's code writes v2.

- ``StallOpened`` v1 kept the place as one field, ``{"place": "380/15409"}``; v2 splits it into district and commune.
- ``StockAdded`` v1 called the quantity ``count``; v2 calls it ``amount``.
The upcasters below are all it takes for the repository, the projections and a rebuild to read both shapes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import asyncpg

from shared.aggregate import Aggregate, DomainEvent
from shared.events import Recorded, Upcast
from shared.projections import EventWriters


@dataclass(frozen=True)
class StallOpened(DomainEvent):
    schema_version: ClassVar[int] = 2

    product_id: str
    district: str
    commune: str


@dataclass(frozen=True)
class StockAdded(DomainEvent):
    schema_version: ClassVar[int] = 2

    amount: int


def split_place(data: dict[str, Any]) -> dict[str, Any]:
    """v1 → v2: ``place`` "district/commune" becomes ``district`` and ``commune``."""
    rest = {k: v for k, v in data.items() if k != "place"}
    district, commune = data["place"].split("/")
    return rest | {"district": district, "commune": commune}


def count_is_amount(data: dict[str, Any]) -> dict[str, Any]:
    """v1 → v2: ``count`` is renamed ``amount``."""
    rest = {k: v for k, v in data.items() if k != "count"}
    return rest | {"amount": data["count"]}


UPCASTS = (Upcast("StallOpened", 1, split_place), Upcast("StockAdded", 1, count_is_amount))


class Stall(Aggregate):
    stream_type = "stall"
    event_types = {"StallOpened": StallOpened, "StockAdded": StockAdded}

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.product_id = self.district = self.commune = ""
        self.stock = 0

    @classmethod
    def open(cls, stall_id: str, product_id: str, district: str, commune: str) -> Stall:
        stall = cls(stall_id)
        stall.record(StallOpened(product_id, district, commune))
        return stall

    def add(self, amount: int) -> None:
        self.record(StockAdded(amount))

    def apply(self, event: DomainEvent) -> None:
        match event:
            case StallOpened(product_id=product_id, district=district, commune=commune):
                self.product_id, self.district, self.commune = product_id, district, commune
            case StockAdded(amount=amount):
                self.stock += amount


async def _opened(conn: asyncpg.Connection, r: Recorded) -> None:
    e = r.event
    await conn.execute("INSERT INTO stalls VALUES ($1, $2, $3, $4, 0)", r.stream_id, e.product_id, e.district, e.commune)


async def _added(conn: asyncpg.Connection, r: Recorded) -> None:
    await conn.execute("UPDATE stalls SET stock = stock + $2 WHERE stall_id = $1", r.stream_id, r.event.amount)


class StallProjection(EventWriters):
    name = "stalls"
    tables = ("stalls",)
    writers = {StallOpened: _opened, StockAdded: _added}
