"""The kernel tables every service keeps in its own schema, read for operators: the outbox and the dead letters.

These are the pipeline's machinery, not any service's domain data: monitoring reads them as an operator would, to
say how far each relay is behind and what each consumer gave up on. The services share one PostgreSQL with a schema
each (``shared.settings``: schema = service name); a service given a database of its own
(``OCOP_<SERVICE>_DATABASE_URL``) is read there. Besides the four services, any schema of monitoring's database
holding both kernel tables is a service too (a replica set, a test service).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg

from services.monitoring.operations.domain.redrive import DeadLetter
from shared.readmodels import Where, page
from shared.settings import SERVICES

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


def valid_service(name: str) -> bool:
    """A name that can be a service's schema (it is quoted into SQL, so nothing else is let through)."""
    return bool(_NAME.fullmatch(name))


@dataclass(frozen=True)
class OutboxFigures:
    pending: int
    oldest_seconds: float


@dataclass(frozen=True)
class DeadLetterFigures:
    total: int
    awaiting: int
    """Not re-driven (by monitoring) yet."""
    by_consumer: tuple[dict[str, Any], ...]


class ServiceTables:
    def __init__(self, pool: asyncpg.Pool, own_url: str, environ: Mapping[str, str] | None = None) -> None:
        self._pool = pool
        self._own_url = own_url
        self._environ = os.environ if environ is None else environ

    @asynccontextmanager
    async def connection(self, service: str) -> AsyncIterator[asyncpg.Connection]:
        url = self._environ.get(f"OCOP_{service.upper()}_DATABASE_URL") or self._own_url
        if url == self._own_url:
            async with self._pool.acquire() as conn:
                yield conn
            return
        conn = await asyncpg.connect(url, timeout=5)
        try:
            yield conn
        finally:
            await conn.close()

    async def services(self) -> list[str]:
        """The four services, then every other schema of monitoring's database that holds an outbox and dead letters."""
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT table_schema FROM information_schema.tables WHERE table_name IN ('outbox', 'dead_letters')"
                " GROUP BY table_schema HAVING count(*) = 2 ORDER BY table_schema")
        others = [r["table_schema"] for r in rows if r["table_schema"] not in SERVICES and valid_service(r["table_schema"])]
        return [*SERVICES, *others]

    async def outbox(self, service: str) -> OutboxFigures | None:
        """Events recorded and not yet published, and how long the oldest has waited; None without the table."""
        async with self.connection(service) as conn:
            if not await _has(conn, service, "outbox"):
                return None
            row = await conn.fetchrow(
                f"SELECT count(*) AS pending, extract(epoch FROM now() - min(created_at)) AS oldest"
                f' FROM "{service}".outbox WHERE published_at IS NULL')
        return OutboxFigures(row["pending"], float(row["oldest"] or 0))

    async def dead_letter_figures(self, service: str, redriven: Sequence[int]) -> DeadLetterFigures | None:
        async with self.connection(service) as conn:
            if not await _has(conn, service, "dead_letters"):
                return None
            rows = await conn.fetch(
                f"SELECT consumer, count(*) AS total, count(*) FILTER (WHERE NOT (id = ANY($1::bigint[]))) AS awaiting,"
                f" max(failed_at) AS last_failed_at FROM \"{service}\".dead_letters GROUP BY consumer ORDER BY consumer",
                list(redriven))
        consumers = tuple(dict(r) for r in rows)
        return DeadLetterFigures(sum(r["total"] for r in consumers), sum(r["awaiting"] for r in consumers), consumers)

    async def dead_letters(self, service: str, consumer: str | None, limit: int, offset: int) -> dict[str, Any] | None:
        """One page of the service's dead letters, newest first, each with the event it carries when it is one."""
        async with self.connection(service) as conn:
            if not await _has(conn, service, "dead_letters"):
                return None
            found = await page(conn, columns="d.*", source=f'"{service}".dead_letters d',
                               where=Where("d").equal(consumer=consumer), order_by="d.id DESC", limit=limit, offset=offset)
        return {"total": found["total"], "items": [_listed(service, row) for row in found["items"]]}

    async def _row(self, service: str, dead_letter_id: int) -> Mapping[str, Any] | None:
        if not valid_service(service):
            return None
        async with self.connection(service) as conn:
            if not await _has(conn, service, "dead_letters"):
                return None
            return await conn.fetchrow(f'SELECT * FROM "{service}".dead_letters WHERE id = $1', dead_letter_id)

    async def find(self, service: str, dead_letter_id: int) -> DeadLetter | None:
        """One dead letter with its record (the re-drive's source)."""
        row = await self._row(service, dead_letter_id)
        return _letter(service, row) if row is not None else None

    async def dead_letter(self, service: str, dead_letter_id: int) -> dict[str, Any] | None:
        """One dead letter as the list shows it, with its record's value."""
        row = await self._row(service, dead_letter_id)
        return _listed(service, row) if row is not None else None


async def _has(conn: asyncpg.Connection, schema: str, table: str) -> bool:
    return valid_service(schema) and await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", f'"{schema}".{table}')


def _letter(service: str, row: Mapping[str, Any]) -> DeadLetter:
    return DeadLetter(service, row["id"], row["consumer"], row["topic"], row["kafka_partition"], row["kafka_offset"],
                      row["message_key"], row["payload"], row["error"], row["attempts"], row["failed_at"],
                      row["published_at"] is not None)


def _listed(service: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """A dead letter as the list shows it: where it failed, why, and which event it carries (when it is JSON)."""
    carried = _carried(row["payload"])
    return {"service": service, "dead_letter_id": row["id"], "consumer": row["consumer"], "topic": row["topic"],
            "partition": row["kafka_partition"], "offset": row["kafka_offset"],
            "key": (row["message_key"] or b"").decode("utf-8", "replace") or None, "error": row["error"],
            "attempts": row["attempts"], "failed_at": row["failed_at"], "dead_lettered": row["published_at"] is not None,
            "event_id": carried.get("event_id"), "event_type": carried.get("event_type"),
            "product_id": carried.get("product_id"), "payload": (row["payload"] or b"").decode("utf-8", "replace")}


def _carried(payload: bytes | None) -> dict[str, Any]:
    try:
        value = json.loads(payload or b"")
    except ValueError:
        return {}
    return {k: value.get(k) for k in ("event_id", "event_type", "product_id") if isinstance(value.get(k), str)} \
        if isinstance(value, dict) else {}
