"""Pruning by age: the outbox and the inbox are working sets, the event store is the record.

A published outbox row is needed only until the broker holds its event; if the broker loses it later, the relay
derives it again from the store (``shared.publication.regenerate_outbox``). An inbox row is needed while the broker
may still redeliver its event; consumers' aggregates also recognise a repeat by its stable event id.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

import asyncpg
import structlog

from shared.settings import KernelSettings

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Pruned:
    outbox: int
    inbox: int


async def prune(conn: asyncpg.Connection, *, outbox_older_than: timedelta, inbox_older_than: timedelta) -> Pruned:
    """Delete published outbox rows and inbox rows older than the given ages; pending outbox rows are never pruned."""
    outbox = await conn.fetchval(
        "WITH d AS (DELETE FROM outbox WHERE published_at IS NOT NULL AND published_at <= now() - $1::interval"
        " RETURNING 1) SELECT count(*) FROM d", outbox_older_than)
    inbox = await conn.fetchval(
        "WITH d AS (DELETE FROM inbox WHERE processed_at <= now() - $1::interval RETURNING 1) SELECT count(*) FROM d",
        inbox_older_than)
    return Pruned(outbox, inbox)


async def prune_periodically(pool: asyncpg.Pool, settings: KernelSettings) -> None:
    """Prune by the settings' ages at start and every ``prune_every_seconds``; a failed round waits for the next."""
    while True:
        try:
            async with pool.acquire() as conn:
                pruned = await prune(conn, outbox_older_than=timedelta(days=settings.outbox_retention_days),
                                     inbox_older_than=timedelta(days=settings.inbox_retention_days))
            if pruned.outbox or pruned.inbox:
                log.info("pruned", outbox_rows=pruned.outbox, inbox_rows=pruned.inbox)
        except Exception as exc:  # the database is away: the next round prunes what this one could not
            log.warning("pruning failed", error=str(exc))
        await asyncio.sleep(settings.prune_every_seconds)
