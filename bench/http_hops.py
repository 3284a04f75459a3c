"""Where a district list's products spend their way to rating's dossier: each hop's time, read back from PostgreSQL.

Every hop ends in a commit or a transaction start that PostgreSQL stamped (``track_commit_timestamp`` is on in the
benchmark's cluster), so nothing is timed by polling:

- *relay wake-up*: the list's commit (its events' transaction) → the relay's claim of the outbox rows (``published_at``
  is the claiming transaction's start);
- *relay send*: the claim → the relay's commit marking the rows published (the broker's acknowledgements in between);
- *to rating's consumer*: the relay's commit → the start of rating's consumer transaction that takes the record (its
  inbox row's ``processed_at``): the broker, the consumer's fetch, and the wait for its previous transaction;
- *consumer transaction*: that start → the commit of the dossier row.

Beside them, rating's consumer transactions for these products: how many, products per transaction, and how much of
the step they kept the consumer busy (the sum of their durations over the step's span).
"""

from __future__ import annotations

from typing import Any

import asyncpg

from bench.kernel_path import percentile

HOPS = ("relay wake-up", "relay send", "to rating's consumer", "consumer transaction")

_PER_PRODUCT = """
WITH o AS (
    SELECT o.event_id, o.message_key AS product_id, o.created_at, o.published_at,
           pg_xact_commit_timestamp(o.xmin) AS relay_commit
    FROM registration.outbox o
    WHERE o.message_key = ANY($1::text[]) AND o.topic = $2
), listed AS (  -- each list's commit: its events share the command transaction's start with its outbox rows
    SELECT e.recorded_at, max(pg_xact_commit_timestamp(e.xmin)) AS committed
    FROM registration.events e
    WHERE e.recorded_at BETWEEN (SELECT min(created_at) FROM o) AND (SELECT max(created_at) FROM o)
    GROUP BY 1
)
SELECT extract(epoch FROM o.published_at - l.committed) * 1000 AS wake,
       extract(epoch FROM o.relay_commit - o.published_at) * 1000 AS send,
       extract(epoch FROM i.processed_at - o.relay_commit) * 1000 AS reach,
       extract(epoch FROM pg_xact_commit_timestamp(d.xmin) - i.processed_at) * 1000 AS consume,
       extract(epoch FROM i.processed_at) AS started, extract(epoch FROM pg_xact_commit_timestamp(d.xmin)) AS ended
FROM o
JOIN listed l ON l.recorded_at = o.created_at
JOIN rating.inbox i ON i.event_id = o.event_id AND i.consumer = $3
JOIN rating.dossiers d ON d.product_id = o.product_id
"""


async def hops(conn: asyncpg.Connection, products: list[str], topic: str, consumer: str) -> dict[str, Any]:
    """Each hop's p50 and p99 (ms) over ``products``, and rating's consumer transactions that took them."""
    rows = await conn.fetch(_PER_PRODUCT, products, topic, consumer)
    if not rows or any(r["wake"] is None for r in rows):  # commit timestamps off, or products not through yet
        return {}
    out: dict[str, Any] = {}
    for hop, column in zip(HOPS, ("wake", "send", "reach", "consume"), strict=True):
        values = [float(r[column]) for r in rows]
        out[hop] = {"p50": percentile(values, 50), "p99": percentile(values, 99)}
    transactions = {float(r["started"]): float(r["ended"]) for r in rows}  # one start per consumer transaction
    span = max(transactions.values()) - min(transactions)
    out["transactions"] = len(transactions)
    out["per_transaction"] = len(rows) / len(transactions)
    out["consumer_busy"] = sum(end - start for start, end in transactions.items()) / span if span > 0 else 0.0
    return out
