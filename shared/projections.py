"""Projections (read models) are disposable: derived from events, rebuilt at will (``shared.rebuild``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

import asyncpg

from shared.aggregate import DomainEvent
from shared.events import Recorded


class Projection(Protocol):
    """Read-model writer. ``apply`` must give the same rows whether events come live or from a rebuild.

    It receives typed events (decoded through the service's upcasters), so a stored shape that changed replays.
    """

    name: str
    tables: Sequence[str]

    async def apply(self, conn: asyncpg.Connection, events: Sequence[Recorded]) -> None: ...


def memo_of(conn: object) -> Any:
    """The ``shared.batched.Memo`` of a rebuild's connection, or None (the live path: read the rows)."""
    return getattr(conn, "memo", None)


Writer = Callable[[asyncpg.Connection, Recorded], Awaitable[None]]


class EventWriters:
    """A projection made of one row writer per event class; events without a writer leave it unchanged."""

    name: str = ""
    tables: Sequence[str] = ()
    writers: dict[type[DomainEvent], Writer] = {}

    async def apply(self, conn: asyncpg.Connection, events: Sequence[Recorded]) -> None:
        for recorded in events:
            writer = self.writers.get(type(recorded.event))
            if writer is not None:
                await writer(conn, recorded)


async def apply_all(conn: asyncpg.Connection, projections: Sequence[Projection], events: Sequence[Recorded]) -> None:
    if events:
        for projection in projections:
            await projection.apply(conn, events)
