"""Read models of registration, written in the transaction that stores the events."""

from __future__ import annotations

import json

import asyncpg

from services.registration.domain.text import fold
from shared.eventstore import StoredEvent
from shared.projections import EventWriters


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


async def _producer(conn: asyncpg.Connection, e: StoredEvent) -> None:
    d = e.data
    await conn.execute(
        "INSERT INTO producers VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        d["producer_id"], d["name"], d["legal_form"], d["district_code"], d["commune_code"],
        d["business_registration_number"], fold(d["name"]), e.recorded_at,
    )


async def _submitted(conn: asyncpg.Connection, e: StoredEvent) -> None:
    d = e.data
    await conn.execute(
        "INSERT INTO registrations (registration_id, product_id, cycle_year, form, producer_id, producer_name, legal_form,"
        " product, district_code, commune_code, status, search, version, submitted_at, updated_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text::jsonb, $9, $10, 'submitted', $11, $12, $13, $13)",
        d["registration_id"], d["product_id"], d["cycle_year"], d["form"], d["producer"]["producer_id"],
        d["producer"]["name"], d["producer"]["legal_form"], _json(d["product"]), d["district_code"], d["commune_code"],
        fold(f"{d['product']['name']} {d['producer']['name']}"), e.version, e.recorded_at,
    )


_STATUS = {
    "RegistrationProposedByCommune": "proposed",
    "RegistrationReturned": "returned",
    "RegistrationResubmitted": "proposed",
    "RegistrationSelected": "selected",
    "RegistrationRejected": "rejected",
    "RegistrationSentToProvince": "sent_to_province",
}


async def _transition(conn: asyncpg.Connection, e: StoredEvent) -> None:
    await conn.execute(
        "UPDATE registrations SET status = $2, version = $3, updated_at = $4,"
        " return_reasons = coalesce($5::text::jsonb, return_reasons), rejection_reason = coalesce($6, rejection_reason),"
        " list_id = coalesce($7, list_id), product = coalesce($8::text::jsonb, product)"
        " WHERE registration_id = $1",
        e.stream_id, _STATUS[e.event_type], e.version, e.recorded_at,
        _json(e.data["reasons"]) if "reasons" in e.data else None,
        e.data.get("reason"), e.data.get("list_id"),
        _json(e.data["product"]) if "product" in e.data else None,
    )


async def _list_sent(conn: asyncpg.Connection, e: StoredEvent) -> None:
    d = e.data
    await conn.execute(
        "INSERT INTO district_lists VALUES ($1, $2, $3, $4::text::jsonb, $5::text::jsonb, $6)",
        e.stream_id, d["district_code"], d["cycle_year"], _json(d["registration_ids"]), _json(d["product_ids"]), e.recorded_at,
    )


async def _rating(conn: asyncpg.Connection, e: StoredEvent) -> None:
    d = e.data
    await conn.execute(
        "INSERT INTO product_views (product_id, stars, rating_status, level, average_score, certificate, decision, rated_at, ratings)"
        " VALUES ($1, $2, $3, $4, $5, $6::text::jsonb, $7::text::jsonb, $8, 1)"
        " ON CONFLICT (product_id) DO UPDATE SET stars = $2, rating_status = $3, level = $4, average_score = $5,"
        " certificate = $6::text::jsonb, decision = $7::text::jsonb, rated_at = $8, ratings = product_views.ratings + 1",
        e.stream_id, d["stars"], d["status"], d["level"], d["average_score"], _json(d["certificate"]),
        _json(d["decision"]), d["occurred_at"],
    )


async def _inspection(conn: asyncpg.Connection, e: StoredEvent) -> None:
    d = e.data
    failure = {k: d[k] for k in ("inspection_id", "inspected_on", "severity", "recommended_action", "findings")}
    await conn.execute(
        "INSERT INTO product_views (product_id, failed_inspections) VALUES ($1, jsonb_build_array($2::text::jsonb))"
        " ON CONFLICT (product_id) DO UPDATE SET failed_inspections = product_views.failed_inspections || $2::text::jsonb",
        e.stream_id, _json(failure),
    )


_WRITERS = {
    "ProducerRegistered": _producer,
    "RegistrationSubmitted": _submitted,
    "DistrictListSent": _list_sent,
    "RatingRecorded": _rating,
    "InspectionFailureRecorded": _inspection,
    **{event_type: _transition for event_type in _STATUS},
}


class RegistrationProjection(EventWriters):
    name = "registration"
    tables = ("producers", "registrations", "district_lists", "product_views")
    writers = _WRITERS
