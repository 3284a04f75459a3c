"""``feed_keys``: the read model of the FeedSubscription facts, and the lookups of the feed's key check and the CLI."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from services.monitoring.feed.domain.keys import KeyIssued, KeyRevoked
from shared.events import Recorded
from shared.projections import EventWriters, Writer


async def _issued(conn: asyncpg.Connection, r: Recorded) -> None:
    e: KeyIssued = r.event
    await conn.execute(
        "INSERT INTO feed_keys (key_id, organisation, event_types, rate_per_minute, secret_hash, issued_by, issued_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7)",
        e.key_id, e.organisation, list(e.event_types), e.rate_per_minute, e.secret_hash, e.issued_by, e.issued_at)


async def _revoked(conn: asyncpg.Connection, r: Recorded) -> None:
    e: KeyRevoked = r.event
    await conn.execute("UPDATE feed_keys SET revoked_by = $2, revoked_at = $3 WHERE key_id = $1",
                       e.key_id, e.revoked_by, e.revoked_at)


class FeedKeysProjection(EventWriters):
    name = "feed_keys"
    tables = ("feed_keys",)
    writers: dict[type, Writer] = {KeyIssued: _issued, KeyRevoked: _revoked}


@dataclass(frozen=True)
class FeedKey:
    key_id: str
    organisation: str
    event_types: tuple[str, ...]
    rate_per_minute: int
    secret_hash: str
    issued_by: str
    issued_at: datetime
    revoked_by: str | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, row: asyncpg.Record) -> FeedKey:
        return cls(**{**dict(row), "event_types": tuple(row["event_types"])})


_COLUMNS = ("key_id, organisation, event_types, rate_per_minute, secret_hash, issued_by, issued_at, revoked_by,"
            " revoked_at")


async def find(conn: asyncpg.Connection, key_id: str) -> FeedKey | None:
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM feed_keys WHERE key_id = $1", key_id)
    return FeedKey.of(row) if row else None


async def every(conn: asyncpg.Connection) -> list[FeedKey]:
    return [FeedKey.of(row) for row in await conn.fetch(f"SELECT {_COLUMNS} FROM feed_keys ORDER BY issued_at, key_id")]
