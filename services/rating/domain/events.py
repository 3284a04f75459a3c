"""Domain events of rating, in the past tense; stored in the service's own event store."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.aggregate import DomainEvent


@dataclass(frozen=True)
class DossierOpened(DomainEvent):
    """A product entered rating (hồ sơ đánh giá mở): classified into its product set, with the sheet it will use."""

    product_id: str
    product: dict[str, Any]
    producer: dict[str, Any]
    district_code: str
    commune_code: str
    registration_id: str
    cycle_year: int
    product_set: int
    sheet_id: str
    sheet_version: str
    sheet_provisional: bool
    regime: str


@dataclass(frozen=True)
class DossierReentered(DomainEvent):
    """The same product was registered again in a later cycle (đánh giá lại): a new registration on its dossier."""

    registration_id: str
    cycle_year: int
