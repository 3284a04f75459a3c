"""Read models of rating, written in the transaction that stores the events."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import asyncpg

from services.rating.adapters import session_projection
from shared.eventstore import StoredEvent
from shared.projections import EventWriters


async def _history(conn: asyncpg.Connection, e: StoredEvent) -> None:
    """Every dossier event, in order: the product's rating history as an auditor reads it."""
    await conn.execute(
        "INSERT INTO dossier_history (product_id, version, event_type, data, actor, recorded_at)"
        " VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6)",
        e.stream_id, e.version, e.event_type, e.data,
        e.metadata.get("actor"), e.recorded_at)


async def _opened(conn: asyncpg.Connection, e: StoredEvent) -> None:
    d = e.data
    await conn.execute(
        "INSERT INTO dossiers (product_id, product_name, product_set, sector, product_group, producer_id, producer_name,"
        " legal_form, district_code, commune_code, cycle_year, first_registration_id, latest_registration_id,"
        " registrations, sheet_id, sheet_provisional, status, stage, version, opened_at, updated_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, 1, $13, $14, 'awaiting_council', 'district',"
        " $15, $16, $16)",
        e.stream_id, d["product"]["name"], d["product_set"], d["product"]["sector"], d["product"]["group"],
        d["producer"]["producer_id"], d["producer"]["name"], d["producer"]["legal_form"], d["district_code"],
        d["commune_code"], d["cycle_year"], d["registration_id"], d["sheet_id"], d["sheet_provisional"], e.version,
        e.recorded_at,
    )
    await _history(conn, e)


async def _reentered(conn: asyncpg.Connection, e: StoredEvent) -> None:
    d = e.data
    await conn.execute(
        "UPDATE dossiers SET registrations = registrations + 1, status = 'awaiting_council', stage = 'district',"
        " version = $4, updated_at = $5,"
        " latest_registration_id = CASE WHEN $3 >= cycle_year THEN $2 ELSE latest_registration_id END,"
        " cycle_year = greatest(cycle_year, $3)"
        " WHERE product_id = $1",
        e.stream_id, d["registration_id"], d["cycle_year"], e.version, e.recorded_at,
    )
    await _history(conn, e)


async def _scheduled(conn: asyncpg.Connection, e: StoredEvent) -> None:
    await _dossier(conn, e, status="in_session", session_id=e.data["session_id"])
    await _history(conn, e)


async def _withdrawn(conn: asyncpg.Connection, e: StoredEvent) -> None:
    await _dossier(conn, e, status="withdrawn_from_session", session_id=None)
    await _history(conn, e)


async def _under_review(conn: asyncpg.Connection, e: StoredEvent) -> None:
    d = e.data
    await _dossier(conn, e, status="under_review", under_review_inspection=d["inspection_id"])
    await conn.execute("UPDATE certificates SET under_review_inspection = $2 WHERE number = $1",
                       d["certificate_number"], d["inspection_id"])
    await _history(conn, e)


async def _re_rating(conn: asyncpg.Connection, e: StoredEvent) -> None:
    await _dossier(conn, e, status="re_rating_ordered", stage="provincial")
    await _history(conn, e)


async def _outcome(conn: asyncpg.Connection, e: StoredEvent) -> None:
    d = e.data
    previous = await conn.fetchval("SELECT certificate_number FROM dossiers WHERE product_id = $1", e.stream_id)
    holds = d["holds"]
    if holds is not None and holds["number"] != previous:
        await _issue(conn, e.stream_id, holds)
    if previous is not None and (holds is None or holds["number"] != previous):
        status, ended_on = _ending(d, holds)
        await conn.execute("UPDATE certificates SET status = $2, ended_on = $3, under_review_inspection = NULL"
                           " WHERE number = $1", previous, status, ended_on)
    if d["inspection_id"] is not None and holds is not None:
        await conn.execute("UPDATE certificates SET under_review_inspection = NULL WHERE number = $1", holds["number"])
    changes: dict[str, Any] = {"status": d["status"], "stage": d["stage"], "stars": holds["stars"] if holds else 0,
                               "certificate_number": holds["number"] if holds else None}
    if d["session_id"] is not None:
        changes["session_id"] = None
        await conn.execute(
            "UPDATE session_products SET outcome = CASE WHEN outcome IS NULL THEN $3 ELSE outcome || '+' || $3 END,"
            " outcome_stars = $4, certificate_number = coalesce($5, certificate_number)"
            " WHERE session_id = $1 AND product_id = $2",
            d["session_id"], e.stream_id, d["status"], d["stars"],
            d["certificate"]["number"] if d["certificate"] and d["status"] in ("recognized", "downgraded") else None)
    if d["inspection_id"] is not None or holds is None:
        changes["under_review_inspection"] = None
    await _dossier(conn, e, **changes)
    await _history(conn, e)


def _ending(d: dict[str, Any], holds: dict[str, Any] | None) -> tuple[str, date]:
    """How the certificate the product held ended, and the first day it no longer holds."""
    if d["status"] == "expired":
        return "expired", date.fromisoformat(d["certificate"]["valid_until"]) + timedelta(days=1)
    if holds is not None:
        return "superseded", date.fromisoformat(holds["valid_from"])
    return ("revoked" if d["status"] == "revoked" else "withdrawn"), date.fromisoformat(d["decision"]["date"])


async def _issue(conn: asyncpg.Connection, product_id: str, c: dict[str, Any]) -> None:
    await conn.execute(
        "INSERT INTO certificates (number, product_id, product_name, district_code, product_set, stars, level, valid_from,"
        " valid_until, evaluation_id, average_score, decision, status)"
        " SELECT $1, $2, d.product_name, d.district_code, d.product_set, $3, $4, $5::text::date, $6::text::date, $7,"
        " $8::numeric, $9::jsonb, 'valid' FROM dossiers d WHERE d.product_id = $2",
        c["number"], product_id, c["stars"], c["level"], c["valid_from"], c["valid_until"], c["evaluation_id"],
        c["average_score"], c["decision"])


async def _dossier(conn: asyncpg.Connection, e: StoredEvent, **changes: Any) -> None:
    columns = list(changes)
    assignments = ", ".join(f"{c} = ${i + 4}" for i, c in enumerate(columns))
    await conn.execute(f"UPDATE dossiers SET version = $2, updated_at = $3, {assignments} WHERE product_id = $1",
                       e.stream_id, e.version, e.recorded_at, *changes.values())


_WRITERS = {
    "DossierOpened": _opened,
    "DossierReentered": _reentered,
    "ExaminationScheduled": _scheduled,
    "ExaminationWithdrawn": _withdrawn,
    "RatingOutcomeRecorded": _outcome,
    "CertificateUnderReview": _under_review,
    "ReRatingOrdered": _re_rating,
    **session_projection.WRITERS,
}


class RatingProjection(EventWriters):
    name = "rating"
    tables = ("dossiers", "dossier_history", "councils", "sessions", "session_products", "scorecards", "certificates")
    writers = _WRITERS
