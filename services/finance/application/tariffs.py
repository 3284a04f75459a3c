"""Installing a reward tariff table without code: checked against the policy, then recorded in the tariff book."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from services.finance.application import unit
from services.finance.application.ports import FinancePorts
from services.finance.application.unit_of_work import in_unit
from services.finance.domain.tariff_book import TARIFF_BOOK, TariffBook
from services.finance.domain.tariffs import TariffTable
from shared.auth import Actor


async def install(ports: FinancePorts, actor: Actor, raw: Mapping[str, Any], on: date) -> TariffTable:
    """In force for every recognition heard from now on; a table that does not add up is refused (``TariffError``
    naming the entry) and nothing is recorded."""
    async def work(uow: Any) -> TariffTable:
        book = await unit.find_or_add(uow, TariffBook, TARIFF_BOOK)
        return book.install(raw, ports.policy, installed_by=actor.id, on=on)

    return await in_unit(ports, work)


async def in_force(ports: FinancePorts) -> tuple[TariffTable, TariffBook | None]:
    """The table in force and the book it came from (None: the settings' table, nothing installed yet)."""
    async with ports.uow() as uow:
        book = await unit.find(uow, TariffBook, TARIFF_BOOK)
    if book is not None and book.table is not None:
        return book.table, book
    return ports.tariffs, None
