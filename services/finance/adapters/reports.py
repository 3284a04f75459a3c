"""Reports of finance: budget execution as of a date, rewards grouped, one round's rewards (from the read models)."""

from __future__ import annotations

from datetime import date
from typing import Any

import asyncpg

from services.finance.adapters import queries
from services.finance.adapters.queries import CLAIMS, DISTRICT, in_district
from shared.readmodels import Where

# For each (line, source) of the plan year: the latest estimate and approved amounts set on or before the day, and
# the money moved on or before it.
_EXECUTION = """
WITH amounts AS (
    SELECT DISTINCT ON (line, source, kind) line, source, kind, amount
    FROM budget_amounts WHERE plan_year = $1 AND on_date <= $2
    ORDER BY line, source, kind, on_date DESC, position DESC
), moved AS (
    SELECT line, source, sum(reserved) AS reserved, sum(committed) AS committed, sum(disbursed) AS disbursed
    FROM line_movements WHERE plan_year = $1 AND on_date <= $2 GROUP BY line, source
), keys AS (SELECT line, source FROM amounts UNION SELECT line, source FROM moved)
SELECT k.line, k.source,
       coalesce((SELECT amount FROM amounts a WHERE (a.line, a.source, a.kind) = (k.line, k.source, 'estimate')), 0)
           AS estimated,
       coalesce((SELECT amount FROM amounts a WHERE (a.line, a.source, a.kind) = (k.line, k.source, 'approved')), 0)
           AS approved,
       coalesce(m.reserved, 0) AS reserved, coalesce(m.committed, 0) AS committed,
       coalesce(m.disbursed, 0) AS disbursed
FROM keys k LEFT JOIN moved m USING (line, source)
ORDER BY k.source, k.line
"""

_MONEY = ("estimated", "approved", "reserved", "committed", "disbursed", "remaining")


def _total(rows: list[dict[str, Any]], **key: Any) -> dict[str, Any]:
    return {**key, **{m: sum(r[m] for r in rows) for m in _MONEY}}


async def execution(conn: asyncpg.Connection, plan_year: int, as_of: date) -> dict[str, Any]:
    """Thực hiện dự toán: by line and source, with each source's and the year's totals; remaining = approved −
    reserved − committed − disbursed."""
    rows = [dict(r) for r in await conn.fetch(_EXECUTION, plan_year, as_of)]
    for row in rows:
        row["remaining"] = row["approved"] - row["reserved"] - row["committed"] - row["disbursed"]
    sources = sorted({r["source"] for r in rows})
    return {"plan_year": plan_year, "as_of": as_of, "lines": rows,
            "sources": [_total([r for r in rows if r["source"] == s], source=s) for s in sources],
            "total": _total(rows)}


_GROUPS = {"district": DISTRICT, "stars": "c.stars::text", "decision": "c.decision_number",
           "line": "c.line || ':' || c.source", "product": "c.product_id"}

_FIGURES = ("claimed", "approved", "paid", "waiting", "on_hold", "recovered")

# Money of the claims of each group: claimed (not cancelled), approved (and not cancelled before payment), paid,
# waiting for budget, on hold, paid back.
_TOTALS = """
SELECT {key} AS key, count(*) AS claims,
       coalesce(sum(c.amount) FILTER (WHERE c.status <> 'cancelled'), 0) AS claimed,
       coalesce(sum(c.amount) FILTER (WHERE c.approved_on IS NOT NULL AND c.status <> 'cancelled'), 0) AS approved,
       coalesce(sum(c.paid), 0) AS paid,
       coalesce(sum(c.amount) FILTER (WHERE c.status = 'waiting_for_budget'), 0) AS waiting,
       coalesce(sum(c.amount - c.paid) FILTER (WHERE c.status = 'on_hold'), 0) AS on_hold,
       coalesce(sum(c.recovered), 0) AS recovered
FROM {source}{where}
GROUP BY 1 ORDER BY 1
"""


async def reward_totals(conn: asyncpg.Connection, by: str, plan_year: int | None, district_code: str | None = None,
                        product_id: str | None = None) -> list[dict[str, Any]]:
    # Only the filters given: "$n IS NULL OR …" would make PostgreSQL plan for any value, a scan of every claim.
    where = in_district(Where("c").equal(plan_year=plan_year, product_id=product_id), district_code)
    rows = await conn.fetch(_TOTALS.format(key=_GROUPS[by], source=CLAIMS, where=where.sql()), *where.args)
    return [dict(r) for r in rows]


async def product_money(conn: asyncpg.Connection, product_id: str) -> dict[str, Any] | None:
    """A product's money history with the totals of its claims, counted as every reward total counts them."""
    found = await queries.product_money(conn, product_id)
    if found is None:
        return None
    [totals] = await reward_totals(conn, "product", None, product_id=product_id) or [
        {"key": product_id, "claims": 0, **dict.fromkeys(_FIGURES, 0)}]
    return {**found, "totals": totals}


async def round_rewards(conn: asyncpg.Connection, decision_number: str) -> dict[str, Any] | None:
    """One round (đợt) as its recognition decision names it: every recognition it made and what each earned."""
    rows = await conn.fetch(
        "SELECT r.product_id, p.product_name, p.producer_name,"
        " coalesce(nullif(r.district_code, ''), p.district_code, '') AS district_code, r.level, r.stars,"
        " r.cycle_year, r.decision_date, r.issued_by, r.claim_id, r.amount, r.rule, r.flags,"
        " c.status, coalesce(c.paid, 0) AS paid, c.plan_year, c.line, c.source"
        " FROM recognitions r LEFT JOIN products p USING (product_id) LEFT JOIN claims c USING (claim_id)"
        " WHERE r.decision_number = $1 ORDER BY r.stars DESC, 4, p.product_name, r.product_id", decision_number)
    if not rows:
        return None
    first = rows[0]
    return {"decision_number": decision_number, "decision_date": first["decision_date"],
            "issued_by": first["issued_by"], "level": first["level"], "rewards": [dict(r) for r in rows]}
