"""Read models of rating, written in the transaction that stores the events.

Each writer applies one typed fact: it stores the values and dates the fact carries (a certificate's last valid
day, the day it ended) and decides nothing itself.
"""

from __future__ import annotations

from typing import Any

import asyncpg
from pydantic_core import to_jsonable_python

from services.rating.adapters import decision_projection, session_projection
from services.rating.adapters.history import summary
from services.rating.domain import events as ev
from services.rating.domain import outcomes as out
from services.rating.domain.outcomes import effect_of
from services.rating.domain.certificates import expired_from
from services.rating.domain.values import Certificate, Decision
from shared.events import Recorded
from shared.projections import EventWriters, Writer


async def _history(conn: asyncpg.Connection, r: Recorded) -> None:
    """Every dossier event, in order, with the dossier's status after it: the product's history as an auditor reads it."""
    await conn.execute(
        "INSERT INTO dossier_history (product_id, version, event_type, status, summary, actor, recorded_at)"
        " SELECT $1, $2, $3, d.status, $4, $5::jsonb, $6 FROM dossiers d WHERE d.product_id = $1",
        r.stream_id, r.version, r.event_type, summary(r.event), r.actor, r.recorded_at)


async def _dossier(conn: asyncpg.Connection, r: Recorded, **changes: Any) -> None:
    columns = list(changes)
    assignments = ", ".join(f"{c} = ${i + 4}" for i, c in enumerate(columns))
    await conn.execute(f"UPDATE dossiers SET version = $2, updated_at = $3, {assignments} WHERE product_id = $1",
                       r.stream_id, r.version, r.recorded_at, *changes.values())


async def _opened(conn: asyncpg.Connection, r: Recorded) -> None:
    e = r.event
    await conn.execute(
        "INSERT INTO dossiers (product_id, product_name, product_set, sector, product_group, producer_id, producer_name,"
        " legal_form, district_code, commune_code, cycle_year, first_registration_id, latest_registration_id,"
        " registrations, sheet_id, sheet_provisional, status, stage, version, opened_at, updated_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, 1, $13, $14, 'awaiting_council', 'district',"
        " $15, $16, $16)",
        r.stream_id, e.product.name, e.product_set, e.product.sector, e.product.group,
        e.producer.producer_id, e.producer.name, e.producer.legal_form, e.district_code, e.commune_code,
        e.cycle_year, e.registration_id, e.sheet_id, e.sheet_provisional, r.version, r.recorded_at,
    )


async def _reentered(conn: asyncpg.Connection, r: Recorded) -> None:
    await conn.execute(
        "UPDATE dossiers SET registrations = registrations + 1, status = 'awaiting_council', stage = 'district',"
        " version = $4, updated_at = $5,"
        " latest_registration_id = CASE WHEN $3 >= cycle_year THEN $2 ELSE latest_registration_id END,"
        " cycle_year = greatest(cycle_year, $3)"
        " WHERE product_id = $1",
        r.stream_id, r.event.registration_id, r.event.cycle_year, r.version, r.recorded_at,
    )


async def _scheduled(conn: asyncpg.Connection, r: Recorded) -> None:
    await _dossier(conn, r, status="in_session", session_id=r.event.session_id)


async def _withdrawn(conn: asyncpg.Connection, r: Recorded) -> None:
    await _dossier(conn, r, status="withdrawn_from_session", session_id=None)


async def _under_review(conn: asyncpg.Connection, r: Recorded) -> None:
    e = r.event
    await _dossier(conn, r, status="under_review", under_review_inspection=e.inspection_id)
    await conn.execute("UPDATE certificates SET under_review_inspection = $2 WHERE number = $1",
                       e.certificate_number, e.inspection_id)


async def _re_rating(conn: asyncpg.Connection, r: Recorded) -> None:
    await _dossier(conn, r, status="re_rating_ordered", stage="provincial")


# ------------------------------------------------------------------------------------------- outcomes


async def _attempt(conn: asyncpg.Connection, r: Recorded, /, **dossier: Any) -> None:
    """A council outcome: on the session's list (outcomes of one attempt join with '+') and on the dossier, whose
    status is the outcome unless ``dossier`` says otherwise."""
    effect = effect_of(r.event)
    assert effect is not None, f"{r.event_type} is not a council outcome"
    await conn.execute(
        "UPDATE session_products SET outcome = CASE WHEN outcome IS NULL THEN $3 ELSE outcome || '+' || $3 END,"
        " outcome_stars = $4, certificate_number = coalesce($5, certificate_number)"
        " WHERE session_id = $1 AND product_id = $2",
        r.event.session_id, r.stream_id, effect.outcome, effect.stars, effect.certificate_number)
    await _dossier(conn, r, **{"status": effect.outcome, "session_id": None, **dossier})


async def _issue(conn: asyncpg.Connection, product_id: str, c: Certificate) -> None:
    await conn.execute(
        "INSERT INTO certificates (number, product_id, product_name, district_code, product_set, stars, level, valid_from,"
        " valid_until, evaluation_id, average_score, decision, status, lapses_on)"
        " SELECT $1, $2, d.product_name, d.district_code, d.product_set, $3, $4, $5, $6, $7, $8::numeric, $9::jsonb,"
        " 'valid', $10 FROM dossiers d WHERE d.product_id = $2",
        c.number, product_id, c.stars, c.level, c.valid_from, c.valid_until, c.evaluation_id, c.average_score,
        to_jsonable_python(c.decision), expired_from(c))


async def _end(conn: asyncpg.Connection, number: str, status: str, ended_on: Any, note: str | None,
               decision: Decision | None = None, superseded_by: str | None = None) -> None:
    """The certificate no longer holds from ``ended_on`` (superseded, withdrawn, revoked, expired): why, by which
    decision, replaced by which certificate."""
    await conn.execute("UPDATE certificates SET status = $2, ended_on = $3, under_review_inspection = NULL,"
                       " end_note = $4, ended_by = $5::jsonb, superseded_by = $6 WHERE number = $1",
                       number, status, ended_on, note, to_jsonable_python(decision), superseded_by)


async def _review_closed(conn: asyncpg.Connection, number: str) -> None:
    await conn.execute("UPDATE certificates SET under_review_inspection = NULL WHERE number = $1", number)


def _closes_review(inspection_id: str | None) -> dict[str, Any]:
    return {"under_review_inspection": None} if inspection_id is not None else {}


async def _forwarded(conn: asyncpg.Connection, r: Recorded) -> None:
    await _attempt(conn, r, stage="provincial")


async def _not_recognised(conn: asyncpg.Connection, r: Recorded) -> None:
    await _attempt(conn, r, stage=r.event.may_reenter_at)


async def _issued(conn: asyncpg.Connection, r: Recorded) -> None:
    e: out.CertificateIssued = r.event  # type: ignore[assignment]
    c = e.certificate
    await _issue(conn, r.stream_id, c)
    if e.supersedes is not None:
        await _end(conn, e.supersedes, "superseded", c.valid_from, e.reason, c.decision, c.number)
    await _attempt(conn, r, stage=None, stars=c.stars, certificate_number=c.number, **_closes_review(e.inspection_id))


async def _confirmed(conn: asyncpg.Connection, r: Recorded) -> None:
    e: out.CertificateConfirmed = r.event  # type: ignore[assignment]
    if e.inspection_id is not None:
        await _review_closed(conn, e.certificate.number)
    await _attempt(conn, r, status="recognized", stage=None, **_closes_review(e.inspection_id))


async def _proposed(conn: asyncpg.Connection, r: Recorded) -> None:
    e: out.ProposedToCentre = r.event  # type: ignore[assignment]
    if e.inspection_id is not None and e.holds is not None:
        await _review_closed(conn, e.holds.number)
    await _attempt(conn, r, stage="central", **_closes_review(e.inspection_id))


async def _certificate_withdrawn(conn: asyncpg.Connection, r: Recorded) -> None:
    e: out.CertificateWithdrawn = r.event  # type: ignore[assignment]
    await _end(conn, e.certificate.number, "withdrawn", e.decision.date, e.reason, e.decision)
    await _attempt(conn, r, stage=None, stars=0, certificate_number=None, under_review_inspection=None)


async def _central_not_passed(conn: asyncpg.Connection, r: Recorded) -> None:
    await _attempt(conn, r, stage=None)


async def _expired(conn: asyncpg.Connection, r: Recorded) -> None:
    await _end(conn, r.event.certificate.number, "expired", r.event.ended_on, r.event.reason)
    await _dossier(conn, r, status="expired", stars=0, certificate_number=None, under_review_inspection=None)


async def _revoked(conn: asyncpg.Connection, r: Recorded) -> None:
    await _end(conn, r.event.certificate.number, "revoked", r.event.decision.date, r.event.reason, r.event.decision)
    await _dossier(conn, r, status="revoked", stage=None, stars=0, certificate_number=None,
                   under_review_inspection=None)


async def _warned(conn: asyncpg.Connection, r: Recorded) -> None:
    await _review_closed(conn, r.event.certificate.number)
    await _dossier(conn, r, status="recognized", under_review_inspection=None)


def _then_history(writer: Writer) -> Writer:
    async def write(conn: asyncpg.Connection, r: Recorded) -> None:
        await writer(conn, r)
        await _history(conn, r)

    return write


_DOSSIER_WRITERS: dict[type, Writer] = {
    ev.DossierOpened: _opened,
    ev.DossierReentered: _reentered,
    ev.ExaminationScheduled: _scheduled,
    ev.ExaminationWithdrawn: _withdrawn,
    ev.CertificateUnderReview: _under_review,
    ev.ReRatingOrdered: _re_rating,
    out.ForwardedToProvince: _forwarded,
    out.NotRecognised: _not_recognised,
    out.CertificateIssued: _issued,
    out.CertificateRenewed: _issued,
    out.CertificateConfirmed: _confirmed,
    out.ProposedToCentre: _proposed,
    out.CertificateWithdrawn: _certificate_withdrawn,
    out.CentralNotPassed: _central_not_passed,
    out.CertificateExpired: _expired,
    out.CertificateRevoked: _revoked,
    out.WarningIssued: _warned,
}


class RatingProjection(EventWriters):
    name = "rating"
    tables = ("dossiers", "dossier_history", "councils", "sessions", "session_products", "scorecards", "certificates",
              "decisions", "decision_products")
    writers = {**{kind: _then_history(w) for kind, w in _DOSSIER_WRITERS.items()}, **session_projection.WRITERS,
               **decision_projection.WRITERS}
