"""Read models of monitoring, written in the transaction that stores the events.

Each writer applies one typed fact and decides nothing itself: the register's certificate periods are the ones
``certificates.follow`` (the domain's one rule) derives from the periods already projected and the rating heard,
stored with their last day in force, so a query asks "in force on D" of stored dates.
"""

from __future__ import annotations

import json

import asyncpg
from pydantic_core import to_jsonable_python

from services.monitoring.domain import events as ev
from services.monitoring.domain.certificates import CertificatePeriod, follow
from shared.events import Recorded
from shared.projections import EventWriters, memo_of

# ------------------------------------------------------------------------------------------- register


async def _product(conn: asyncpg.Connection, r: Recorded) -> None:
    p = r.event.product
    await conn.execute(
        "INSERT INTO register_products (product_id, registration_id, cycle_year, name, product_set, district_code,"
        " commune_code, producer_id, producer_name, noted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        " ON CONFLICT (product_id) DO UPDATE SET registration_id = $2, cycle_year = $3, name = $4, product_set = $5,"
        " district_code = $6, commune_code = $7, producer_id = $8, producer_name = $9, noted_at = $10",
        r.stream_id, p.registration_id, p.cycle_year, p.name, p.product_set, p.district_code, p.commune_code,
        p.producer_id, p.producer_name, r.recorded_at)
    await conn.execute(
        "INSERT INTO register_registrations (product_id, registration_id, cycle_year, district_code)"
        " VALUES ($1, $2, $3, $4) ON CONFLICT (product_id, registration_id) DO UPDATE SET cycle_year = $3,"
        " district_code = $4", r.stream_id, p.registration_id, p.cycle_year, p.district_code)
    # The register's certificate periods carry the product's district and set (the register filters on them by index).
    # A fresh rebuild knows which products have periods (usually none yet: a product is registered before it is
    # rated) and skips the statement for the others.
    memo = memo_of(conn)
    if memo is None or not memo.complete or memo.get(("register_certificates", r.stream_id)):
        await conn.execute("UPDATE register_certificates SET district_code = $2, product_set = $3"
                           " WHERE product_id = $1", r.stream_id, p.district_code, p.product_set)


async def _periods(conn: asyncpg.Connection, product_id: str) -> tuple[CertificatePeriod, ...]:
    memo = memo_of(conn)  # a rebuild keeps the periods it wrote: reading them back would wait for every write sent
    if memo is not None and (("register_certificates", product_id) in memo or memo.complete):
        return memo.get(("register_certificates", product_id), ())
    rows = await conn.fetch("SELECT number, stars, level, valid_from, valid_until, ends_on, ended_by"
                            " FROM register_certificates WHERE product_id = $1 ORDER BY seq", product_id)
    return tuple(CertificatePeriod(**dict(row)) for row in rows)


async def _rating(conn: asyncpg.Connection, r: Recorded) -> None:
    g = r.event.rating
    d, c = g.decision, g.certificate
    await conn.execute(
        "INSERT INTO register_ratings (product_id, version, evaluation_id, cycle_year, level, status, stars,"
        " decision_number, decision_date, decision_issued_by, certificate_number, certificate_valid_from,"
        " certificate_valid_until, reason, inspection_id, noted_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        r.stream_id, r.version, g.evaluation_id, g.cycle_year, g.level, g.status, g.stars,
        d.number if d else None, d.date if d else None, d.issued_by if d else None,
        c.number if c else None, c.valid_from if c else None, c.valid_until if c else None, g.reason,
        g.inspection_id, r.recorded_at)
    periods = follow(await _periods(conn, r.stream_id), g)
    if (memo := memo_of(conn)) is not None:
        memo.keep(("register_certificates", r.stream_id), periods)
    await conn.execute("DELETE FROM register_certificates WHERE product_id = $1", r.stream_id)
    await conn.executemany(
        "INSERT INTO register_certificates (product_id, seq, number, stars, level, valid_from, valid_until, ends_on,"
        " ended_by, last_day, district_code, product_set) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"
        # Read on the server, in statement order: a rebuild's batched writes need no round trip for it.
        " (SELECT district_code FROM register_products WHERE product_id = $1),"
        " (SELECT product_set FROM register_products WHERE product_id = $1))",
        [(r.stream_id, seq, p.number, p.stars, p.level, p.valid_from, p.valid_until, p.ends_on, p.ended_by,
          p.last_day) for seq, p in enumerate(periods)])


async def _reward(conn: asyncpg.Connection, r: Recorded) -> None:
    w = r.event.reward
    await conn.execute(
        "INSERT INTO register_rewards (reward_id, product_id, plan_year, level, stars, amount_vnd, decision_number,"
        " decided_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (reward_id) DO UPDATE SET product_id = $2,"
        " plan_year = $3, level = $4, stars = $5, amount_vnd = $6, decision_number = $7, decided_on = $8",
        w.reward_id, r.stream_id, w.plan_year, w.level, w.stars, w.amount_vnd, w.decision_number, w.decided_on)


# ------------------------------------------------------------------------------------------- inspections


def _json(value: object) -> str | None:
    return None if value is None else json.dumps(to_jsonable_python(value), ensure_ascii=False)


async def _planned(conn: asyncpg.Connection, r: Recorded) -> None:
    e: ev.InspectionPlanned = r.event  # type: ignore[assignment]
    await conn.execute(
        "INSERT INTO inspection_plans (plan_id, kind, planner_kind, planner_name, planner_code, title, planned_on,"
        " due_on, planned_by, planned_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10)",
        e.plan_id, e.kind, e.planner.kind, e.planner.name, e.planner.code, e.title, e.planned_on, e.due_on,
        _json(r.actor), r.recorded_at)
    await conn.executemany("INSERT INTO plan_products (plan_id, product_id, position) VALUES ($1, $2, $3)",
                           [(e.plan_id, p, i) for i, p in enumerate(e.product_ids)])


async def _plan_inspected(conn: asyncpg.Connection, r: Recorded) -> None:
    e: ev.PlannedProductInspected = r.event  # type: ignore[assignment]
    await conn.execute("UPDATE plan_products SET inspection_id = $3, inspected_on = $4, passed = $5"
                       " WHERE plan_id = $1 AND product_id = $2",
                       r.stream_id, e.product_id, e.inspection_id, e.inspected_on, e.passed)


async def _plan_dropped(conn: asyncpg.Connection, r: Recorded) -> None:
    e: ev.PlannedProductDropped = r.event  # type: ignore[assignment]
    await conn.execute("UPDATE plan_products SET dropped_on = $3, drop_reason = $4"
                       " WHERE plan_id = $1 AND product_id = $2",
                       r.stream_id, e.product_id, e.dropped_on, e.reason)


async def _concluded(conn: asyncpg.Connection, r: Recorded) -> None:
    e: ev.InspectionConcluded = r.event  # type: ignore[assignment]
    failed = isinstance(e, ev.ProductFailedInspection)
    await conn.execute(
        "INSERT INTO inspections (inspection_id, product_id, plan_id, certificate_number, inspected_on, body_kind,"
        " body_name, body_code, inspectors, findings, severity, result, recommended_action, correlation_id,"
        " recorded_by, recorded_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12, $13, $14, $15::jsonb, $16)",
        e.inspection_id, e.product_id, e.plan_id, e.certificate_number, e.inspected_on, e.body.kind, e.body.name,
        e.body.code, list(e.inspectors), _json(e.findings), e.severity, "failed" if failed else "passed",
        e.recommended_action if failed else None, e.correlation_id, _json(r.actor), r.recorded_at)


async def _closed(conn: asyncpg.Connection, r: Recorded) -> None:
    e: ev.FollowUpClosed = r.event  # type: ignore[assignment]
    await conn.execute(
        "UPDATE inspections SET closed_outcome = $2, closed_on = $3, closed_evaluation_id = $4, closed_stars = $5,"
        " closed_decision_number = $6, closed_reason = $7 WHERE inspection_id = $1",
        e.inspection_id, e.outcome, e.decided_on, e.evaluation_id, e.stars, e.decision_number, e.reason)


# ------------------------------------------------------------------------------------------- reports


async def _filed(conn: asyncpg.Connection, r: Recorded) -> None:
    e: ev.ReportFiled = r.event  # type: ignore[assignment]
    await conn.execute(
        "INSERT INTO district_reports (report_id, plan_year, district_code, kind, filed_on, first_document_ref,"
        " document_ref, filed_by, filed_at) VALUES ($1, $2, $3, $4, $5, $6, $6, $7::jsonb, $8)",
        r.stream_id, e.plan_year, e.district_code, e.kind, e.filed_on, e.document_ref, _json(r.actor), r.recorded_at)


async def _amended(conn: asyncpg.Connection, r: Recorded) -> None:
    e: ev.ReportAmended = r.event  # type: ignore[assignment]
    await conn.execute("UPDATE district_reports SET document_ref = $2, last_amended_on = $3,"
                       " amendments = amendments + 1 WHERE report_id = $1", r.stream_id, e.document_ref, e.amended_on)


class MonitoringProjection(EventWriters):
    name = "monitoring"
    tables = ("register_products", "register_registrations", "register_ratings", "register_certificates",
              "register_rewards", "inspection_plans", "plan_products", "inspections", "district_reports")
    writers = {
        ev.ProductNoted: _product,
        ev.RatingNoted: _rating,
        ev.RewardNoted: _reward,
        ev.InspectionPlanned: _planned,
        ev.PlannedProductInspected: _plan_inspected,
        ev.PlannedProductDropped: _plan_dropped,
        ev.ProductPassedInspection: _concluded,
        ev.ProductFailedInspection: _concluded,
        ev.FollowUpClosed: _closed,
        ev.ReportFiled: _filed,
        ev.ReportAmended: _amended,
    }
