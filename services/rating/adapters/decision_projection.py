"""Read models of decisions (quyết định): one row per decision, one per product it covers."""

from __future__ import annotations

from datetime import date
from typing import Any

import asyncpg
from pydantic_core import to_jsonable_python

from services.rating.domain import events as ev
from services.rating.domain.decisions import issuing_body
from shared.events import Recorded

_PRODUCTS = (
    "INSERT INTO decision_products (decision_id, position, product_id, outcome, stars, certificate_number, issued,"
    " inspection_id, reason) SELECT $1, x.position, x.product_id, x.outcome, x.stars, x.certificate_number, x.issued,"
    " x.inspection_id, x.reason FROM jsonb_to_recordset($2::jsonb) AS x(position int, product_id text, outcome text,"
    " stars int, certificate_number text, issued boolean, inspection_id text, reason text)"
)


async def _decision(conn: asyncpg.Connection, r: Recorded, entries: list[dict[str, Any]], **row: Any) -> None:
    await conn.execute(
        "INSERT INTO decisions (decision_id, number, year, body, kind, date, issued_by, session_id, products,"
        " recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        r.stream_id, row["number"], row["year"], row["body"], row["kind"], row["date"], row["issued_by"],
        row["session_id"], len(entries), r.recorded_at)
    await conn.execute(_PRODUCTS, r.stream_id, [{**e, "position": n} for n, e in enumerate(entries, 1)])


async def decision_issued(conn: asyncpg.Connection, r: Recorded) -> None:
    e: ev.DecisionIssued = r.event  # type: ignore[assignment]
    await _decision(conn, r, to_jsonable_python(e.entries), number=e.number, year=e.year, body=e.body, kind=e.kind,
                    date=e.date, issued_by=e.issued_by, session_id=e.session_id)


async def number_taken(conn: asyncpg.Connection, r: Recorded) -> None:
    """Older code's record of a round decision: its number only. The rest is what the session's read models say of
    it, written by the same command just before (the session's decision, each product's outcome on its list)."""
    e: ev.DecisionNumberTaken = r.event  # type: ignore[assignment]
    session = await conn.fetchrow("SELECT level, decision FROM sessions WHERE session_id = $1", e.session_id)
    if session is None or session["decision"] is None:
        return
    listed = await conn.fetch(
        "SELECT p.product_id, p.outcome, coalesce(p.outcome_stars, 0) AS stars, p.certificate_number,"
        " (c.number IS NOT NULL) AS issued, NULL AS inspection_id, NULL AS reason FROM session_products p"
        " LEFT JOIN certificates c ON c.number = p.certificate_number AND c.evaluation_id = p.evaluation_id"
        " WHERE p.session_id = $1 AND p.outcome IS NOT NULL AND p.outcome <> 'withdrawn' ORDER BY p.position",
        e.session_id)
    decision = session["decision"]
    await _decision(conn, r, [dict(p) for p in listed], number=e.number, year=e.year,
                    body=issuing_body(session["level"]), kind="recognition", date=date.fromisoformat(decision["date"]), issued_by=decision["issued_by"],
                    session_id=e.session_id)


WRITERS = {ev.DecisionIssued: decision_issued, ev.DecisionNumberTaken: number_taken}
