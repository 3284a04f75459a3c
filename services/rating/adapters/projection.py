"""Read models of rating, written in the transaction that stores the events."""

from __future__ import annotations


import asyncpg

from shared.eventstore import StoredEvent
from shared.projections import EventWriters


async def _opened(conn: asyncpg.Connection, e: StoredEvent) -> None:
    d = e.data
    await conn.execute(
        "INSERT INTO dossiers (product_id, product_name, product_set, sector, product_group, producer_id, producer_name,"
        " legal_form, district_code, commune_code, cycle_year, first_registration_id, latest_registration_id,"
        " registrations, sheet_id, sheet_provisional, status, version, opened_at, updated_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, 1, $13, $14, 'awaiting_council', $15, $16, $16)",
        e.stream_id, d["product"]["name"], d["product_set"], d["product"]["sector"], d["product"]["group"],
        d["producer"]["producer_id"], d["producer"]["name"], d["producer"]["legal_form"], d["district_code"],
        d["commune_code"], d["cycle_year"], d["registration_id"], d["sheet_id"], d["sheet_provisional"], e.version,
        e.recorded_at,
    )


async def _reentered(conn: asyncpg.Connection, e: StoredEvent) -> None:
    d = e.data
    await conn.execute(
        "UPDATE dossiers SET registrations = registrations + 1, status = 'awaiting_council', version = $4, updated_at = $5,"
        " latest_registration_id = CASE WHEN $3 >= cycle_year THEN $2 ELSE latest_registration_id END,"
        " cycle_year = greatest(cycle_year, $3)"
        " WHERE product_id = $1",
        e.stream_id, d["registration_id"], d["cycle_year"], e.version, e.recorded_at,
    )


_WRITERS = {
    "DossierOpened": _opened,
    "DossierReentered": _reentered,
}


class RatingProjection(EventWriters):
    name = "rating"
    tables = ("dossiers",)
    writers = _WRITERS
