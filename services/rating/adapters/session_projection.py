"""Read models of councils, sessions and scorecards (written in the transaction that stores the events)."""

from __future__ import annotations

import asyncpg

from shared.eventstore import StoredEvent


async def council_formed(conn: asyncpg.Connection, e: StoredEvent) -> None:
    d = e.data
    await conn.execute(
        "INSERT INTO councils (council_id, level, district_code, name, members, version, updated_at)"
        " VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7)",
        e.stream_id, d["level"], d["district_code"], d["name"], d["members"], e.version, e.recorded_at)


async def member_appointed(conn: asyncpg.Connection, e: StoredEvent) -> None:
    await conn.execute(
        "UPDATE councils SET members = members || $2::jsonb, version = $3, updated_at = $4 WHERE council_id = $1",
        e.stream_id, [e.data["member"]], e.version, e.recorded_at)


async def member_withdrawn(conn: asyncpg.Connection, e: StoredEvent) -> None:
    await conn.execute(
        "UPDATE councils SET version = $3, updated_at = $4, members = (SELECT coalesce(jsonb_agg(m), '[]'::jsonb)"
        " FROM jsonb_array_elements(members) m WHERE m->>'member_id' <> $2) WHERE council_id = $1",
        e.stream_id, e.data["member_id"], e.version, e.recorded_at)


async def session_opened(conn: asyncpg.Connection, e: StoredEvent) -> None:
    d = e.data
    await conn.execute(
        "INSERT INTO sessions (session_id, council_id, level, district_code, cycle_year, round, title, held_on,"
        " chair_id, members, status, version, opened_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text::date, $9, $10::jsonb, 'open', $11, $12)",
        e.stream_id, d["council_id"], d["level"], d["district_code"], d["cycle_year"], d["round"], d["title"],
        d["held_on"], d["chair_id"], d["members"], e.version, e.recorded_at)


async def product_examined(conn: asyncpg.Connection, e: StoredEvent) -> None:
    d = e.data
    await conn.execute(
        "WITH s AS (UPDATE sessions SET products = products + 1, version = $9 WHERE session_id = $1 RETURNING products)"
        " INSERT INTO session_products (session_id, product_id, evaluation_id, product_name, product_set,"
        " district_code, purpose, held_stars, position) SELECT $1, $2, $3, $4, $5, $6, $7, $8, s.products FROM s",
        e.stream_id, d["product_id"], d["evaluation_id"], d["product_name"], d["product_set"], d["district_code"],
        d["purpose"], d["held_stars"], e.version)


async def product_withdrawn(conn: asyncpg.Connection, e: StoredEvent) -> None:
    await conn.execute("UPDATE session_products SET outcome = 'withdrawn' WHERE session_id = $1 AND product_id = $2",
                       e.stream_id, e.data["product_id"])
    await conn.execute("UPDATE sessions SET products = products - 1, version = $2 WHERE session_id = $1",
                       e.stream_id, e.version)


async def scorecard_submitted(conn: asyncpg.Connection, e: StoredEvent) -> None:
    d = e.data
    await conn.execute(
        "INSERT INTO scorecards (session_id, product_id, member_id, version, choices, total, note, actor, submitted_at)"
        " VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8::jsonb, $9)",
        e.stream_id, d["product_id"], d["member_id"], d["version"], d["choices"], d["total"], d["note"],
        e.metadata.get("actor"), e.recorded_at)
    if d["version"] == 1:
        await conn.execute("UPDATE session_products SET scorecards = scorecards + 1 WHERE session_id = $1 AND product_id = $2",
                           e.stream_id, d["product_id"])
    await conn.execute("UPDATE sessions SET version = $2 WHERE session_id = $1", e.stream_id, e.version)


async def session_finalised(conn: asyncpg.Connection, e: StoredEvent) -> None:
    rows = e.data["results"]
    await conn.execute(
        "UPDATE session_products p SET mean = r.mean, average_score = r.average_score::numeric, band_stars = r.band_stars,"
        " stars = r.stars, spread = r.spread, totals = r.totals, unmet_minimums = r.unmet_minimums"
        " FROM jsonb_to_recordset($2::jsonb) AS r(product_id text, mean text, average_score text, band_stars int,"
        " stars int, spread int, totals jsonb, unmet_minimums jsonb)"
        " WHERE p.session_id = $1 AND p.product_id = r.product_id",
        e.stream_id, rows)
    await conn.execute("UPDATE sessions SET status = 'finalised', finalised_on = $2::text::date, version = $3"
                       " WHERE session_id = $1", e.stream_id, e.data["finalised_on"], e.version)


async def decision_recorded(conn: asyncpg.Connection, e: StoredEvent) -> None:
    await conn.execute("UPDATE sessions SET status = 'decided', decision = $2::jsonb, version = $3 WHERE session_id = $1",
                       e.stream_id, e.data, e.version)


WRITERS = {
    "CouncilFormed": council_formed,
    "MemberAppointed": member_appointed,
    "MemberWithdrawn": member_withdrawn,
    "SessionOpened": session_opened,
    "ProductExamined": product_examined,
    "ProductWithdrawn": product_withdrawn,
    "ScorecardSubmitted": scorecard_submitted,
    "SessionFinalised": session_finalised,
    "DecisionRecorded": decision_recorded,
}
