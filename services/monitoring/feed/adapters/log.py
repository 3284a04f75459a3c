"""The feed log: every public event monitoring heard, once, at a position given in commit order.

An appending transaction takes the one-row counter's lock as its last step and holds it until it commits, so a
position is visible only once every smaller one is: a reader that passed position p never finds a later commit
below p. The NOTIFY, delivered at commit, wakes the long-polling readers (:mod:`.wakeup`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import asyncpg

from shared.contracts import VIETNAM_TZ

#: ``pg_notify`` channel of the feed in the connection's schema (each service instance has its own).
CHANNEL_PREFIX = "ocop_feed_"

_APPEND = """
WITH added AS (
    INSERT INTO feed_log (position, event_id, event_type, product_id, district, occurred_at, envelope)
    VALUES ($1, $2, $3, $4, $5, $6, $7)
    ON CONFLICT (event_id) DO NOTHING
    RETURNING position
), counted AS (
    UPDATE feed_counter SET last = added.position FROM added RETURNING last
)
SELECT last, pg_notify($8 || current_schema(), last::text) FROM counted
"""


def channel(schema: str) -> str:
    return CHANNEL_PREFIX + schema


async def append(conn: asyncpg.Connection, envelope: Any, payload: str) -> int | None:
    """Add the event at the next position, in the caller's transaction; None when the feed holds it already (it
    keeps its first position)."""
    district = await _district(conn, envelope)
    # Last step, held until commit: whoever commits later waits here, then numbers after us (no gaps, no
    # reordering). FOR UPDATE returns the row as the previous holder committed it.
    last = await conn.fetchval("SELECT last FROM feed_counter FOR UPDATE")
    # A new statement, a new snapshot: a copy of this event committed by the previous holder is seen by the
    # conflict check, so a repeat takes no position (no hole).
    return await conn.fetchval(_APPEND, last + 1, envelope.event_id, envelope.event_type, envelope.product_id,
                               district, envelope.occurred_at, payload, CHANNEL_PREFIX)


async def _district(conn: asyncpg.Connection, envelope: Any) -> str | None:
    if envelope.event_type == "ProductRegistered":
        district = envelope.data.location.district_code
        await conn.execute("INSERT INTO feed_districts (product_id, district) VALUES ($1, $2)"
                           " ON CONFLICT (product_id) DO UPDATE SET district = EXCLUDED.district",
                           envelope.product_id, district)
        # Events of the product heard before its registration (another topic, another pace) learn it now.
        await conn.execute("UPDATE feed_log SET district = $2 WHERE product_id = $1 AND district IS NULL",
                           envelope.product_id, district)
        return district
    return await conn.fetchval("SELECT district FROM feed_districts WHERE product_id = $1", envelope.product_id)


@dataclass(frozen=True)
class Filters:
    """What a reader asked for; ``event_types`` is already within its key's scope."""

    event_types: tuple[str, ...]
    product: str | None = None
    district: str | None = None
    since: date | None = None

    def as_json(self) -> dict[str, Any]:
        return {"type": list(self.event_types), "product": self.product, "district": self.district,
                "since": self.since.isoformat() if self.since else None}


@dataclass(frozen=True)
class FeedRow:
    position: int
    envelope: str


async def page(conn: asyncpg.Connection, after: int, limit: int, filters: Filters) -> list[FeedRow]:
    """The events after ``after`` that match, in position order, at most ``limit``."""
    args: list[Any] = [after, list(filters.event_types)]
    clauses = ["f.position > $1", "f.event_type = ANY($2::text[])"]
    if filters.product is not None:
        args.append(filters.product)
        clauses.append(f"f.product_id = ${len(args)}")
    if filters.district is not None:
        args.append(filters.district)
        # The join finds the district of an event appended before the feed knew it (its registration committed in
        # a transaction running beside the event's).
        clauses.append(f"coalesce(f.district, d.district) = ${len(args)}")
    if filters.since is not None:
        args.append(datetime.combine(filters.since, time(0), VIETNAM_TZ))
        clauses.append(f"f.occurred_at >= ${len(args)}")
    args.append(limit)
    rows = await conn.fetch(
        "SELECT f.position, f.envelope FROM feed_log f LEFT JOIN feed_districts d ON d.product_id = f.product_id"
        f" WHERE {' AND '.join(clauses)} ORDER BY f.position LIMIT ${len(args)}", *args)
    return [FeedRow(r["position"], r["envelope"]) for r in rows]


async def last_position(conn: asyncpg.Connection) -> int:
    return await conn.fetchval("SELECT last FROM feed_counter")


@dataclass(frozen=True)
class Published:
    """The CloudEvents attributes' sources, read from the envelope as published (not upcast: the event's own type
    and version)."""

    event_id: str
    event_type: str
    schema_version: int
    occurred_at: datetime
    source: str
    product_id: str

    @classmethod
    def of(cls, document: dict[str, Any]) -> Published:
        return cls(document["event_id"], document["event_type"], document["schema_version"],
                   datetime.fromisoformat(document["occurred_at"]), document["source"], document["product_id"])


def decoded(row: FeedRow) -> tuple[Published, dict[str, Any]]:
    document = json.loads(row.envelope)
    return Published.of(document), document
