"""The rating dossier (hồ sơ đánh giá) of one product: opened when the product enters rating.

Stream id = product_id, so a product keeps one dossier across cycles; a later cycle's registration
re-enters it (re-rating) and a registration already on it changes nothing.

    (ProductRegistered) ─open→ awaiting_council ─(ProductRegistered, new registration)→ re-entered, still awaiting_council
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.rating.domain import events as ev
from services.rating.domain.catalogue import Catalogue
from shared.aggregate import Aggregate, DomainEvent


@dataclass(frozen=True)
class ProductEntry:
    """What rating keeps of a registered product (read from ProductRegistered by the translator)."""

    product_id: str
    registration_id: str
    cycle_year: int
    product: dict[str, Any]  # name, sector, group, product_set
    producer: dict[str, Any]  # producer_id, name, legal_form
    district_code: str
    commune_code: str


class RatingDossier(Aggregate):
    """Hồ sơ đánh giá of one OCOP product."""

    stream_type = "rating-dossier"
    event_types = {e.__name__: e for e in (ev.DossierOpened, ev.DossierReentered)}

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.status = "new"
        self.facts: dict[str, Any] = {}
        self.registrations: dict[str, int] = {}  # registration_id → cycle_year
        self.cycle_year: int | None = None

    @classmethod
    def open(cls, entry: ProductEntry, catalogue: Catalogue) -> RatingDossier:
        """Classify the product into its product set; a set the catalogue lacks raises ``RatingError`` (field product_set)."""
        product_set = int(entry.product["product_set"])
        sheet = catalogue.sheet(product_set)
        dossier = cls(entry.product_id)
        dossier.record(ev.DossierOpened(
            product_id=entry.product_id,
            product={k: entry.product[k] for k in ("name", "sector", "group", "product_set")},
            producer=dict(entry.producer),
            district_code=entry.district_code,
            commune_code=entry.commune_code,
            registration_id=entry.registration_id,
            cycle_year=entry.cycle_year,
            product_set=product_set,
            sheet_id=sheet.entry,
            sheet_version=sheet.version,
            sheet_provisional=sheet.provisional,
            regime=catalogue.regime,
        ))
        return dossier

    def enter(self, registration_id: str, cycle_year: int) -> None:
        """Another registration of this product (a later cycle): re-entry; one already on the dossier is a no-op."""
        if registration_id in self.registrations:
            return
        self.record(ev.DossierReentered(registration_id, cycle_year))

    @property
    def product_set(self) -> int:
        return self.facts["product_set"]

    def apply(self, event: DomainEvent) -> None:
        match event:
            case ev.DossierOpened():
                self.facts = event.to_data()
                self.registrations = {event.registration_id: event.cycle_year}
                self.cycle_year = event.cycle_year
                self.status = "awaiting_council"
            case ev.DossierReentered(registration_id=registration_id, cycle_year=cycle_year):
                self.registrations[registration_id] = cycle_year
                self.cycle_year = max(self.cycle_year or cycle_year, cycle_year)
                self.status = "awaiting_council"
