"""Read side of decisions (quyết định): by number, by year, kind, issuing body and product."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import asyncpg

from shared.readmodels import Where, page


@dataclass(frozen=True)
class DecisionFilter:
    year: int | None = None
    kind: str | None = None
    body: str | None = None
    product_id: str | None = None
    limit: int = 50
    offset: int = 0
    district_code: str | None = None  # decisions covering products of this district (as their dossiers say), with how many


_COLUMNS = "x.number, x.year, x.body, x.kind, x.date, x.issued_by, x.session_id, x.products, x.recorded_at"


async def decisions(conn: asyncpg.Connection, f: DecisionFilter) -> dict[str, Any]:
    where = Where("x").equal(year=f.year, kind=f.kind, body=f.body)
    if f.product_id is not None:
        where.add("EXISTS (SELECT 1 FROM decision_products p WHERE p.decision_id = x.decision_id"
                  " AND p.product_id = ${})", f.product_id)
    columns = _COLUMNS
    if f.district_code is not None:
        of_district = ("FROM decision_products p JOIN dossiers d USING (product_id)"
                       " WHERE p.decision_id = x.decision_id AND d.district_code = ${}")
        where.add(f"EXISTS (SELECT 1 {of_district})", f.district_code)
        columns += f", (SELECT count(*) {of_district.replace('${}', f'${len(where.args)}')}) AS district_products"
    return await page(conn, columns=columns, source="decisions x", where=where, order_by="x.date, x.body, x.number",
                      limit=f.limit, offset=f.offset)


async def numbered(conn: asyncpg.Connection, number: str, year: int | None, body: str | None) -> list[dict[str, Any]]:
    """Every decision with this number (of ``year`` and ``body`` when given), each with the products it covers."""
    where = Where("x").equal(number=number, year=year, body=body)
    found = await conn.fetch(f"SELECT x.decision_id, {_COLUMNS} FROM decisions x{where.sql()} ORDER BY x.year, x.body",
                             *where.args)
    answers = []
    for row in found:
        covered = await conn.fetch(
            "SELECT p.product_id, p.outcome, p.stars, p.certificate_number, p.issued, p.inspection_id, p.reason,"
            " d.product_name, d.producer_name, d.district_code, d.commune_code"
            " FROM decision_products p LEFT JOIN dossiers d USING (product_id)"
            " WHERE p.decision_id = $1 ORDER BY p.position", row["decision_id"])
        answers.append({**{k: v for k, v in dict(row).items() if k != "decision_id"},
                        "entries": [dict(c) for c in covered]})
    return answers
