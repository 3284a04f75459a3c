"""Event store on asyncpg: one stream per aggregate, a version per stream, optimistic concurrency."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg


class ConcurrencyError(Exception):
    """The stream moved since it was read; reload and retry (HTTP 409)."""

    def __init__(self, stream_id: str, expected_version: int) -> None:
        super().__init__(f"stream {stream_id!r} is no longer at version {expected_version}; reload and retry")
        self.stream_id = stream_id
        self.expected_version = expected_version


class WrongStreamType(Exception):
    """The id is taken by an aggregate of another type (HTTP 409)."""

    def __init__(self, stream_id: str, wanted: str, actual: str) -> None:
        super().__init__(f"id {stream_id!r} belongs to a {actual}, not a {wanted}")
        self.stream_id = stream_id
        self.wanted = wanted
        self.actual = actual


@dataclass(frozen=True)
class NewEvent:
    event_type: str
    data: dict[str, Any]
    metadata: dict[str, Any] = field(default_factory=dict)
    schema_version: int = 1
    event_id: uuid.UUID = field(default_factory=uuid.uuid4)


@dataclass(frozen=True)
class StoredEvent:
    position: int
    stream_id: str
    stream_type: str
    version: int
    event_id: uuid.UUID
    event_type: str
    schema_version: int
    data: dict[str, Any]
    metadata: dict[str, Any]
    recorded_at: datetime


_COLUMNS = "position, stream_id, stream_type, version, event_id, event_type, schema_version, data, metadata, recorded_at"

# One round trip: the version check and the insert of every event happen in a single statement.
_APPEND = """
WITH head AS (
    SELECT coalesce(max(version), 0) AS version, coalesce(bool_and(stream_type = $2), true) AS same_type
    FROM events WHERE stream_id = $1
)
INSERT INTO events (stream_id, stream_type, version, event_id, event_type, schema_version, data, metadata)
SELECT $1, $2, $3 + e.ord, e.event_id, e.event_type, e.schema_version, e.data::jsonb, e.metadata::jsonb
FROM unnest($4::uuid[], $5::text[], $6::int[], $7::text[], $8::text[])
     WITH ORDINALITY AS e(event_id, event_type, schema_version, data, metadata, ord), head
WHERE head.version = $3 AND head.same_type
ORDER BY e.ord
RETURNING position, version, recorded_at
"""


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _stored(row: asyncpg.Record) -> StoredEvent:
    return StoredEvent(**dict(row))


class EventStore:
    """Works on one connection, so the caller's transaction holds the append."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def append(
        self, stream_id: str, stream_type: str, expected_version: int, events: Sequence[NewEvent]
    ) -> list[StoredEvent]:
        if not events:
            return []
        try:
            rows = await self._conn.fetch(
                _APPEND,
                stream_id,
                stream_type,
                expected_version,
                [e.event_id for e in events],
                [e.event_type for e in events],
                [e.schema_version for e in events],
                [_dumps(e.data) for e in events],
                [_dumps(e.metadata) for e in events],
            )
        except asyncpg.UniqueViolationError as exc:
            if exc.constraint_name == "events_stream_version_key":
                raise ConcurrencyError(stream_id, expected_version) from exc
            raise
        if len(rows) != len(events):
            actual = await self._conn.fetchval("SELECT stream_type FROM events WHERE stream_id = $1 LIMIT 1", stream_id)
            if actual is not None and actual != stream_type:
                raise WrongStreamType(stream_id, stream_type, actual)
            raise ConcurrencyError(stream_id, expected_version)
        # Built from what we wrote rather than decoding the JSON back.
        return [
            StoredEvent(row["position"], stream_id, stream_type, row["version"], e.event_id, e.event_type,
                        e.schema_version, e.data, e.metadata, row["recorded_at"])
            for row, e in zip(sorted(rows, key=lambda r: r["version"]), events)
        ]

    async def read_stream(self, stream_id: str, after_version: int = 0) -> list[StoredEvent]:
        rows = await self._conn.fetch(
            f"SELECT {_COLUMNS} FROM events WHERE stream_id = $1 AND version > $2 ORDER BY version",
            stream_id,
            after_version,
        )
        return [_stored(r) for r in rows]

    async def read_all(self, after_position: int = 0, limit: int = 1000) -> list[StoredEvent]:
        """Events in store order; a reader in one snapshot transaction pages through a consistent history."""
        rows = await self._conn.fetch(
            f"SELECT {_COLUMNS} FROM events WHERE position > $1 ORDER BY position LIMIT $2", after_position, limit
        )
        return [_stored(r) for r in rows]

    async def read_positions(self, positions: Sequence[int]) -> list[StoredEvent]:
        """The events at these positions that this transaction sees, in store order."""
        rows = await self._conn.fetch(
            f"SELECT {_COLUMNS} FROM events WHERE position = ANY($1::bigint[]) ORDER BY position", positions
        )
        return [_stored(r) for r in rows]

    async def stream_version(self, stream_id: str) -> int:
        return await self._conn.fetchval("SELECT coalesce(max(version), 0) FROM events WHERE stream_id = $1", stream_id)
