"""Events of a product as finance knows it from registration (hồ sơ sản phẩm): where it is, whose it is."""

from __future__ import annotations

from dataclasses import dataclass

from services.finance.domain.values import ProductEntry
from shared.aggregate import DomainEvent


@dataclass(frozen=True)
class ProductEntered(DomainEvent):
    """The product was sent to the province for a rating cycle (heard from ProductRegistered)."""

    entry: ProductEntry
