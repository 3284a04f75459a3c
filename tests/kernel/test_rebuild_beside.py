"""Rebuilds beside the live tables (issue 16): the live tables serve until one short swap, an interrupted build
resumes from its checkpoint, one projection is rebuilt alone, live writes during the build and the swap are kept,
and a position committed after the build passed it (a hole) is applied."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from shared.eventstore import EventStore
from shared.projections import Projection, apply_all
from shared.rebuild import RebuildError, rebuild
from tests.kernel.support import eventually, new_topic, tally_service
from tests.kernel.tally import Tally, open_and_increment

BATCH = 5


class Gate:
    """Wraps a projection for a rebuild: after ``after`` events it stops, in the middle of a batch, until let go."""

    def __init__(self, inner: Projection, after: int) -> None:
        self.name, self.tables, self.inner, self.after = inner.name, inner.tables, inner, after
        self.__wrapped__ = inner  # the rebuild fingerprints the inner projection's code
        self.seen = 0
        self.reached, self.go = asyncio.Event(), asyncio.Event()

    async def apply(self, conn: asyncpg.Connection, events: Sequence[Any]) -> None:
        await self.inner.apply(conn, events)
        self.seen += len(events)
        if self.seen >= self.after and not self.reached.is_set():
            self.reached.set()
            await self.go.wait()


def tallies_of(svc) -> Projection:
    return next(p for p in svc.projections if p.name == "tallies")


async def rows(svc, table: str = "tallies") -> list[tuple]:
    async with svc.pool.acquire() as conn:
        return [tuple(r) for r in await conn.fetch(f"SELECT * FROM {table} ORDER BY 1")]


async def oid(svc, table: str) -> int:
    async with svc.pool.acquire() as conn:
        return await conn.fetchval("SELECT $1::text::regclass::oid", table)


async def checkpoint(svc, name: str = "tallies") -> asyncpg.Record | None:
    async with svc.pool.acquire() as conn:
        return await conn.fetchrow("SELECT * FROM projection_rebuilds WHERE projection = $1", name)


async def season(svc, topic: str, count: int = 10) -> int:
    """``count`` tallies of 3 events each; returns the number of events stored."""
    for i in range(count):
        await open_and_increment(svc.uow(), f"t-{i:03d}", f"p-{i}", [1, i + 1], topic)
    return 3 * count


async def corrupt(svc) -> list[tuple]:
    """The live rows marked, so a read tells the old table from the rebuilt one; returns the true rows."""
    true = await rows(svc)
    async with svc.pool.acquire() as conn:
        await conn.execute("UPDATE tallies SET total = -1")
    return true


@asynccontextmanager
async def seasoned(launcher) -> AsyncIterator[tuple[Any, int, list[tuple]]]:
    """A tally service after a season, its live rows corrupted: (service, events stored, the true rows)."""
    topic = new_topic(launcher)
    async with tally_service(launcher, topic, consume=False, relay=False) as svc:
        events = await season(svc, topic)
        yield svc, events, await corrupt(svc)


async def paused(svc, after: int) -> tuple[Gate, asyncio.Task[int]]:
    """A rebuild of the tallies (batches of ``BATCH``), stopped in the middle of the batch that passes ``after``."""
    gate = Gate(tallies_of(svc), after=after)
    task = asyncio.create_task(rebuild(svc.pool, [gate], svc.definition.events, batch_size=BATCH))
    await asyncio.wait_for(gate.reached.wait(), 30)
    return gate, task


async def test_reads_see_the_live_rows_while_the_copy_fills_and_the_rebuilt_rows_after_the_swap(launcher):
    async with seasoned(launcher) as (svc, events, true):
        gate, task = await paused(svc, after=15)
        during = await rows(svc)
        async with svc.pool.acquire() as conn:
            beside = await conn.fetchval(f'SELECT count(*) FROM "{svc.settings.schema}_rebuild_tallies".tallies')
        gate.go.set()
        assert await asyncio.wait_for(task, 30) == events
        after = await rows(svc)
        leftover = await checkpoint(svc)

    assert {r[3] for r in during} == {-1} and len(during) == 10
    assert 0 < beside < 10
    assert after == true
    assert leftover is None


async def test_an_interrupted_rebuild_leaves_the_live_tables_and_the_next_run_resumes_from_its_checkpoint(launcher):
    async with seasoned(launcher) as (svc, events, true):
        gate, task = await paused(svc, after=17)
        task.cancel()  # mid-batch, as a killed process or a lost connection would stop it
        await asyncio.gather(task, return_exceptions=True)
        interrupted = await rows(svc)
        saved = await checkpoint(svc)
        resumed = await rebuild(svc.pool, svc.projections, svc.definition.events, only=["tallies"], batch_size=BATCH)
        after = await rows(svc)

    assert {r[3] for r in interrupted} == {-1}
    assert saved["applied"] == 15 and saved["position"] > 0  # three committed batches; the fourth rolled back
    assert resumed == events - 15
    assert after == true


async def test_a_build_whose_connection_is_lost_resumes_and_restart_throws_the_partial_build_away(launcher):
    async with seasoned(launcher) as (svc, events, true):
        gate, task = await paused(svc, after=12)
        async with svc.pool.acquire() as conn:
            # The build's connection: the pool's one in a transaction (the batch the gate holds open).
            killed = await conn.fetchval(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE state = 'idle in transaction'"
                " AND application_name = current_setting('application_name') AND pid <> pg_backend_pid()")
        gate.go.set()
        outcome = (await asyncio.gather(task, return_exceptions=True))[0]
        saved = await checkpoint(svc)
        restarted = await rebuild(svc.pool, svc.projections, svc.definition.events, only=["tallies"], restart=True,
                                  batch_size=BATCH)
        after = await rows(svc)

    assert killed and isinstance(outcome, Exception)
    assert saved["applied"] == 10
    assert restarted == events
    assert after == true


async def test_a_second_rebuild_of_a_projection_being_rebuilt_is_refused_and_the_first_one_finishes(launcher):
    async with seasoned(launcher) as (svc, events, true):
        gate, task = await paused(svc, after=12)
        second = await asyncio.gather(rebuild(svc.pool, svc.projections, svc.definition.events, only=["tallies"],
                                              restart=True, batch_size=BATCH), return_exceptions=True)
        gate.go.set()
        first = await asyncio.wait_for(task, 30)
        after = await rows(svc)
        again = await rebuild(svc.pool, svc.projections, svc.definition.events, only=["tallies"], batch_size=BATCH)

    assert isinstance(second[0], RebuildError) and "already running" in str(second[0])
    assert first == events and after == true
    assert again == events  # the first run's lock went with it


async def test_a_build_whose_unlogged_copies_a_crash_recovery_emptied_starts_over(launcher):
    async with seasoned(launcher) as (svc, events, true):
        gate, task = await paused(svc, after=17)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        saved = await checkpoint(svc)
        async with svc.pool.acquire() as conn:
            # What crash recovery does to every UNLOGGED table, the copies and the build's marker among them, while
            # the server's start time stays as it was (a backend crashed, the postmaster did not restart).
            scratch = f'"{svc.settings.schema}_rebuild_tallies"'
            await conn.execute(f"TRUNCATE {scratch}.tallies, {scratch}._rebuild_marker")
        rebuilt = await rebuild(svc.pool, svc.projections, svc.definition.events, only=["tallies"], batch_size=BATCH)
        after = await rows(svc)

    assert saved["applied"] == 15
    assert rebuilt == events  # started over, not resumed over emptied copies
    assert after == true


async def test_a_build_interrupted_before_its_writers_changed_starts_over_after(launcher, monkeypatch):
    import shared.rebuild

    async with seasoned(launcher) as (svc, events, true):
        gate, task = await paused(svc, after=17)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        saved = await checkpoint(svc)
        monkeypatch.setattr(shared.rebuild, "_code_of", lambda projection: "the next release's writers")
        rebuilt = await rebuild(svc.pool, svc.projections, svc.definition.events, only=["tallies"], batch_size=BATCH)
        after = await rows(svc)

    assert saved["applied"] == 15 and saved["code"]  # the interrupted build recorded its writers' fingerprint
    assert rebuilt == events and after == true


async def test_one_projection_is_rebuilt_alone_and_the_others_tables_are_untouched(launcher):
    topic = new_topic(launcher)
    async with tally_service(launcher, topic, consume=False, relay=False) as svc:
        await season(svc, topic, count=3)
        true = await corrupt(svc)
        async with svc.pool.acquire() as conn:
            await conn.execute("INSERT INTO stalls VALUES ('s-x', 'p-x', '380', '15001', 7)")  # not from any event
        stalls, stalls_oid, tallies_oid = await rows(svc, "stalls"), await oid(svc, "stalls"), await oid(svc, "tallies")
        await rebuild(svc.pool, svc.projections, svc.definition.events, only=["tallies"])
        after = await rows(svc), await rows(svc, "stalls"), await oid(svc, "stalls"), await oid(svc, "tallies")

    assert after[0] == true
    assert after[1] == stalls == [("s-x", "p-x", "380", "15001", 7)] and after[2] == stalls_oid
    assert after[3] != tallies_oid  # the rebuilt table was swapped in


async def test_live_writes_during_the_build_are_in_the_rebuilt_tables(launcher):
    topic = new_topic(launcher)
    async with tally_service(launcher, topic, consume=False, relay=False) as svc:
        await season(svc, topic)
        gate, task = await paused(svc, after=10)
        for i in (1, 11):  # one tally the build already passed, one it has not seen
            await open_and_increment(svc.uow(), f"t-{i:03d}", f"p-{i}", [100], topic)
        live = await rows(svc)
        gate.go.set()
        await asyncio.wait_for(task, 30)
        after = await rows(svc)

    assert after == live
    assert [r[3] for r in after if r[0] in ("t-001", "t-011")] == [103, 100]


async def _waiting_for(svc, table: str) -> int:
    async with svc.pool.acquire() as conn:
        return await conn.fetchval("SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = $1::text::regclass",
                                   table)


async def _write_without_committing(svc, conn: asyncpg.Connection, tally_id: str) -> list[Any]:
    """What a live command writes (its events, then their projection rows), on a transaction the caller commits."""
    tally = Tally.open(tally_id, "p-late", "380")
    tally.increment(2)
    new = [svc.definition.events.encode(event, {}) for event in tally.collect()]
    stored = await EventStore(conn).append(tally_id, Tally.stream_type, 0, new)
    await apply_all(conn, svc.projections, [svc.definition.events.recorded(s) for s in stored])
    return stored


async def test_a_live_writer_waiting_for_the_swap_writes_the_table_swapped_in(launcher):
    topic = new_topic(launcher)
    async with tally_service(launcher, topic, consume=False, relay=False) as svc:
        await season(svc, topic, count=3)
        old = await oid(svc, "tallies")
        async with svc.pool.acquire() as reader, svc.pool.acquire() as writer:
            read = reader.transaction()
            await read.start()
            await reader.fetch("SELECT * FROM tallies")  # holds the table: the swap will queue behind it
            rebuilding = asyncio.create_task(rebuild(svc.pool, svc.projections, svc.definition.events, only=["tallies"]))
            await eventually(lambda: _waiting_for(svc, "tallies"), timeout=10, what="the swap to wait for its lock")
            write = writer.transaction()
            await write.start()
            tally = Tally.open("t-late", "p-late", "380")
            tally.increment(2)
            new = [svc.definition.events.encode(event, {}) for event in tally.collect()]
            stored = await EventStore(writer).append("t-late", Tally.stream_type, 0, new)
            projecting = asyncio.create_task(
                apply_all(writer, svc.projections, [svc.definition.events.recorded(s) for s in stored]))
            # The writer has its event (a position the swap cannot see yet) and queues behind the swap's lock.
            await eventually(lambda: _two_waiting(svc), timeout=10, what="the writer to queue behind the swap")
            await read.commit()
            await asyncio.wait_for(rebuilding, 30)
            await asyncio.wait_for(projecting, 30)
            await write.commit()
        after = await rows(svc)
        new_oid = await oid(svc, "tallies")

    assert new_oid != old
    assert [(r[0], r[3]) for r in after if r[0] == "t-late"] == [("t-late", 2)]
    assert len(after) == 4


async def _two_waiting(svc) -> bool:
    return await _waiting_for(svc, "tallies") >= 2


async def test_a_position_committed_after_the_build_passed_it_is_applied(launcher):
    topic = new_topic(launcher)
    async with tally_service(launcher, topic, consume=False, relay=False) as svc:
        await season(svc, topic, count=2)
        async with svc.pool.acquire() as writer:
            held = writer.transaction()
            await held.start()
            stored = await _write_without_committing(svc, writer, "t-hole")  # takes a position, commits later
            hole = stored[0].position
            for i in range(2, 6):  # committed after it, at higher positions
                await open_and_increment(svc.uow(), f"t-{i:03d}", f"p-{i}", [1, i + 1], topic)
            gate, task = await paused(svc, after=15)
            saved = await checkpoint(svc)
            await held.commit()
        live = await rows(svc)
        gate.go.set()
        await asyncio.wait_for(task, 30)
        after = await rows(svc)

    assert saved["position"] > hole + 1 and {hole, hole + 1} <= set(saved["holes"])
    assert ("t-hole", 2) in [(r[0], r[3]) for r in after]
    assert after == live and len(after) == 7


async def test_the_swapped_in_table_keeps_the_live_tables_index_and_constraint_names_and_grants(launcher):
    from shared import beside

    topic = new_topic(launcher)
    async with tally_service(launcher, topic, consume=False, relay=False) as svc:
        await season(svc, topic, count=2)
        schema = svc.settings.schema
        async with svc.pool.acquire() as conn:
            await conn.execute("CREATE INDEX tallies_by_district ON tallies (district, product_id)")
            await conn.execute("ALTER TABLE tallies ADD CONSTRAINT tallies_total_known CHECK (total > -1000)")
            await conn.execute("GRANT SELECT ON tallies TO PUBLIC")
            before = await beside.shape(conn, schema, ["tallies"]), await _grants(conn)
        await rebuild(svc.pool, svc.projections, svc.definition.events, only=["tallies"])
        async with svc.pool.acquire() as conn:
            after = await beside.shape(conn, schema, ["tallies"]), await _grants(conn)
            indexes = {r[0] for r in await conn.fetch("SELECT indexname FROM pg_indexes WHERE tablename = 'tallies'"
                                                      " AND schemaname = $1", schema)}
            schemas = await conn.fetchval("SELECT count(*) FROM pg_namespace WHERE nspname LIKE $1", f"{schema}_rebuild%")

    assert after == before and "tallies_by_district" in indexes and "=r/" in before[1]
    assert schemas == 0


async def _grants(conn: asyncpg.Connection) -> str:
    return await conn.fetchval("SELECT relacl::text FROM pg_class WHERE oid = 'tallies'::regclass")


async def test_a_migration_during_the_build_stops_the_swap_and_the_next_run_starts_over_on_the_new_tables(launcher):
    from shared.rebuild import RebuildError

    async with seasoned(launcher) as (svc, events, true):
        gate, task = await paused(svc, after=12)
        async with svc.pool.acquire() as conn:
            await conn.execute("ALTER TABLE tallies ADD COLUMN note TEXT")  # what a migration deployed meanwhile does
        gate.go.set()
        outcome = (await asyncio.gather(task, return_exceptions=True))[0]
        kept = await rows(svc)
        again = await rebuild(svc.pool, svc.projections, svc.definition.events, only=["tallies"], batch_size=BATCH)
        after = await rows(svc)

    assert isinstance(outcome, RebuildError)
    assert kept == [(*r[:3], -1, r[4], None) for r in true]  # the live table, migrated, untouched by the build
    assert again == events  # started over: the copy had the old columns
    assert after == [(*r, None) for r in true]


async def _waiting_since(svc, table: str) -> Any:
    """When the transaction waiting for a lock on ``table`` began (None: nobody waits)."""
    async with svc.pool.acquire() as conn:
        return await conn.fetchval(
            "SELECT a.xact_start FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
            " WHERE NOT l.granted AND l.relation = $1::text::regclass", table)


async def test_a_swap_that_waits_too_long_for_a_reader_gives_up_and_tries_again(launcher, monkeypatch):
    import shared.rebuild

    monkeypatch.setattr(shared.rebuild, "_LOCK_TIMEOUT_MS", 200)
    async with seasoned(launcher) as (svc, events, true):
        async with svc.pool.acquire() as reader:
            read = reader.transaction()
            await read.start()
            await reader.fetch("SELECT * FROM tallies")  # a long read: the swap cannot lock the table
            # Attempts enough that a slow machine sees the second wait before the last attempt gives up.
            task = asyncio.create_task(rebuild(svc.pool, svc.projections, svc.definition.events, only=["tallies"],
                                               attempts=100))
            first = await eventually(lambda: _waiting_since(svc, "tallies"), timeout=10, what="the swap to wait")

            async def another_attempt() -> bool:
                since = await _waiting_since(svc, "tallies")
                return since is not None and since != first

            await eventually(another_attempt, timeout=10, what="the swap to give up and wait again")
            await read.commit()
        replayed = await asyncio.wait_for(task, 30)
        after = await rows(svc)

    assert replayed == events and after == true
