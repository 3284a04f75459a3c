"""Read side of the API: registrations by district, status and cycle, search, a producer's products."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import asyncpg

from services.registration.domain.text import searchable
from shared.events import EventRegistry
from shared.eventstore import EventStore
from shared.readmodels import Where, page
from shared.uow import UnitOfWork

_REGISTRATION = (
    "r.registration_id, r.product_id, r.cycle_year, r.form, r.producer_id, r.producer_name, r.legal_form, r.product,"
    " r.district_code, r.commune_code, r.status, r.return_reasons, r.rejection_reason, r.list_id, r.version,"
    " r.submitted_at, r.updated_at"
)


@dataclass(frozen=True)
class RegistrationFilter:
    district_code: str | None = None
    status: str | None = None
    cycle_year: int | None = None
    producer_id: str | None = None
    q: str | None = None
    limit: int = 50
    offset: int = 0


async def list_registrations(conn: asyncpg.Connection, f: RegistrationFilter) -> dict[str, Any]:
    where = Where("r").equal(district_code=f.district_code, status=f.status, cycle_year=f.cycle_year, producer_id=f.producer_id)
    if f.q:
        # Folded on both sides: "banh gai" finds "Bánh gai"; LIKE's wildcards typed by the user stay plain characters.
        escaped = searchable(f.q).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.add("r.search LIKE ${}", f"%{escaped}%")
    return await page(conn, columns=_REGISTRATION, source="registrations r", where=where,
                      order_by="r.submitted_at, r.registration_id", limit=f.limit, offset=f.offset)


async def registration(conn: asyncpg.Connection, registration_id: str, registry: EventRegistry) -> dict[str, Any] | None:
    """The registration's row and its history, each fact decoded through ``registry`` (stored payloads are not served)."""
    row = await conn.fetchrow(f"SELECT {_REGISTRATION} FROM registrations r WHERE r.registration_id = $1", registration_id)
    if row is None:
        return None
    history = [registry.recorded(stored) for stored in await EventStore(conn).read_stream(registration_id)]
    return {**dict(row), "history": [
        {"version": h.version, "event_type": h.event_type, "data": h.event, "actor": h.actor, "recorded_at": h.recorded_at}
        for h in history
    ]}


async def producer(conn: asyncpg.Connection, producer_id: str) -> dict[str, Any] | None:
    row = await conn.fetchrow(
        "SELECT producer_id, name, legal_form, district_code, commune_code, business_registration_number, registered_at"
        " FROM producers WHERE producer_id = $1",
        producer_id,
    )
    return dict(row) if row else None


async def producer_products(conn: asyncpg.Connection, producer_id: str) -> list[dict[str, Any]]:
    """The producer's view: each registration with the star and any failed inspection of its product."""
    rows = await conn.fetch(
        f"SELECT {_REGISTRATION}, v.stars, v.rating_status, v.level, v.average_score::float8 AS average_score, v.certificate, v.decision,"
        " v.rated_at, coalesce(v.failed_inspections, '[]'::jsonb) AS failed_inspections"
        " FROM registrations r LEFT JOIN product_views v USING (product_id)"
        " WHERE r.producer_id = $1 ORDER BY r.cycle_year, r.submitted_at",
        producer_id,
    )
    return [dict(r) for r in rows]


async def selected_registration_ids(uow: UnitOfWork, district_code: str, cycle_year: int) -> list[str]:
    """The district's selected registrations of a cycle, read in the command's own transaction."""
    rows = await uow.connection.fetch(
        "SELECT registration_id FROM registrations WHERE district_code = $1 AND cycle_year = $2 AND status = 'selected'"
        " ORDER BY submitted_at, registration_id",
        district_code,
        cycle_year,
    )
    return [r["registration_id"] for r in rows]


async def summary(conn: asyncpg.Connection, cycle_year: int | None) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        "SELECT district_code, status, count(*) AS count FROM registrations"
        " WHERE $1::int IS NULL OR cycle_year = $1 GROUP BY 1, 2 ORDER BY 1, 2",
        cycle_year,
    )
    return [dict(r) for r in rows]
