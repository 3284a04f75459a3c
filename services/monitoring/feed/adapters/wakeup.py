"""Long-polling readers wake when a position commits: one ``LISTEN`` connection per process fans NOTIFYs out to every
waiting request, with a bounded re-check as the fallback (a lost listener, a notification in flight)."""

from __future__ import annotations

import asyncio
from contextlib import suppress
from typing import Any

import asyncpg
import structlog

from services.monitoring.feed.adapters.log import channel

log = structlog.get_logger(__name__)


class Wakeups:
    """``generation`` counts the notifications heard; a reader notes it before it queries and, finding nothing,
    waits until it moves on: a commit after the query notifies after the note, so it is never missed."""

    def __init__(self, database_url: str, schema: str) -> None:
        self._url, self._channel = database_url, channel(schema)
        self.generation = 0
        self.waiting = 0  # readers waiting now (tests wait for a reader to be waiting)
        self._moved = asyncio.Event()
        self._conn: asyncpg.Connection | None = None
        self._connecting = asyncio.Lock()

    async def listening(self) -> bool:
        """Connect and LISTEN unless already; False when the database cannot be reached (readers re-check instead)."""
        if self._conn is not None and not self._conn.is_closed():
            return True
        async with self._connecting:
            if self._conn is not None and not self._conn.is_closed():
                return True
            try:
                conn = await asyncpg.connect(self._url, server_settings={"application_name": "ocop-feed-listener"})
                await conn.add_listener(self._channel, self._heard)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("feed listener cannot connect; readers re-check on a timer", error=str(exc))
                return False
            conn.add_termination_listener(lambda _: self._moved_on())
            self._conn = conn
            self._moved_on()  # what committed while nobody listened: every waiter looks again
            return True

    def _heard(self, *_: Any) -> None:
        self._moved_on()

    def _moved_on(self) -> None:
        self.generation += 1
        moved, self._moved = self._moved, asyncio.Event()
        moved.set()

    async def wait_past(self, generation: int, timeout: float) -> None:
        """Until a notification after ``generation`` was heard, or ``timeout`` seconds."""
        if self.generation > generation or timeout <= 0:
            return
        self.waiting += 1
        try:
            with suppress(TimeoutError):
                await asyncio.wait_for(self._moved.wait(), timeout)
        finally:
            self.waiting -= 1

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with suppress(Exception):
                await asyncio.wait_for(conn.close(), 5)
