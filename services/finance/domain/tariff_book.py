"""The tariff book (sổ biểu mức thưởng): the reward tariff table in force, installed without code; stream ``tariffs``.

A table is checked (``tariffs.check_tariff_table``, against the policy) before it is recorded, so a table that does
not add up is refused naming its entry and nothing is written. Until one is installed, the service uses the table
its settings name (the shipped Thanh Hóa 2021 one by default).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from services.finance.domain.events import tariffs as ev
from services.finance.domain.policy import FinancePolicy
from services.finance.domain.tariffs import TariffTable, check_tariff_table
from services.finance.domain.values import text
from shared.aggregate import Aggregate, DomainEvent

TARIFF_BOOK = "tariffs"


class TariffBook(Aggregate):
    """Every tariff table installed, the last one in force."""

    stream_type = "tariff-book"
    event_types = {"TariffTableInstalled": ev.TariffTableInstalled}

    def __init__(self, aggregate_id: str = TARIFF_BOOK) -> None:
        super().__init__(aggregate_id)
        self.table: TariffTable | None = None
        self.installed: list[ev.TariffTableInstalled] = []

    def install(self, raw: Mapping[str, Any], policy: FinancePolicy, *, installed_by: str, on: date) -> TariffTable:
        """Check ``raw`` (parsed JSON) against the policy and put it in force; ``TariffError`` names what is wrong."""
        check_tariff_table(raw, policy)
        self.record(ev.TariffTableInstalled(dict(raw), text(installed_by, "installed_by"), on))
        assert self.table is not None
        return self.table

    def apply(self, event: DomainEvent) -> None:
        match event:
            case ev.TariffTableInstalled():
                self.table = check_tariff_table(event.table)
                self.installed.append(event)
