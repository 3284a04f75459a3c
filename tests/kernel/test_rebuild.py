"""Projections are disposable: a rebuild from the event store equals what live processing built."""

from __future__ import annotations

import asyncio
import uuid

from shared.eventstore import EventStore
from shared.projections import apply_all
from shared.rebuild import rebuild
from tests.kernel.support import eventually, new_topic, tally_service
from tests.kernel.tally import Tally, open_and_increment


async def _tallies(svc) -> list[tuple]:
    async with svc.pool.acquire() as conn:
        return [tuple(r) for r in await conn.fetch("SELECT * FROM tallies ORDER BY tally_id")]


async def test_rebuilding_projections_gives_the_rows_live_processing_built(launcher):
    topic = new_topic(launcher)
    async with tally_service(launcher, topic, consume=False, relay=False) as svc:
        await asyncio.gather(
            *(open_and_increment(svc.uow(), f"t-{i}-{uuid.uuid4()}", f"p-{i}", list(range(1, i + 2)), topic) for i in range(30))
        )
        live = await _tallies(svc)
        async with svc.pool.acquire() as conn:
            await conn.execute("UPDATE tallies SET total = -1")  # a corrupted read model
        progress: list[tuple[int, int]] = []
        replayed = await rebuild(svc.pool, svc.projections, svc.definition.events, batch_size=50, progress=lambda d, t: progress.append((d, t)))
        rebuilt = await _tallies(svc)

    events = sum(i + 2 for i in range(30))
    assert replayed == events
    assert rebuilt == live and len(live) == 30
    assert progress[-1] == (events, events) and len(progress) == -(-events // 50)


async def _write_without_committing(svc, conn, tally_id: str) -> None:
    """What a live command writes (events and their projection rows), on a transaction the caller commits."""
    tally = Tally.open(tally_id, "p-late", "380")
    tally.increment(2)
    new = [svc.definition.events.encode(event, {}) for event in tally.collect()]
    stored = await EventStore(conn).append(tally_id, Tally.stream_type, 0, new)
    await apply_all(conn, svc.projections, [svc.definition.events.recorded(s) for s in stored])


async def _rebuild_waits_for_a_lock(svc) -> bool:
    async with svc.pool.acquire() as conn:
        return await conn.fetchval("SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'tallies'::regclass") > 0


async def test_a_write_committed_while_the_rebuild_waits_for_its_lock_is_in_the_rebuilt_read_model(launcher):
    topic = new_topic(launcher)
    async with tally_service(launcher, topic, consume=False, relay=False) as svc:
        await open_and_increment(svc.uow(), f"t-early-{uuid.uuid4()}", "p-early", [1], topic)
        late = f"t-late-{uuid.uuid4()}"
        async with svc.pool.acquire() as writer:
            transaction = writer.transaction()
            await transaction.start()
            await _write_without_committing(svc, writer, late)  # holds its lock on the tallies table
            rebuilding = asyncio.create_task(rebuild(svc.pool, svc.projections, svc.definition.events))
            # Ordered by locks, not time: the writer commits only once the rebuild is queued behind its lock.
            await eventually(lambda: _rebuild_waits_for_a_lock(svc), timeout=10, what="the rebuild to wait for the lock")
            await transaction.commit()
        replayed = await asyncio.wait_for(rebuilding, 10)
        rebuilt = await _tallies(svc)

    assert [(row[0], row[3]) for row in rebuilt if row[0] == late] == [(late, 2)]
    assert replayed == 4


def test_ocop_rebuild_command_restores_a_service_read_model(launcher, monkeypatch):
    from typer.testing import CliRunner

    from ocop import cli
    from tests.kernel.tally import definition

    name = f"kt_{uuid.uuid4().hex[:10]}"
    topic = new_topic(launcher)

    async def populate_and_corrupt() -> list[tuple]:
        async with tally_service(launcher, topic, consume=False, relay=False, name=name) as svc:
            for i in range(3):
                await open_and_increment(svc.uow(), f"t-{i}", f"p-{i}", [5, 6], topic)
            live = await _tallies(svc)
            async with svc.pool.acquire() as conn:
                await conn.execute("DELETE FROM tallies WHERE tally_id = 't-1'")
            return live

    async def read_back() -> list[tuple]:
        async with tally_service(launcher, topic, consume=False, relay=False, name=name) as svc:
            return await _tallies(svc)

    live = asyncio.run(populate_and_corrupt())
    monkeypatch.setenv("OCOP_DATABASE_URL", launcher.database_url)
    monkeypatch.setattr(cli, "_service_definition", lambda service: definition(service, topic))
    result = CliRunner().invoke(cli.app, ["rebuild", name, "--batch-size", "2"])

    assert result.exit_code == 0, result.output
    assert f"{name}: 9 events replayed" in result.output
    assert asyncio.run(read_back()) == live
