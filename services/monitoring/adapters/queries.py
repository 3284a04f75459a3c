"""Read side of monitoring: the register, inspections and plans, filings and the figures a district report carries.

Rows only; how a follow-up, a plan or a report stands as of a date is the domain's to say (``application.reading``).
A product's district is joined from ``register_products`` (``unknown`` until its ProductRegistered is heard).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import asyncpg

from services.monitoring.domain.achievements import UNKNOWN_DISTRICT
from shared.readmodels import Where, page

_DISTRICT = f"coalesce(p.district_code, '{UNKNOWN_DISTRICT}')"
_BY_DISTRICT = "LEFT JOIN register_products p USING (product_id)"


async def open_follow_ups(uow: Any, product_id: str) -> list[str]:
    """The product's failed inspections whose follow-up has not closed (the port an expiry closes them through)."""
    rows = await uow.connection.fetch("SELECT inspection_id FROM inspections WHERE product_id = $1"
                                      " AND result = 'failed' AND closed_on IS NULL ORDER BY inspected_on,"
                                      " inspection_id", product_id)
    return [row["inspection_id"] for row in rows]


# ------------------------------------------------------------------------------------------- register

_HELD = (
    "c.product_id, p.name AS product_name, p.district_code, p.product_set, p.producer_name, c.number AS"
    " certificate_number, c.stars, c.level, c.valid_from, c.valid_until, c.last_day"
)


@dataclass(frozen=True)
class RegisterFilter:
    as_of: date
    district_code: str | None = None
    product_set: int | None = None
    stars: int | None = None
    within_days: int | None = None
    """Only certificates whose last day in force is at most this many days after ``as_of``."""
    limit: int = 50
    offset: int = 0


async def in_force(conn: asyncpg.Connection, f: RegisterFilter) -> dict[str, Any]:
    """Certificates in force on ``as_of`` (valid from then, last day in force not before), with their products."""
    where = Where("c").add("c.valid_from <= ${}", f.as_of).add("c.last_day >= ${}", f.as_of)
    where.equal(stars=f.stars)
    # The period's own copy of its product's district and set (as the joined product's; NULL before it is heard):
    # an index serves the filter, which the joined table's column could not.
    if f.district_code is not None:
        where.add("c.district_code = ${}", f.district_code)
    if f.product_set is not None:
        where.add("c.product_set = ${}", f.product_set)
    if f.within_days is not None:
        where.add("c.last_day <= ${}", f.as_of + timedelta(days=f.within_days))
    return await page(conn, columns=_HELD, source=f"register_certificates c {_BY_DISTRICT}", where=where,
                      order_by="c.last_day, c.product_id", limit=f.limit, offset=f.offset)


async def register_entry(conn: asyncpg.Connection, product_id: str) -> dict[str, Any] | None:
    """One product as the register heard it: its facts, certificate periods, ratings and rewards (None: unheard)."""
    product = await conn.fetchrow("SELECT * FROM register_products WHERE product_id = $1", product_id)
    periods = await conn.fetch("SELECT number, stars, level, valid_from, valid_until, ends_on, ended_by, last_day"
                               " FROM register_certificates WHERE product_id = $1 ORDER BY seq", product_id)
    ratings = await conn.fetch("SELECT * FROM register_ratings WHERE product_id = $1 ORDER BY version", product_id)
    rewards = await conn.fetch("SELECT * FROM register_rewards WHERE product_id = $1 ORDER BY decided_on, reward_id",
                               product_id)
    if product is None and not ratings and not rewards:
        return None
    return {"product_id": product_id, "product": dict(product) if product else None,
            "certificates": [dict(r) for r in periods], "ratings": [dict(r) for r in ratings],
            "rewards": [dict(r) for r in rewards]}


# ------------------------------------------------------------------------------------------- inspections

_INSPECTION = f"i.*, {_DISTRICT} AS district_code, p.name AS product_name"
_INSPECTIONS = f"inspections i {_BY_DISTRICT}"


@dataclass(frozen=True)
class InspectionFilter:
    product_id: str | None = None
    plan_id: str | None = None
    result: str | None = None
    district_code: str | None = None
    limit: int = 50
    offset: int = 0


def _inspection_where(product_id: str | None = None, district_code: str | None = None) -> Where:
    where = Where("i").equal(product_id=product_id)
    if district_code is not None:
        where.add(f"{_DISTRICT} = ${{}}", district_code)
    return where


async def inspections(conn: asyncpg.Connection, f: InspectionFilter) -> dict[str, Any]:
    where = _inspection_where(f.product_id, f.district_code).equal(plan_id=f.plan_id, result=f.result)
    return await page(conn, columns=_INSPECTION, source=_INSPECTIONS, where=where,
                      order_by="i.inspected_on, i.inspection_id", limit=f.limit, offset=f.offset)


async def inspection(conn: asyncpg.Connection, inspection_id: str) -> dict[str, Any] | None:
    row = await conn.fetchrow(f"SELECT {_INSPECTION} FROM {_INSPECTIONS} WHERE i.inspection_id = $1", inspection_id)
    return dict(row) if row else None


async def failures(conn: asyncpg.Connection, *, product_id: str | None, district_code: str | None,
                   certificates: list[str] | None = None) -> list[dict[str, Any]]:
    """Every failed inspection (of a product, a district or some certificates), oldest first, with its closing."""
    where = _inspection_where(product_id, district_code).add("i.result = ${}", "failed")
    if certificates is not None:
        where.add("i.certificate_number = ANY(${}::text[])", certificates)
    rows = await conn.fetch(f"SELECT {_INSPECTION} FROM {_INSPECTIONS}{where.sql()}"
                            " ORDER BY i.inspected_on, i.inspection_id", *where.args)
    return [dict(r) for r in rows]


@dataclass(frozen=True)
class PlanFilter:
    planner_kind: str | None = None
    planner_code: str | None = None
    product_id: str | None = None
    limit: int = 50
    offset: int = 0


async def plan_ids(conn: asyncpg.Connection, f: PlanFilter) -> dict[str, Any]:
    where = Where("l").equal(planner_kind=f.planner_kind, planner_code=f.planner_code)
    if f.product_id is not None:
        where.add("EXISTS (SELECT 1 FROM plan_products pp WHERE pp.plan_id = l.plan_id AND pp.product_id = ${})",
                  f.product_id)
    return await page(conn, columns="l.plan_id", source="inspection_plans l", where=where,
                      order_by="l.due_on, l.plan_id", limit=f.limit, offset=f.offset)


# ------------------------------------------------------------------------------------------- reports and figures


async def filings(conn: asyncpg.Connection, plan_year: int) -> list[dict[str, Any]]:
    rows = await conn.fetch("SELECT * FROM district_reports WHERE plan_year = $1", plan_year)
    return [dict(r) for r in rows]


async def ratings_of_year(conn: asyncpg.Connection, plan_year: int) -> list[dict[str, Any]]:
    """Every ProductRated of the cycle, per product in the order heard, with the product's district."""
    rows = await conn.fetch(f"SELECT r.*, p.district_code FROM register_ratings r {_BY_DISTRICT}"
                            " WHERE r.cycle_year = $1 ORDER BY r.product_id, r.version", plan_year)
    return [dict(r) for r in rows]


async def _by_district(conn: asyncpg.Connection, sql: str, *args: Any) -> dict[str, dict[str, Any]]:
    return {row["district"]: dict(row) for row in await conn.fetch(sql, *args)}


async def figures(conn: asyncpg.Connection, plan_year: int, as_of: date) -> dict[str, dict[str, dict[str, Any]]]:
    """figure → district → its row: registrations sent and rewards approved in the plan year, certificates in force
    on ``as_of``, inspections (and failures) of the plan year up to ``as_of``."""
    return {
        "registrations_sent": await _by_district(
            conn, "SELECT district_code AS district, count(DISTINCT registration_id) AS n FROM register_registrations"
            " WHERE cycle_year = $1 GROUP BY district_code", plan_year),
        "certificates_in_force": await _by_district(
            conn, f"SELECT {_DISTRICT} AS district, count(*) AS n FROM register_certificates c {_BY_DISTRICT}"
            f" WHERE c.valid_from <= $1 AND c.last_day >= $1 GROUP BY {_DISTRICT}", as_of),
        "inspections": await _by_district(
            conn, f"SELECT {_DISTRICT} AS district, count(*) AS n, count(*) FILTER (WHERE i.result = 'failed')"
            f" AS failed FROM inspections i {_BY_DISTRICT} WHERE i.inspected_on BETWEEN $1 AND $2"
            f" GROUP BY {_DISTRICT}", date(plan_year, 1, 1), min(as_of, date(plan_year, 12, 31))),
        "rewards_approved": await _by_district(
            conn, f"SELECT {_DISTRICT} AS district, count(*) AS n, sum(w.amount_vnd) AS amount FROM register_rewards w"
            f" {_BY_DISTRICT} WHERE w.plan_year = $1 GROUP BY {_DISTRICT}", plan_year),
    }
