"""The rebuild's batched connection writes what the writers' own statements write, whatever the values."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from shared.batched import BatchedConnection, Memo
from shared.db import create_pool

_TABLE = ("CREATE TABLE things (k INT, t TEXT, n NUMERIC, f DOUBLE PRECISION, b BOOLEAN, d DATE, ts TIMESTAMPTZ,"
          " i INTERVAL, u UUID, j JSONB, tags TEXT[], nums INT[], raw BYTEA)")
_INSERT = "INSERT INTO things VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
ROWS = [
    (1, "it's a \\ back'slash \"quote\" Hà Trung", Decimal("12.3400"), 1.5, True, dt.date(2021, 3, 1),
     dt.datetime(2021, 3, 1, 8, 30, 0, 123456, tzinfo=dt.timezone(dt.timedelta(hours=7))), dt.timedelta(days=2, seconds=5),
     uuid.uuid4(), {"a": ["x", None, 1.25], "b": "it's"}, ["a,b", 'q"uote', None, "back\\slash", "{brace}"], [1, None, -3],
     b"\x00\x01'\\"),
    (2, None, None, None, False, None, None, None, None, None, None, None, None),
    (3, "", Decimal("-0"), -0.1, None, dt.date(1999, 12, 31), dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc),
     dt.timedelta(microseconds=7), uuid.uuid4(), "a JSON string", [], [], b""),
]


async def test_statements_sent_in_batches_write_the_rows_the_same_statements_write_one_by_one(launcher):
    schema = f"kb_{uuid.uuid4().hex[:10]}"
    pool = await create_pool(launcher.database_url, schema, max_size=1)
    try:
        async with pool.acquire() as conn:
            await conn.execute(_TABLE)
            await conn.execute(_TABLE.replace("things", "batched"))
            for row in ROWS:
                await conn.execute(_INSERT, *row)
            batched = BatchedConnection(conn, flush_at=2)
            for row in ROWS[:2]:
                await batched.execute(_INSERT.replace("things", "batched"), *row)
            await batched.executemany(_INSERT.replace("things", "batched"), ROWS[2:])
            await batched.execute("UPDATE batched SET k = k * 10 WHERE k = $1", 3)
            read = await batched.fetchval("SELECT count(*) FROM batched WHERE k = 30")  # waits for what was kept
            await batched.close()
            await conn.execute("UPDATE things SET k = k * 10 WHERE k = 3")
            one_by_one = [tuple(r) for r in await conn.fetch("SELECT * FROM things ORDER BY k")]
            in_batches = [tuple(r) for r in await conn.fetch("SELECT * FROM batched ORDER BY k")]
            left = await conn.fetchval("SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'rebuild_%'")
            await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    finally:
        await pool.close()

    assert in_batches == one_by_one and len(one_by_one) == 3
    assert read == 1 and batched.statements == 4 and batched.round_trips >= 2
    assert left == 0


async def test_the_memo_is_forgotten_with_what_a_failed_transaction_kept_and_when_full(launcher):
    pool = await create_pool(launcher.database_url, f"kb_{uuid.uuid4().hex[:10]}", max_size=1)
    try:
        async with pool.acquire() as conn:
            batched = BatchedConnection(conn, fresh=True)
            batched.memo.keep("a", 1)
            kept_before = dict(batched.memo), batched.memo.complete
            await batched.discard()  # the writes the memo stood for were rolled back
            after_discard = dict(batched.memo), batched.memo.complete
            await batched.close()
    finally:
        await pool.close()
    assert kept_before == ({"a": 1}, True)
    assert after_discard == ({}, False)  # writers read the rows again


def test_a_full_memo_forgets_everything_and_is_no_longer_complete():
    memo = Memo(complete=True, limit=2)
    memo.keep("a", 1)
    memo.keep("b", 2)
    memo.keep("b", 3)  # a key it holds: nothing forgotten
    full = dict(memo), memo.complete
    memo.keep("c", 4)
    assert full == ({"a": 1, "b": 3}, True)
    assert dict(memo) == {"c": 4} and not memo.complete
