"""Read side of the API: rating dossiers by district, product set and cycle."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import asyncpg

from shared.readmodels import Where, page
from shared.uow import UnitOfWork

_DOSSIER = (
    "d.product_id, d.product_name, d.product_set, d.sector, d.product_group, d.producer_id, d.producer_name,"
    " d.legal_form, d.district_code, d.commune_code, d.cycle_year, d.first_registration_id, d.latest_registration_id,"
    " d.registrations, d.sheet_id, d.sheet_provisional, d.status, d.stage, d.session_id, d.stars, d.certificate_number,"
    " d.under_review_inspection, d.version, d.opened_at, d.updated_at"
)


@dataclass(frozen=True)
class DossierFilter:
    district_code: str | None = None
    product_set: int | None = None
    cycle_year: int | None = None
    status: str | None = None
    stage: str | None = None
    limit: int = 50
    offset: int = 0


async def list_dossiers(conn: asyncpg.Connection, f: DossierFilter) -> dict[str, Any]:
    where = Where("d").equal(district_code=f.district_code, product_set=f.product_set, cycle_year=f.cycle_year,
                             status=f.status, stage=f.stage)
    return await page(conn, columns=_DOSSIER, source="dossiers d", where=where, order_by="d.opened_at, d.product_id",
                      limit=f.limit, offset=f.offset)


async def dossier_counts(conn: asyncpg.Connection, cycle_year: int | None, district_code: str | None) -> dict[str, Any]:
    where = Where("d").equal(cycle_year=cycle_year, district_code=district_code)
    rows = await conn.fetch(f"SELECT d.district_code, d.status, count(*) AS n FROM dossiers d{where.sql()}"
                            " GROUP BY 1, 2 ORDER BY 1, 2", *where.args)
    by_district: dict[str, dict[str, int]] = {}
    for row in rows:
        by_district.setdefault(row["district_code"], {})[row["status"]] = row["n"]
    return {"total": sum(row["n"] for row in rows), "by_district": by_district}


async def dossier(conn: asyncpg.Connection, product_id: str) -> dict[str, Any] | None:
    row = await conn.fetchrow(f"SELECT {_DOSSIER} FROM dossiers d WHERE d.product_id = $1", product_id)
    return dict(row) if row else None


# ------------------------------------------------------------------------------------------- councils and sessions


async def councils(conn: asyncpg.Connection, level: str | None) -> list[dict[str, Any]]:
    where = Where("c").equal(level=level)
    rows = await conn.fetch(f"SELECT c.* FROM councils c{where.sql()} ORDER BY c.level, c.district_code NULLS FIRST",
                            *where.args)
    return [dict(r) for r in rows]


async def council(conn: asyncpg.Connection, council_id: str) -> dict[str, Any] | None:
    row = await conn.fetchrow("SELECT * FROM councils WHERE council_id = $1", council_id)
    return dict(row) if row else None


@dataclass(frozen=True)
class SessionFilter:
    level: str | None = None
    district_code: str | None = None
    cycle_year: int | None = None
    status: str | None = None
    limit: int = 50
    offset: int = 0
    examined_district: str | None = None  # sessions that examined products of this district, with how many


async def sessions(conn: asyncpg.Connection, f: SessionFilter) -> dict[str, Any]:
    where = Where("s").equal(level=f.level, district_code=f.district_code, cycle_year=f.cycle_year, status=f.status)
    columns = "s.*"
    if f.examined_district is not None:
        of_district = "FROM session_products p WHERE p.session_id = s.session_id AND p.district_code = ${}"
        where.add(f"EXISTS (SELECT 1 {of_district})", f.examined_district)
        columns += f", (SELECT count(*) {of_district.replace('${}', f'${len(where.args)}')}) AS examined_in_district"
    return await page(conn, columns=columns, source="sessions s", where=where, order_by="s.held_on, s.session_id",
                      limit=f.limit, offset=f.offset)


async def session(conn: asyncpg.Connection, session_id: str) -> dict[str, Any] | None:
    row = await conn.fetchrow("SELECT * FROM sessions WHERE session_id = $1", session_id)
    if row is None:
        return None
    products = await conn.fetch("SELECT * FROM session_products WHERE session_id = $1 ORDER BY position", session_id)
    return {**dict(row), "examined": [dict(p) for p in products]}


async def session_results(conn: asyncpg.Connection, session_id: str) -> list[dict[str, Any]]:
    """The results table: best mean first, products without a result (not finalised) last."""
    rows = await conn.fetch(
        "SELECT p.product_id, p.product_name, d.producer_name, p.district_code, d.commune_code, p.product_set,"
        " p.purpose, p.scorecards, p.average_score, p.mean, p.band_stars, p.stars, p.spread, p.unmet_minimums,"
        " p.outcome, p.outcome_stars, p.certificate_number, p.finalised_on, p.open_reason"
        " FROM session_products p LEFT JOIN dossiers d USING (product_id) WHERE p.session_id = $1"
        " ORDER BY p.average_score DESC NULLS LAST, p.position", session_id)
    return [dict(r) for r in rows]


# ------------------------------------------------------------------------------------------- a product's history


async def rating_history(conn: asyncpg.Connection, product_id: str) -> dict[str, Any] | None:
    found = await dossier(conn, product_id)
    if found is None:
        return None
    attempts = await conn.fetch(
        "SELECT s.session_id, s.level, s.cycle_year, s.round, s.title, s.held_on, s.status AS session_status,"
        " s.decision, p.evaluation_id, p.purpose, p.average_score, p.mean, p.band_stars, p.stars, p.spread,"
        " p.unmet_minimums, p.outcome, p.outcome_stars, p.certificate_number, p.finalised_on, p.open_reason"
        " FROM session_products p JOIN sessions s USING (session_id) WHERE p.product_id = $1"
        " ORDER BY s.held_on, s.session_id", product_id)
    cards = await conn.fetch("SELECT * FROM scorecards WHERE product_id = $1 ORDER BY session_id, member_id, version",
                             product_id)
    history = await conn.fetch("SELECT version, event_type, status, summary, actor, recorded_at FROM dossier_history"
                               " WHERE product_id = $1 ORDER BY version", product_id)
    certificates = await conn.fetch("SELECT * FROM certificates WHERE product_id = $1 ORDER BY valid_from", product_id)
    by_session: dict[str, list[dict[str, Any]]] = {}
    for card in cards:
        by_session.setdefault(card["session_id"], []).append(dict(card))
    return {
        "dossier": found,
        "attempts": [{**dict(a), "scorecards": by_session.get(a["session_id"], [])} for a in attempts],
        "certificates": [dict(c) for c in certificates],
        "events": [dict(h) for h in history],
    }


# ------------------------------------------------------------------------------------------- certificates


@dataclass(frozen=True)
class CertificateFilter:
    as_of: date
    district_code: str | None = None
    product_set: int | None = None
    stars: int | None = None
    limit: int = 100
    offset: int = 0


_CERTIFICATE = ("c.number, c.product_id, c.product_name, c.district_code, c.product_set, c.stars, c.level,"
                " c.valid_from, c.valid_until, c.evaluation_id, c.average_score, c.decision, c.status, c.ended_on,"
                " c.under_review_inspection, (c.under_review_inspection IS NOT NULL) AS under_review")


def _held_on(where: Where, on: date) -> Where:
    """Valid on ``on``: issued by then, not past its last valid day, not ended (superseded, revoked…) by then."""
    where.add("c.valid_from <= ${}", on)
    where.clauses.append(f"c.valid_until >= ${len(where.args)}")
    where.clauses.append(f"(c.ended_on IS NULL OR c.ended_on > ${len(where.args)})")
    return where


async def certified(conn: asyncpg.Connection, f: CertificateFilter) -> dict[str, Any]:
    where = _held_on(Where("c"), f.as_of).equal(district_code=f.district_code, product_set=f.product_set, stars=f.stars)
    # key: the page's numbers come from an index that also holds the validity dates (migration 008), so the
    # certificates no longer held on the day are skipped there, not fetched one by one.
    return await page(conn, columns=_CERTIFICATE, source="certificates c", where=where,
                      order_by="c.stars DESC, c.district_code, c.product_name, c.number", limit=f.limit, offset=f.offset,
                      key="c.number")


async def certificate_counts(conn: asyncpg.Connection, as_of: date, district_code: str | None) -> dict[str, Any]:
    """Certificates held on ``as_of``, counted in all and by star, product set and district in one scan."""
    where = _held_on(Where("c"), as_of).equal(district_code=district_code)
    rows = await conn.fetch(
        "SELECT c.stars, c.product_set, c.district_code, count(*) AS n FROM certificates c"
        f"{where.sql()}"
        " GROUP BY GROUPING SETS ((), (c.stars), (c.product_set), (c.district_code))", *where.args)
    counts: dict[str, Any] = {"total": 0, "by_stars": {}, "by_product_set": {}, "by_district": {}}
    for row in rows:
        if row["stars"] is not None:
            counts["by_stars"][row["stars"]] = row["n"]
        elif row["product_set"] is not None:
            counts["by_product_set"][row["product_set"]] = row["n"]
        elif row["district_code"] is not None:
            counts["by_district"][row["district_code"]] = row["n"]
        else:
            counts["total"] = row["n"]
    return counts


async def expiring(conn: asyncpg.Connection, as_of: date, within_days: int, limit: int, offset: int) -> dict[str, Any]:
    """Held certificates whose last valid day falls within the next ``within_days`` days (soonest first)."""
    where = _held_on(Where("c"), as_of).add("c.valid_until <= ${}", as_of + timedelta(days=within_days))
    return await page(conn, columns=_CERTIFICATE + ", (c.valid_until - $1::date) AS days_left", source="certificates c",
                      where=where, order_by="c.valid_until, c.number", limit=limit, offset=offset)


@dataclass(frozen=True)
class EndedFilter:
    """Certificates that ended from ``since`` (if given) to ``until``, both included."""

    until: date
    since: date | None = None
    district_code: str | None = None
    product_set: int | None = None
    reason: str | None = None
    limit: int = 100
    offset: int = 0


# An ended certificate: superseded, withdrawn, revoked or expired on ``ended_on``; or held past its last valid day and
# not yet reported by the expiry check, ended on ``lapses_on`` (the first day it no longer holds) all the same.
_ENDED = (
    "(SELECT c.number, c.product_id, c.product_name, d.producer_name, c.district_code, d.commune_code, c.product_set,"
    " c.stars, c.level, c.valid_from, c.valid_until, c.decision, c.average_score,"
    " CASE WHEN c.status = 'valid' THEN 'expired' ELSE c.status END AS reason,"
    " coalesce(c.ended_on, c.lapses_on) AS ended_on, c.status <> 'valid' AS reported, c.ended_by, c.superseded_by,"
    " c.end_note FROM certificates c JOIN dossiers d USING (product_id)"
    " WHERE c.status <> 'valid' OR c.lapses_on <= $1) e"
)


async def ended(conn: asyncpg.Connection, f: EndedFilter) -> dict[str, Any]:
    """Certificates whose logo use had to stop within the period: why, from which day, by which decision."""
    where = Where("e")
    where.args.append(f.until)  # $1, the unreported expiries' horizon in _ENDED
    where.clauses.append("e.ended_on <= $1")
    if f.since is not None:
        where.add("e.ended_on >= ${}", f.since)
    where.equal(district_code=f.district_code, product_set=f.product_set, reason=f.reason)
    return await page(conn, columns="e.*", source=_ENDED, where=where, order_by="e.ended_on, e.number",
                      limit=f.limit, offset=f.offset)


async def past_validity(uow: UnitOfWork, as_of: date) -> list[str]:
    """Products whose held certificate's last valid day is before ``as_of`` (candidates for the expiry check), read
    in the check's own transaction."""
    rows = await uow.connection.fetch("SELECT product_id FROM certificates WHERE status = 'valid' AND valid_until < $1"
                            " ORDER BY valid_until, product_id", as_of)
    return [r["product_id"] for r in rows]
