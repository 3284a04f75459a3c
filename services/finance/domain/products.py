"""A product as finance places it (sản phẩm): its district, commune and producer, from ProductRegistered.

Rewards are reported by district and printed with the product's and producer's names; a ``ProductRated`` says
neither, so finance keeps what registration told it. Stream id ``product:<product id>`` (``product_stream``).
"""

from __future__ import annotations

from services.finance.domain.events import products as ev
from services.finance.domain.values import ProductEntry
from shared.aggregate import Aggregate, DomainEvent


def product_stream(product_id: str) -> str:
    return f"product:{product_id}"


class RegisteredProduct(Aggregate):
    """What finance knows of one product from its registrations (one per cycle it entered)."""

    stream_type = "registered-product"
    event_types = {"ProductEntered": ev.ProductEntered}

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.entries: dict[str, ProductEntry] = {}  # registration id → what it said
        self.latest: ProductEntry | None = None

    def enter(self, entry: ProductEntry) -> None:
        """Record a registration; the same registration heard again changes nothing."""
        if entry.registration_id not in self.entries:
            self.record(ev.ProductEntered(entry))

    @property
    def district_code(self) -> str:
        return self.latest.district_code if self.latest else ""

    def apply(self, event: DomainEvent) -> None:
        match event:
            case ev.ProductEntered(entry=entry):
                self.entries[entry.registration_id] = entry
                if self.latest is None or entry.cycle_year >= self.latest.cycle_year:
                    self.latest = entry
