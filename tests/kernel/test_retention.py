"""Pruning by age: published outbox rows and inbox rows go once old enough; a pending outbox row never does."""

from __future__ import annotations

import uuid
from datetime import timedelta

from shared.retention import prune
from tests.kernel.support import new_topic, tally_service
from tests.kernel.tally import open_and_increment


async def test_pruning_takes_old_published_outbox_rows_and_old_inbox_rows_and_nothing_else(launcher):
    topic = new_topic(launcher)
    async with tally_service(launcher, topic, consume=False, relay=False) as svc:
        await open_and_increment(svc.uow(), f"t-{uuid.uuid4()}", "p-prune", [1, 2, 3, 4], topic)
        async with svc.pool.acquire() as conn:
            ids = [r["id"] for r in await conn.fetch("SELECT id FROM outbox ORDER BY id")]
            # Row 1 published long ago, row 2 published just now, rows 3 and 4 still pending (row 4 created long ago).
            await conn.execute("UPDATE outbox SET published_at = now() - interval '8 days' WHERE id = $1", ids[0])
            await conn.execute("UPDATE outbox SET published_at = now() WHERE id = $1", ids[1])
            await conn.execute("UPDATE outbox SET created_at = now() - interval '90 days' WHERE id = $1", ids[3])
            old, recent = uuid.uuid4(), uuid.uuid4()
            await conn.execute("INSERT INTO inbox VALUES ('c', $1, 't', 0, 1, now() - interval '31 days')", old)
            await conn.execute("INSERT INTO inbox VALUES ('c', $1, 't', 0, 2, now() - interval '29 days')", recent)
            pruned = await prune(conn, outbox_older_than=timedelta(days=7), inbox_older_than=timedelta(days=30))
            left = [r["id"] for r in await conn.fetch("SELECT id FROM outbox ORDER BY id")]
            inbox = {r["event_id"] for r in await conn.fetch("SELECT event_id FROM inbox WHERE consumer = 'c'")}

    assert (pruned.outbox, pruned.inbox) == (1, 1)
    assert left == ids[1:]
    assert inbox == {recent}
