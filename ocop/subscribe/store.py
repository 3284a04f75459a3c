"""The subscriber's own state in one SQLite file: where it is in its source, what it applied, the table.

Every page of the feed (or batch of Kafka records) is applied in ONE transaction that writes the events applied,
the products they changed and the new position (the feed's ``after``, or the next offset of each Kafka partition).
So the position never runs ahead of the table nor behind it: a process killed at any instant restarts from the
position of the last committed page and applies the rest once. An event already in ``applied`` (by ``event_id``) is
skipped, a second guard against a source that repeats itself (a relay that republished an event, a feed read twice).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ocop.subscribe.errors import SubscribeError
from ocop.subscribe.table import Product, apply

SCHEMA = """
CREATE TABLE IF NOT EXISTS source (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    kind    TEXT NOT NULL,          -- feed | kafka
    address TEXT NOT NULL           -- the feed's URL or the bootstrap servers
);
CREATE TABLE IF NOT EXISTS feed_position (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    after INTEGER NOT NULL          -- the feed position to pass as `after` next
);
CREATE TABLE IF NOT EXISTS kafka_offsets (
    topic       TEXT NOT NULL,
    partition   INTEGER NOT NULL,
    next_offset INTEGER NOT NULL,   -- the offset to read next (seeked to on start)
    PRIMARY KEY (topic, partition)
);
CREATE TABLE IF NOT EXISTS applied (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,  -- the order this subscriber applied them in
    event_id   TEXT NOT NULL UNIQUE,
    event_type TEXT NOT NULL,
    product_id TEXT NOT NULL,
    position   INTEGER,                            -- the feed's position (feed mode)
    topic      TEXT,                               -- where it was read (Kafka mode)
    partition  INTEGER,
    "offset"   INTEGER
);
CREATE TABLE IF NOT EXISTS products (
    product_id    TEXT PRIMARY KEY,
    district_code TEXT,
    name          TEXT,
    stars         INTEGER NOT NULL,
    certificate   TEXT,
    status        TEXT
);
"""


class StateMismatch(SubscribeError):
    """The state file follows another source than the one asked for."""


@dataclass(frozen=True)
class Incoming:
    """One public event as read from the feed or a topic: its envelope and where it was."""

    envelope: dict[str, Any]
    position: int | None = None
    topic: str | None = None
    partition: int | None = None
    offset: int | None = None

    @property
    def event_id(self) -> str:
        return str(self.envelope["event_id"])


class Store:
    def __init__(self, path: Path) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: transactions are ours (BEGIN IMMEDIATE … COMMIT), not the module's implicit ones.
            self.db = sqlite3.connect(path, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")  # a committed page survives a power cut too, not only kill -9
            self.db.executescript(SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise SubscribeError(f"cannot use {path} as the subscriber's state file: {exc}") from None

    def close(self) -> None:
        self.db.close()

    def bind(self, kind: str, address: str) -> None:
        """Tie the file to its source on first use; refuse another source later (positions mean nothing there)."""
        row = self.db.execute("SELECT kind, address FROM source").fetchone()
        if row is None:
            self.db.execute("INSERT INTO source (id, kind, address) VALUES (1, ?, ?)", (kind, address))
        elif row != (kind, address):
            raise StateMismatch(f"this state file follows {row[0]} {row[1]}, not {kind} {address}; "
                                f"use another --state file")

    def feed_after(self) -> int:
        row = self.db.execute("SELECT after FROM feed_position").fetchone()
        return row[0] if row else 0

    def kafka_offsets(self) -> dict[tuple[str, int], int]:
        return {(t, p): o for t, p, o in self.db.execute("SELECT topic, partition, next_offset FROM kafka_offsets")}

    def apply_page(self, events: Iterable[Incoming], *, after: int | None = None,
                   offsets: dict[tuple[str, int], int] | None = None) -> int:
        """Apply ``events`` in order and move to ``after`` (feed) or ``offsets`` (Kafka), all in one transaction;
        the number of events applied (repeats skipped)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            applied = sum(self._apply(event) for event in events)
            if after is not None:
                self.db.execute("INSERT INTO feed_position (id, after) VALUES (1, ?) "
                                "ON CONFLICT (id) DO UPDATE SET after = excluded.after", (after,))
            for (topic, partition), offset in (offsets or {}).items():
                self.db.execute("INSERT INTO kafka_offsets (topic, partition, next_offset) VALUES (?, ?, ?) "
                                "ON CONFLICT (topic, partition) DO UPDATE SET next_offset = excluded.next_offset",
                                (topic, partition, offset))
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")
        return applied

    def _apply(self, event: Incoming) -> bool:
        e = event.envelope
        inserted = self.db.execute(
            'INSERT INTO applied (event_id, event_type, product_id, position, topic, partition, "offset") '
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING",
            (event.event_id, e["event_type"], e["product_id"], event.position, event.topic, event.partition,
             event.offset)).rowcount
        if not inserted:
            return False
        before = self.product(e["product_id"])
        after = apply(before, e)
        if after is not None and after != before:
            self.db.execute(
                "INSERT INTO products (product_id, district_code, name, stars, certificate, status) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (product_id) DO UPDATE SET district_code = excluded.district_code,"
                " name = excluded.name, stars = excluded.stars, certificate = excluded.certificate,"
                " status = excluded.status",
                (after.product_id, after.district_code, after.name, after.stars, after.certificate, after.status))
        return True

    def product(self, product_id: str) -> Product | None:
        row = self.db.execute("SELECT product_id, district_code, name, stars, certificate, status FROM products "
                              "WHERE product_id = ?", (product_id,)).fetchone()
        return Product(*row) if row else None

    def products(self) -> list[Product]:
        return [Product(*row) for row in self.db.execute(
            "SELECT product_id, district_code, name, stars, certificate, status FROM products ORDER BY product_id")]

    def applied_count(self) -> int:
        return self.db.execute("SELECT count(*) FROM applied").fetchone()[0]

    def applied(self) -> list[dict[str, Any]]:
        """Every event applied, in the order applied."""
        cursor = self.db.execute('SELECT event_id, event_type, product_id, position, topic, partition, "offset" '
                                 "FROM applied ORDER BY seq")
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row)) for row in cursor]
