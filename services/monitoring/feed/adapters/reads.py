"""The read audit: one row per successful read of the feed (who, from which position, how many, with which filters).

Telemetry, like an access log with a purpose: written by the request itself, not a fact of the event store, so it
is never rebuilt (and ``ocop rebuild`` leaves it alone).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg


@dataclass(frozen=True)
class Read:
    key_id: str
    organisation: str
    after: int
    returned: int
    last_position: int
    filters: dict[str, Any]
    at: datetime | None = None


async def record(conn: asyncpg.Connection, read: Read) -> None:
    await conn.execute(
        "INSERT INTO feed_reads (key_id, organisation, after, returned, last_position, filters)"
        " VALUES ($1, $2, $3, $4, $5, $6::jsonb)",
        read.key_id, read.organisation, read.after, read.returned, read.last_position, read.filters)


async def latest(conn: asyncpg.Connection, *, key_id: str | None, limit: int, offset: int = 0) -> dict[str, Any]:
    """``{"total": n, "items": [Read, ...]}``, newest first."""
    where, args = ("WHERE key_id = $1", [key_id]) if key_id is not None else ("", [])
    total = await conn.fetchval(f"SELECT count(*) FROM feed_reads {where}", *args)
    rows = await conn.fetch(
        "SELECT key_id, organisation, after, returned, last_position, filters, at FROM feed_reads"
        f" {where} ORDER BY id DESC LIMIT ${len(args) + 1} OFFSET ${len(args) + 2}", *args, limit, offset)
    return {"total": total, "items": [Read(**dict(r)) for r in rows]}
