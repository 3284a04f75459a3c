"""Event store and unit of work against the real PostgreSQL started by the launcher."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from shared.db import KERNEL_MIGRATIONS, discover
from shared.eventstore import ConcurrencyError, NewEvent
from tests.kernel.support import new_topic, tally_service
from tests.kernel.tally import Tally, open_and_increment


def _event(n: int) -> NewEvent:
    return NewEvent("TallyIncremented", {"amount": n})


async def test_append_with_the_right_expected_version_extends_the_stream(launcher):
    async with tally_service(launcher, new_topic(launcher), consume=False, relay=False) as svc:
        stream = f"tally-{uuid.uuid4()}"
        async with svc.uow() as uow:
            first = await uow.append(stream, "tally", 0, [_event(1), _event(2)])
            second = await uow.append(stream, "tally", 2, [_event(3)])
            await uow.commit()
        assert [e.version for e in first + second] == [1, 2, 3]
        async with svc.uow() as uow:
            assert [e.data["amount"] for e in await uow.events.read_stream(stream)] == [1, 2, 3]


@pytest.mark.parametrize("expected", [0, 1, 5])
async def test_append_with_a_wrong_expected_version_is_a_conflict(launcher, expected):
    async with tally_service(launcher, new_topic(launcher), consume=False, relay=False) as svc:
        stream = f"tally-{uuid.uuid4()}"
        async with svc.uow() as uow:
            await uow.append(stream, "tally", 0, [_event(1), _event(2)])
            await uow.commit()
        async with svc.uow() as uow:
            with pytest.raises(ConcurrencyError) as raised:
                await uow.append(stream, "tally", expected, [_event(9)])
        assert raised.value.stream_id == stream
        async with svc.uow() as uow:
            assert await uow.events.stream_version(stream) == 2


async def test_two_concurrent_writers_of_one_stream_exactly_one_wins(launcher):
    async with tally_service(launcher, new_topic(launcher), consume=False, relay=False) as svc:
        tally_id = f"tally-{uuid.uuid4()}"
        await open_and_increment(svc.uow(), tally_id, "p-1", [1], "unused")
        both_loaded = asyncio.Barrier(2)

        async def writer(amount: int) -> None:
            async with svc.uow() as uow:
                tally = await uow.repository(Tally).get(tally_id)
                await both_loaded.wait()
                tally.increment(amount)
                await uow.commit()

        results = await asyncio.gather(writer(10), writer(20), return_exceptions=True)
        assert sorted(type(r).__name__ for r in results) == ["ConcurrencyError", "NoneType"]
        async with svc.uow() as uow:
            tally = await uow.repository(Tally).get(tally_id)
        assert tally.version == 3 and tally.total in (11, 21)


async def test_events_outbox_and_projection_commit_together_or_not_at_all(launcher):
    topic = new_topic(launcher)
    async with tally_service(launcher, topic, consume=False, relay=False) as svc:
        tally_id = f"tally-{uuid.uuid4()}"
        async with svc.uow() as uow:
            tally = Tally.open(tally_id, "p-rollback", "380")
            tally.increment(1)  # a public fact, whose outbox row must roll back with it
            uow.repository(Tally).add(tally)
            # leaving without commit() rolls everything back
        await open_and_increment(svc.uow(), tally_id, "p-commit", [4], topic)
        async with svc.pool.acquire() as conn:
            outbox_keys = await conn.fetch("SELECT message_key FROM outbox")
            tallies = await conn.fetch("SELECT product_id, total, version FROM tallies")
            events = await conn.fetchval("SELECT count(*) FROM events WHERE stream_id = $1", tally_id)
        assert [r["message_key"] for r in outbox_keys] == ["p-commit"]
        assert [tuple(r) for r in tallies] == [("p-commit", 4, 2)]
        assert events == 2


async def test_migrations_are_idempotent_across_restarts(launcher):
    name = f"kt_{uuid.uuid4().hex[:10]}"
    topic = new_topic(launcher)
    async with tally_service(launcher, topic, consume=False, relay=False, name=name):
        pass
    async with tally_service(launcher, topic, consume=False, relay=False, name=name) as svc:
        async with svc.pool.acquire() as conn:
            rows = await conn.fetch("SELECT component, version FROM schema_migrations ORDER BY 1, 2")
    # Each migration once, however often the service starts: the kernel's files and the tally's one.
    kernel = [("kernel", m.version) for m in discover("kernel", KERNEL_MIGRATIONS)]
    assert len(kernel) >= 3
    assert sorted(tuple(r) for r in rows) == sorted([(name, 1), *kernel])


async def test_an_id_belongs_to_one_aggregate_type(launcher):
    from shared.eventstore import WrongStreamType

    async with tally_service(launcher, new_topic(launcher), consume=False, relay=False) as svc:
        shared_id = f"id-{uuid.uuid4()}"
        async with svc.uow() as uow:
            await uow.append(shared_id, "producer", 0, [NewEvent("ProducerRegistered", {"name": "HTX"})])
            await uow.commit()
        async with svc.uow() as uow:
            with pytest.raises(WrongStreamType) as appended:
                await uow.append(shared_id, "tally", 1, [_event(1)])
        async with svc.uow() as uow:
            with pytest.raises(WrongStreamType) as loaded:
                await uow.repository(Tally).find(shared_id)
    assert (appended.value.actual, appended.value.wanted) == ("producer", "tally")
    assert "belongs to a producer" in str(loaded.value)
