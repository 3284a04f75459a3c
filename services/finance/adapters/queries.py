"""Read side of finance's API: budgets, claims, recoveries, support items, a product's money, waiting claims."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from services.finance.domain.values import LineRef
from shared.readmodels import Where, page

# A claim with its product's names. Where a claim is: the district it was opened with, or, opened before finance heard
# the product's registration, the product's district as registration last said (the projection keeps it in
# ``claims.district``, so a district's claims are found by index rather than by joining every claim to its product).
CLAIMS = "claims c LEFT JOIN products p USING (product_id)"
DISTRICT = "c.district"
CLAIM = (f"c.claim_id, c.product_id, p.product_name, p.producer_name, {DISTRICT} AS district_code, c.evaluation_id,"
         " c.level, c.stars, c.cycle_year, c.certificate_number, c.decision_number, c.decision_date,"
         " c.decision_issued_by, c.amount, c.rule, c.flags, c.tariff, c.plan_year, c.line, c.source, c.status,"
         " c.requested, c.available, c.approval_decision, c.approved_on, c.approved_by, c.paid, c.recovered,"
         " c.held_from, c.hold_reason, c.hold_decision, c.hold_outcome, c.opened_at, c.updated_at")


async def waiting_claims(uow: Any, lines: Sequence[LineRef] | None) -> list[str]:
    """Claims waiting for budget on ``lines`` (None: any line), oldest first."""
    where = ""
    args: list[Any] = []
    if lines is not None:
        where = " AND (plan_year, line, source) IN (SELECT * FROM unnest($1::int[], $2::text[], $3::text[]))"
        args = [[r.plan_year for r in lines], [r.line for r in lines], [r.source for r in lines]]
    rows = await uow.connection.fetch(
        f"SELECT claim_id FROM claims WHERE status = 'waiting_for_budget'{where} ORDER BY opened_position", *args)
    return [r["claim_id"] for r in rows]


async def budgets(conn: asyncpg.Connection) -> list[dict[str, Any]]:
    return [dict(r) for r in await conn.fetch("SELECT * FROM budgets ORDER BY plan_year")]


@dataclass(frozen=True)
class ClaimFilter:
    plan_year: int | None = None
    district_code: str | None = None
    stars: int | None = None
    decision_number: str | None = None
    status: str | None = None
    product_id: str | None = None
    limit: int = 100
    offset: int = 0


def claim_filter(f: ClaimFilter) -> Where:
    where = Where("c").equal(plan_year=f.plan_year, stars=f.stars, decision_number=f.decision_number, status=f.status,
                             product_id=f.product_id)
    return in_district(where, f.district_code)


def in_district(where: Where, district_code: str | None) -> Where:
    """Claims ``c`` located in ``district_code``: the claim's ``district``, kept by the projection, is an index away."""
    return where if district_code is None else where.add(f"{DISTRICT} = ${{}}", district_code)


async def claims(conn: asyncpg.Connection, f: ClaimFilter) -> dict[str, Any]:
    return await page(conn, columns=CLAIM, source=CLAIMS, where=claim_filter(f), order_by="c.opened_position",
                      limit=f.limit, offset=f.offset)


async def claim(conn: asyncpg.Connection, claim_id: str) -> dict[str, Any] | None:
    row = await conn.fetchrow(f"SELECT {CLAIM} FROM {CLAIMS} WHERE c.claim_id = $1", claim_id)
    return dict(row) if row else None


async def recoveries(conn: asyncpg.Connection, status: str | None, product_id: str | None = None,
                     district_code: str | None = None) -> list[dict[str, Any]]:
    """Recoveries (of a status, a product, a district's products), each with its product's names and district."""
    where = in_district(Where("r").equal(status=status, product_id=product_id), district_code)
    rows = await conn.fetch(
        f"SELECT r.*, p.product_name, p.producer_name, {DISTRICT} AS district_code FROM recoveries r"
        f" JOIN claims c USING (claim_id) LEFT JOIN products p ON p.product_id = c.product_id{where.sql()}"
        " ORDER BY r.opened_at, r.recovery_id", *where.args)
    return [dict(r) for r in rows]


@dataclass(frozen=True)
class SupportFilter:
    product_id: str | None = None
    status: str | None = None
    plan_year: int | None = None
    limit: int = 100
    offset: int = 0


async def support_items(conn: asyncpg.Connection, f: SupportFilter) -> dict[str, Any]:
    where = Where("s").equal(product_id=f.product_id, status=f.status, plan_year=f.plan_year)
    return await page(conn, columns="s.*", source="support_items s", where=where,
                      order_by="s.proposed_on, s.item_id", limit=f.limit, offset=f.offset)


async def product_money(conn: asyncpg.Connection, product_id: str) -> dict[str, Any] | None:
    """Everything finance holds of a product's money: its claims, recoveries, support items and every fact, in order."""
    product = await conn.fetchrow("SELECT * FROM products WHERE product_id = $1", product_id)
    found = await claims(conn, ClaimFilter(product_id=product_id, limit=1000))
    support = await support_items(conn, SupportFilter(product_id=product_id, limit=1000))
    facts = await conn.fetch("SELECT event_type, reference, amount, on_date, summary, actor, recorded_at"
                             " FROM money_history WHERE product_id = $1 ORDER BY position", product_id)
    if product is None and not facts:
        return None
    return {"product_id": product_id, "product": dict(product) if product else None, "claims": found["items"],
            "recoveries": await recoveries(conn, None, product_id), "support_items": support["items"],
            "history": [dict(f) for f in facts]}
