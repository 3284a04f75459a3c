"""Read models of audit and operations, written in the transaction that stores their facts.

``audit_timeline``: one row per public event heard (``PublicEventObserved``); ``dead_letter_redrives``: one row per
dead letter asked to be re-driven. Each writer stores what its fact carries and decides nothing.
"""

from __future__ import annotations

import uuid

import asyncpg
from pydantic_core import to_jsonable_python

from services.monitoring.operations.domain.audit import PublicEventObserved
from services.monitoring.operations.domain.redrive import RedriveFailed, RedrivePublished, RedriveRequested
from shared.events import Recorded
from shared.projections import EventWriters, Writer


def _uuid(value: str | None) -> uuid.UUID | None:
    return uuid.UUID(value) if value else None


async def _observed(conn: asyncpg.Connection, r: Recorded) -> None:
    e = r.event.event
    refs = to_jsonable_python(e.references)  # each Reference a JSON object of its fields, as asdict gives
    await conn.execute(
        "INSERT INTO audit_timeline (event_id, product_id, event_type, source, occurred_at, actor_id, actor_role,"
        " correlation_id, causation_id, trace_id, refs, summary, observed_at, position)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, $13, $14)",
        uuid.UUID(e.event_id), e.product_id, e.event_type, e.source, e.occurred_at, e.actor_id, e.actor_role,
        uuid.UUID(e.correlation_id), _uuid(e.causation_id), e.trace_id, refs, e.summary, r.recorded_at, r.position)


class TimelineProjection(EventWriters):
    name = "audit_timeline"
    tables = ("audit_timeline",)
    writers: dict[type, Writer] = {PublicEventObserved: _observed}


async def _requested(conn: asyncpg.Connection, r: Recorded) -> None:
    e: RedriveRequested = r.event
    letter, by = e.letter, e.requested_by
    await conn.execute(
        "INSERT INTO dead_letter_redrives (service, dead_letter_id, consumer, topic, kafka_partition, kafka_offset,"
        " event_id, event_type, product_id, state, requested_by, requested_by_role, requested_at, requests)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'requested', $10, $11, $12, 1)"
        " ON CONFLICT (service, dead_letter_id) DO UPDATE SET state = 'requested', requested_by = EXCLUDED.requested_by,"
        " requested_by_role = EXCLUDED.requested_by_role, requested_at = EXCLUDED.requested_at,"
        " requests = dead_letter_redrives.requests + 1",
        letter.service, letter.dead_letter_id, letter.consumer, letter.topic, letter.partition, letter.offset,
        uuid.UUID(letter.event_id), letter.event_type, letter.product_id, by.id, by.role, e.requested_at)


async def _published(conn: asyncpg.Connection, r: Recorded) -> None:
    e: RedrivePublished = r.event
    await conn.execute("UPDATE dead_letter_redrives SET state = 'published', published_at = $3"
                       " WHERE service = $1 AND dead_letter_id = $2", e.service, e.dead_letter_id, e.published_at)


async def _failed(conn: asyncpg.Connection, r: Recorded) -> None:
    e: RedriveFailed = r.event
    await conn.execute("UPDATE dead_letter_redrives SET state = 'failed', failed_at = $3, failure = $4"
                       " WHERE service = $1 AND dead_letter_id = $2", e.service, e.dead_letter_id, e.failed_at, e.reason)


class RedriveProjection(EventWriters):
    name = "dead_letter_redrives"
    tables = ("dead_letter_redrives",)
    writers: dict[type, Writer] = {RedriveRequested: _requested, RedrivePublished: _published, RedriveFailed: _failed}
