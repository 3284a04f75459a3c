"""Read models of councils, sessions and scorecards (written in the transaction that stores the events)."""

from __future__ import annotations

import asyncpg
from pydantic_core import to_jsonable_python

from services.rating.domain import events as ev
from shared.events import Recorded


async def council_formed(conn: asyncpg.Connection, r: Recorded) -> None:
    e = r.event
    await conn.execute(
        "INSERT INTO councils (council_id, level, district_code, name, members, version, updated_at)"
        " VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7)",
        r.stream_id, e.level, e.district_code, e.name, to_jsonable_python(e.members), r.version, r.recorded_at)


async def member_appointed(conn: asyncpg.Connection, r: Recorded) -> None:
    await conn.execute(
        "UPDATE councils SET members = members || $2::jsonb, version = $3, updated_at = $4 WHERE council_id = $1",
        r.stream_id, to_jsonable_python([r.event.member]), r.version, r.recorded_at)


async def member_withdrawn(conn: asyncpg.Connection, r: Recorded) -> None:
    await conn.execute(
        "UPDATE councils SET version = $3, updated_at = $4, members = (SELECT coalesce(jsonb_agg(m), '[]'::jsonb)"
        " FROM jsonb_array_elements(members) m WHERE m->>'member_id' <> $2) WHERE council_id = $1",
        r.stream_id, r.event.member_id, r.version, r.recorded_at)


async def session_opened(conn: asyncpg.Connection, r: Recorded) -> None:
    e = r.event
    await conn.execute(
        "INSERT INTO sessions (session_id, council_id, level, district_code, cycle_year, round, title, held_on,"
        " chair_id, members, status, version, opened_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, 'open', $11, $12)",
        r.stream_id, e.council_id, e.level, e.district_code, e.cycle_year, e.round, e.title,
        e.held_on, e.chair_id, to_jsonable_python(e.members), r.version, r.recorded_at)


async def product_examined(conn: asyncpg.Connection, r: Recorded) -> None:
    e = r.event
    await conn.execute(
        "WITH s AS (UPDATE sessions SET products = products + 1, version = $9 WHERE session_id = $1 RETURNING products)"
        " INSERT INTO session_products (session_id, product_id, evaluation_id, product_name, product_set,"
        " district_code, purpose, held_stars, position) SELECT $1, $2, $3, $4, $5, $6, $7, $8, s.products FROM s"
        # A product withdrawn from the session and listed again starts over (a new evaluation, nothing scored yet).
        " ON CONFLICT (session_id, product_id) DO UPDATE SET evaluation_id = excluded.evaluation_id,"
        " product_name = excluded.product_name, product_set = excluded.product_set,"
        " district_code = excluded.district_code, purpose = excluded.purpose, held_stars = excluded.held_stars,"
        " position = excluded.position, scorecards = 0, mean = NULL, average_score = NULL, band_stars = NULL,"
        " stars = NULL, spread = NULL, totals = NULL, unmet_minimums = NULL, outcome = NULL, outcome_stars = NULL,"
        " certificate_number = NULL, finalised_on = NULL, open_reason = NULL",
        r.stream_id, e.product_id, e.evaluation_id, e.product_name, e.product_set, e.district_code,
        e.purpose, e.held_stars, r.version)


async def product_withdrawn(conn: asyncpg.Connection, r: Recorded) -> None:
    await conn.execute("UPDATE session_products SET outcome = 'withdrawn', open_reason = NULL"
                       " WHERE session_id = $1 AND product_id = $2", r.stream_id, r.event.product_id)
    await conn.execute("UPDATE sessions SET products = products - 1, version = $2 WHERE session_id = $1",
                       r.stream_id, r.version)
    await _settle(conn, r.stream_id)


async def scorecard_submitted(conn: asyncpg.Connection, r: Recorded) -> None:
    """A card on its member's stream names its session; one older code stored on the session's stream is of that
    session, whose version it was."""
    e = r.event
    session_id = e.session_id or r.stream_id
    await conn.execute(
        "INSERT INTO scorecards (session_id, product_id, member_id, version, choices, total, note, actor, submitted_at)"
        " VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8::jsonb, $9)",
        session_id, e.product_id, e.member_id, e.version, e.choices, e.total, e.note, r.actor, r.recorded_at)
    if e.version == 1:
        await conn.execute("UPDATE session_products SET scorecards = scorecards + 1 WHERE session_id = $1 AND product_id = $2",
                           session_id, e.product_id)
    if e.session_id is None:
        await conn.execute("UPDATE sessions SET version = $2 WHERE session_id = $1", r.stream_id, r.version)


async def results_finalised(conn: asyncpg.Connection, r: Recorded) -> None:
    """The products that got their result, and why the others are still open; the session is finalised once no
    product on its list is left without a result."""
    e = r.event
    await conn.execute(
        "UPDATE session_products p SET mean = r.mean, average_score = r.average_score::numeric, band_stars = r.band_stars,"
        " stars = r.stars, spread = r.spread, totals = r.totals, unmet_minimums = r.unmet_minimums, finalised_on = $3,"
        " open_reason = NULL"
        " FROM jsonb_to_recordset($2::jsonb) AS r(product_id text, mean text, average_score text, band_stars int,"
        " stars int, spread int, totals jsonb, unmet_minimums jsonb)"
        " WHERE p.session_id = $1 AND p.product_id = r.product_id",
        r.stream_id, to_jsonable_python(e.results), e.finalised_on)
    await conn.execute(
        "UPDATE session_products p SET open_reason = o.reason FROM jsonb_to_recordset($2::jsonb) AS o(product_id text,"
        " reason text) WHERE p.session_id = $1 AND p.product_id = o.product_id",
        r.stream_id, to_jsonable_python(getattr(e, "still_open", ())))
    await conn.execute("UPDATE sessions SET finalised_on = $2, version = $3 WHERE session_id = $1",
                       r.stream_id, e.finalised_on, r.version)
    await _settle(conn, r.stream_id)


async def _settle(conn: asyncpg.Connection, session_id: str) -> None:
    """Once some results are in: finalised when every product still listed has one, partly finalised before."""
    await conn.execute(
        "UPDATE sessions s SET status = CASE WHEN EXISTS (SELECT 1 FROM session_products p WHERE p.session_id = $1"
        " AND p.mean IS NULL AND p.outcome IS DISTINCT FROM 'withdrawn') THEN 'partly_finalised' ELSE 'finalised' END"
        " WHERE s.session_id = $1 AND s.status <> 'decided' AND s.finalised_on IS NOT NULL",
        session_id)


async def decision_recorded(conn: asyncpg.Connection, r: Recorded) -> None:
    await conn.execute("UPDATE sessions SET status = 'decided', decision = $2::jsonb, version = $3 WHERE session_id = $1",
                       r.stream_id, to_jsonable_python(r.event.decision), r.version)


WRITERS = {
    ev.CouncilFormed: council_formed,
    ev.MemberAppointed: member_appointed,
    ev.MemberWithdrawn: member_withdrawn,
    ev.SessionOpened: session_opened,
    ev.ProductExamined: product_examined,
    ev.ProductWithdrawn: product_withdrawn,
    ev.ScorecardSubmitted: scorecard_submitted,
    ev.ResultsFinalised: results_finalised,
    ev.SessionFinalised: results_finalised,
    ev.DecisionRecorded: decision_recorded,
}
