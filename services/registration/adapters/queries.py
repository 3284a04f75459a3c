"""Read side of the API: registrations by district, status and cycle, search, a producer's products."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import asyncpg

from services.registration.domain.registration import same_product
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
    return {**dict(row), "history": await _history(conn, registration_id, "registration", registry)}


async def _history(conn: asyncpg.Connection, stream_id: str, stream_type: str,
                   registry: EventRegistry) -> list[dict[str, Any]]:
    """Every fact of one stream of ``stream_type``, decoded; none when the id is a stream of another type."""
    stored = [s for s in await EventStore(conn).read_stream(stream_id) if s.stream_type == stream_type]
    return [
        {"version": h.version, "event_type": h.event_type, "data": h.event, "actor": h.actor, "recorded_at": h.recorded_at}
        for h in map(registry.recorded, stored)
    ]


async def producer(conn: asyncpg.Connection, producer_id: str) -> dict[str, Any] | None:
    row = await conn.fetchrow(
        "SELECT producer_id, name, legal_form, district_code, commune_code, business_registration_number, registered_at"
        " FROM producers WHERE producer_id = $1",
        producer_id,
    )
    return dict(row) if row else None


async def producer_products(conn: asyncpg.Connection, producer_id: str) -> list[dict[str, Any]]:
    """The producer's view: one entry per product, as its latest registration shows it, with its star and failed
    inspections; a product renamed across cycles stays one entry, with its earlier names and every registration."""
    rows = await conn.fetch(
        f"SELECT {_REGISTRATION}, r.product->>'name' AS name, v.stars, v.rating_status, v.level,"
        " v.average_score::float8 AS average_score, v.certificate, v.decision,"
        " v.rated_at, coalesce(v.failed_inspections, '[]'::jsonb) AS failed_inspections"
        " FROM registrations r LEFT JOIN product_views v USING (product_id)"
        " WHERE r.producer_id = $1 ORDER BY r.cycle_year, r.submitted_at",
        producer_id,
    )
    products: dict[str, dict[str, Any]] = {}  # in the order of their first registration
    for row in map(dict, rows):
        earlier = products.get(row["product_id"], {}).get("registrations", [])
        products[row["product_id"]] = {**row, "registrations": [*earlier, _registration_of(row)]}
    return [{**p, "former_names": _former_names(p["registrations"])} for p in products.values()]


def _registration_of(row: dict[str, Any]) -> dict[str, Any]:
    """One registration of a product: its cycle, form, the name it used and where it stands."""
    return {"registration_id": row["registration_id"], "cycle_year": row["cycle_year"], "form": row["form"],
            "name": row["name"], "status": row["status"]}


def _former_names(registrations: list[dict[str, Any]]) -> list[str]:
    """The names a product was registered under before its latest one, oldest first."""
    current = registrations[-1]["name"] if registrations else None
    return list(dict.fromkeys(r["name"] for r in registrations if r["name"] != current))


_PRODUCT_REGISTRATIONS = (
    "SELECT registration_id, cycle_year, form, product->>'name' AS name, status, producer_id FROM registrations"
    " WHERE product_id = $1 ORDER BY cycle_year, submitted_at, registration_id"
)


async def product_history(conn: asyncpg.Connection, product_id: str, registry: EventRegistry) -> dict[str, Any] | None:
    """A product across cycles: its registrations (each cycle's form and name) and every fact of its file — the
    forms that entered it, renames, ratings with their certificates, failed inspections."""
    rows = [dict(r) for r in await conn.fetch(_PRODUCT_REGISTRATIONS, product_id)]
    history = await _history(conn, product_id, "product-file", registry)
    if not rows and not history:
        return None
    registrations = [_registration_of(r) for r in rows]
    return {"product_id": product_id, "producer_id": rows[-1]["producer_id"] if rows else None,
            "name": registrations[-1]["name"] if registrations else None,
            "former_names": _former_names(registrations), "registrations": registrations, "history": history}


async def product_registration_ids(uow: UnitOfWork, product_id: str) -> list[str]:
    """Every registration of a product, oldest cycle first, read in the command's own transaction."""
    return [r["registration_id"] for r in await uow.connection.fetch(_PRODUCT_REGISTRATIONS, product_id)]


async def product_ids_named(uow: UnitOfWork, producer_id: str, name: str) -> list[str]:
    """The producer's products whose latest registration has this name (folded), in the command's own transaction."""
    rows = await uow.connection.fetch(
        "SELECT DISTINCT ON (product_id) product_id, product->>'name' AS name FROM registrations WHERE producer_id = $1"
        " ORDER BY product_id, cycle_year DESC, submitted_at DESC",
        producer_id,
    )
    return [r["product_id"] for r in rows if same_product(r["name"], name)]


async def certified_product_id(uow: UnitOfWork, certificate_number: str) -> str | None:
    """The product a certificate was issued to, read in the command's own transaction."""
    return await uow.connection.fetchval(
        "SELECT product_id FROM product_certificates WHERE certificate_number = $1", certificate_number)


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
