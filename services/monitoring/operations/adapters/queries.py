"""The read side of the timeline and the re-drives: pages of rows, as the API answers them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg

from shared.readmodels import Where, page

# Each entry says how many spans of its trace the store holds, so the timeline links only to traces it can show.
_ENTRY = (
    "t.event_id, t.product_id, t.event_type, t.source, t.occurred_at, t.actor_id, t.actor_role, t.correlation_id,"
    " t.causation_id, t.trace_id, t.refs, t.summary, t.observed_at,"
    " (SELECT count(*) FROM trace_spans s WHERE s.trace_id = t.trace_id) AS spans"
)
_ORDER = "t.occurred_at, t.position"


async def product_timeline(conn: asyncpg.Connection, product_id: str, limit: int, offset: int) -> dict[str, Any]:
    """Every public event about the product, in the order it happened."""
    return await page(conn, columns=_ENTRY, source="audit_timeline t", where=Where("t").equal(product_id=product_id),
                      order_by=_ORDER, limit=limit, offset=offset)


async def actor_timeline(conn: asyncpg.Connection, actor_id: str, limit: int, offset: int) -> dict[str, Any]:
    """What one person decided, across services, in the order it happened."""
    return await page(conn, columns=_ENTRY, source="audit_timeline t", where=Where("t").equal(actor_id=actor_id),
                      order_by=_ORDER, limit=limit, offset=offset)


async def trace_events(conn: asyncpg.Connection, trace_id: str) -> list[dict[str, Any]]:
    """The public events heard within one trace."""
    rows = await conn.fetch("SELECT event_id, event_type, product_id, occurred_at FROM audit_timeline"
                            " WHERE trace_id = $1 ORDER BY occurred_at, position", trace_id)
    return [dict(r) for r in rows]


async def redrives(conn: asyncpg.Connection, service: str, dead_letter_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The re-drives of these dead letters of one service, by dead letter id."""
    rows = await conn.fetch("SELECT * FROM dead_letter_redrives WHERE service = $1 AND dead_letter_id = ANY($2::bigint[])",
                            service, list(dead_letter_ids))
    return {r["dead_letter_id"]: dict(r) for r in rows}


async def redriven_ids(conn: asyncpg.Connection, service: str) -> list[int]:
    """The dead letters of one service whose re-drive the broker acknowledged."""
    rows = await conn.fetch("SELECT dead_letter_id FROM dead_letter_redrives WHERE service = $1 AND published_at IS NOT NULL",
                            service)
    return [r["dead_letter_id"] for r in rows]
