"""Events of the reward tariff book (biểu mức thưởng): each installed table, as it was given."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from shared.aggregate import DomainEvent


@dataclass(frozen=True)
class TariffTableInstalled(DomainEvent):
    """A checked tariff table (its JSON, format services/finance/tariffs/README.md) is in force from now on; the
    claims opened before keep the entry that decided them."""

    table: dict[str, Any]
    installed_by: str
    installed_on: date
