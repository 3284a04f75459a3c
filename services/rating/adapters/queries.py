"""Read side of the API: rating dossiers by district, product set and cycle."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import asyncpg

from shared.readmodels import Where, page

_DOSSIER = (
    "d.product_id, d.product_name, d.product_set, d.sector, d.product_group, d.producer_id, d.producer_name,"
    " d.legal_form, d.district_code, d.commune_code, d.cycle_year, d.first_registration_id, d.latest_registration_id,"
    " d.registrations, d.sheet_id, d.sheet_provisional, d.status, d.version, d.opened_at, d.updated_at"
)


@dataclass(frozen=True)
class DossierFilter:
    district_code: str | None = None
    product_set: int | None = None
    cycle_year: int | None = None
    limit: int = 50
    offset: int = 0


async def list_dossiers(conn: asyncpg.Connection, f: DossierFilter) -> dict[str, Any]:
    where = Where("d").equal(district_code=f.district_code, product_set=f.product_set, cycle_year=f.cycle_year)
    return await page(conn, columns=_DOSSIER, source="dossiers d", where=where, order_by="d.opened_at, d.product_id",
                      limit=f.limit, offset=f.offset)


async def dossier(conn: asyncpg.Connection, product_id: str) -> dict[str, Any] | None:
    row = await conn.fetchrow(f"SELECT {_DOSSIER} FROM dossiers d WHERE d.product_id = $1", product_id)
    return dict(row) if row else None
