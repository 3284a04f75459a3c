"""Read models of registration, written in the transaction that stores the events; rules stay in the domain."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
from pydantic_core import to_jsonable_python

from services.registration.domain import events as ev
from services.registration.domain.lifecycle import STEPS, status_after
from services.registration.domain.text import searchable
from shared.events import Recorded
from shared.projections import EventWriters


def _json(value: Any) -> str | None:
    """Value objects as the JSON objects the API serves (dates as ISO strings); None stays SQL NULL."""
    return None if value is None else json.dumps(to_jsonable_python(value), ensure_ascii=False)


async def _producer(conn: asyncpg.Connection, r: Recorded) -> None:
    e: ev.ProducerRegistered = r.event  # type: ignore[assignment]
    await conn.execute(
        "INSERT INTO producers VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        e.producer_id, e.name, e.legal_form, e.district_code, e.commune_code, e.business_registration_number,
        searchable(e.name), r.recorded_at,
    )


async def _submitted(conn: asyncpg.Connection, r: Recorded) -> None:
    e: ev.RegistrationSubmitted = r.event  # type: ignore[assignment]
    await conn.execute(
        "INSERT INTO registrations (registration_id, product_id, cycle_year, form, producer_id, producer_name, legal_form,"
        " product, district_code, commune_code, status, search, version, submitted_at, updated_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text::jsonb, $9, $10, $11, $12, $13, $14, $14)",
        e.registration_id, e.product_id, e.cycle_year, e.form, e.producer.producer_id, e.producer.name,
        e.producer.legal_form, _json(e.product), e.district_code, e.commune_code, status_after(e),
        searchable(e.product.name, e.producer.name), r.version, r.recorded_at,
    )


def _changed_columns(e: object) -> tuple[str | None, str | None, str | None, str | None]:
    """return_reasons, rejection_reason, list_id, product: what a step changes besides the status."""
    match e:
        case ev.RegistrationReturned(reasons=reasons):
            return _json(reasons), None, None, None
        case ev.RegistrationRejected(reason=reason):
            return None, reason, None, None
        case ev.RegistrationSentToProvince(list_id=list_id):
            return None, None, list_id, None
        case ev.RegistrationResubmitted(product=product):
            return None, None, None, _json(product)
    return None, None, None, None


async def _step(conn: asyncpg.Connection, r: Recorded) -> None:
    await conn.execute(
        "UPDATE registrations SET status = $2, version = $3, updated_at = $4,"
        " return_reasons = coalesce($5::text::jsonb, return_reasons), rejection_reason = coalesce($6, rejection_reason),"
        " list_id = coalesce($7, list_id), product = coalesce($8::text::jsonb, product)"
        " WHERE registration_id = $1",
        r.stream_id, status_after(r.event), r.version, r.recorded_at, *_changed_columns(r.event),
    )


async def _list_sent(conn: asyncpg.Connection, r: Recorded) -> None:
    e: ev.DistrictListSent = r.event  # type: ignore[assignment]
    await conn.execute(
        "INSERT INTO district_lists VALUES ($1, $2, $3, $4::text::jsonb, $5::text::jsonb, $6)",
        r.stream_id, e.district_code, e.cycle_year, _json(e.registration_ids), _json(e.product_ids), r.recorded_at,
    )


async def _rating(conn: asyncpg.Connection, r: Recorded) -> None:
    e: ev.RatingRecorded = r.event  # type: ignore[assignment]
    await conn.execute(
        "INSERT INTO product_views (product_id, stars, rating_status, level, average_score, certificate, decision, rated_at, ratings)"
        " VALUES ($1, $2, $3, $4, $5, $6::text::jsonb, $7::text::jsonb, $8, 1)"
        " ON CONFLICT (product_id) DO UPDATE SET stars = $2, rating_status = $3, level = $4, average_score = $5,"
        " certificate = $6::text::jsonb, decision = $7::text::jsonb, rated_at = $8, ratings = product_views.ratings + 1",
        r.stream_id, e.stars, e.status, e.level, e.average_score, _json(e.certificate), _json(e.decision), e.occurred_at,
    )
    if e.certificate is not None:
        await conn.execute("INSERT INTO product_certificates VALUES ($1, $2) ON CONFLICT DO NOTHING",
                           e.certificate.number, r.stream_id)


async def _inspection(conn: asyncpg.Connection, r: Recorded) -> None:
    e: ev.InspectionFailureRecorded = r.event  # type: ignore[assignment]
    failure = {"inspection_id": e.inspection_id, "inspected_on": e.inspected_on, "severity": e.severity,
               "recommended_action": e.recommended_action, "findings": e.findings}
    await conn.execute(
        "INSERT INTO product_views (product_id, failed_inspections) VALUES ($1, jsonb_build_array($2::text::jsonb))"
        " ON CONFLICT (product_id) DO UPDATE SET failed_inspections = product_views.failed_inspections || $2::text::jsonb",
        r.stream_id, _json(failure),
    )


class RegistrationProjection(EventWriters):
    name = "registration"
    tables = ("producers", "registrations", "district_lists", "product_views", "product_certificates")
    writers = {
        ev.ProducerRegistered: _producer,
        ev.RegistrationSubmitted: _submitted,
        **{step: _step for step in STEPS if step is not ev.RegistrationSubmitted},
        ev.DistrictListSent: _list_sent,
        ev.RatingRecorded: _rating,
        ev.InspectionFailureRecorded: _inspection,
    }
