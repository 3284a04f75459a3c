"""Read side of the API: rating dossiers by district, product set and cycle."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import asyncpg

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


def _where(f: DossierFilter) -> tuple[str, list[Any]]:
    clauses, args = [], []
    for column, value in (("district_code", f.district_code), ("product_set", f.product_set), ("cycle_year", f.cycle_year)):
        if value is not None:
            args.append(value)
            clauses.append(f"d.{column} = ${len(args)}")
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", args


async def list_dossiers(conn: asyncpg.Connection, f: DossierFilter) -> dict[str, Any]:
    where, args = _where(f)
    total = await conn.fetchval(f"SELECT count(*) FROM dossiers d{where}", *args)
    rows = await conn.fetch(
        f"SELECT {_DOSSIER} FROM dossiers d{where} ORDER BY d.opened_at, d.product_id"
        f" LIMIT ${len(args) + 1} OFFSET ${len(args) + 2}",
        *args, f.limit, f.offset,
    )
    return {"total": total, "items": [dict(r) for r in rows]}


async def dossier(conn: asyncpg.Connection, product_id: str) -> dict[str, Any] | None:
    row = await conn.fetchrow(f"SELECT {_DOSSIER} FROM dossiers d WHERE d.product_id = $1", product_id)
    return dict(row) if row else None
