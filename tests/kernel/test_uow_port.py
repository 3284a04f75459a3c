"""One test suite for the unit-of-work port, run against the in-memory adapter and PostgreSQL.

The in-memory run is a unit test; the PostgreSQL run (the tally service on the launcher's database) is an
integration test. Both must pass the same assertions: that is what lets handlers be tested in memory.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from shared.context import message_context
from shared.eventstore import ConcurrencyError, NewEvent, WrongStreamType
from shared.memory import InMemoryStore
from shared.publication import Publications, derived_id
from shared.ports import EventStorePort, UnitOfWorkPort
from shared.uow import NotFound
from tests.kernel.stall import Stall, StallOpened, StockAdded
from tests.kernel.support import tally_service
from tests.kernel.tally import EVENTS, Tally, TallyIncremented, TallyOpened, publisher, registered

TOPIC = "test.port"  # where the tally's public events go; no broker is involved


@dataclass
class Backend:
    """A unit-of-work factory, and what the adapter wrote to its outbox: ``(event_id, topic, key)`` per row."""

    uow: Callable[[], Any]
    outbox: Callable[[], Any]


def _memory() -> Backend:
    store = InMemoryStore(EVENTS, Publications([publisher(TOPIC)]))

    async def outbox() -> list[tuple[uuid.UUID, str, str]]:
        return [(row.envelope.event_id, row.topic, row.key) for row in store.outbox]

    return Backend(store.unit_of_work, outbox)


@pytest.fixture(params=["memory", pytest.param("postgres", marks=pytest.mark.integration)])
def adapter(request: pytest.FixtureRequest) -> Any:
    """The adapter's name, and the launcher when the adapter needs PostgreSQL."""
    return request.param, request.getfixturevalue("launcher") if request.param == "postgres" else None


@pytest.fixture
async def backend(adapter: Any) -> AsyncIterator[Backend]:
    name, launcher = adapter
    if name == "memory":
        yield _memory()
        return
    async with tally_service(launcher, TOPIC, consume=False, relay=False) as svc:

        async def outbox() -> list[tuple[uuid.UUID, str, str]]:
            async with svc.pool.acquire() as conn:
                return [tuple(r) for r in await conn.fetch("SELECT event_id, topic, message_key FROM outbox ORDER BY id")]

        yield Backend(svc.uow, outbox)


def _stream() -> str:
    return f"tally-{uuid.uuid4()}"


def _increments(*amounts: int) -> list[NewEvent]:
    return [NewEvent("TallyIncremented", {"amount": n}) for n in amounts]


async def test_both_adapters_implement_the_port(backend):
    async with backend.uow() as uow:
        assert isinstance(uow, UnitOfWorkPort) and isinstance(uow.events, EventStorePort)


async def test_appends_extend_a_stream_version_by_version_and_read_back_in_order(backend):
    stream = _stream()
    async with backend.uow() as uow:
        first = await uow.append(stream, "tally", 0, _increments(1, 2))
        second = await uow.append(stream, "tally", 2, _increments(3))
        recorded = await uow.commit()
    async with backend.uow() as uow:
        events = await uow.events.read_stream(stream)
        later = await uow.events.read_stream(stream, after_version=1)
        version = await uow.events.stream_version(stream)
        everything = await uow.events.read_all(after_position=first[0].position - 1)

    assert [e.version for e in first + second] == [1, 2, 3] and version == 3
    assert [(e.version, e.event_type, e.data) for e in events] == [(n, "TallyIncremented", {"amount": n}) for n in (1, 2, 3)]
    assert [e.version for e in later] == [2, 3]
    assert [e.event_id for e in everything if e.stream_id == stream] == [e.event_id for e in events]
    assert [e.position for e in events] == sorted(e.position for e in events)
    assert [r.event for r in recorded] == [TallyIncremented(1), TallyIncremented(2), TallyIncremented(3)]


@pytest.mark.parametrize("expected", [0, 1, 5])
async def test_a_stale_expected_version_is_a_conflict_and_writes_nothing(backend, expected):
    stream = _stream()
    async with backend.uow() as uow:
        await uow.append(stream, "tally", 0, _increments(1, 2))
        await uow.commit()
    async with backend.uow() as uow:
        with pytest.raises(ConcurrencyError) as raised:
            await uow.append(stream, "tally", expected, _increments(9))
    async with backend.uow() as uow:
        assert await uow.events.stream_version(stream) == 2
    assert (raised.value.stream_id, raised.value.expected_version) == (stream, expected)


async def test_two_writers_racing_on_one_stream_exactly_one_wins(backend):
    tally_id = _stream()
    async with backend.uow() as uow:
        uow.repository(Tally).add(Tally.open(tally_id, "p-race", "380"))
        await uow.commit()
    both_loaded = asyncio.Barrier(2)

    async def writer(amount: int) -> None:
        async with backend.uow() as uow:
            tally = await uow.repository(Tally).get(tally_id)
            await both_loaded.wait()
            tally.increment(amount)
            await uow.commit()

    results = await asyncio.gather(writer(10), writer(20), return_exceptions=True)
    async with backend.uow() as uow:
        tally = await uow.repository(Tally).get(tally_id)
    assert sorted(type(r).__name__ for r in results) == ["ConcurrencyError", "NoneType"]
    assert tally.version == 2 and tally.total in (10, 20)


@pytest.mark.parametrize("first_writer_commits", [True, False])
async def test_an_append_behind_an_open_writer_waits_for_its_outcome(backend, first_writer_commits):
    stream, appended, steps = _stream(), asyncio.Event(), []

    async def first() -> None:
        async with backend.uow() as uow:
            await uow.append(stream, "tally", 0, _increments(1))
            appended.set()
            await asyncio.sleep(0.3)
            steps.append("first finished")
            if first_writer_commits:
                await uow.commit()

    async def second() -> str:
        await appended.wait()
        async with backend.uow() as uow:
            try:
                await uow.append(stream, "tally", 0, _increments(2))
            except ConcurrencyError:
                return "conflict"
            steps.append("second appended")
            await uow.commit()
            return "appended"

    _, outcome = await asyncio.gather(first(), second())
    async with backend.uow() as uow:
        amounts = [e.data["amount"] for e in await uow.events.read_stream(stream)]
    assert steps[0] == "first finished"
    assert (outcome, amounts) == (("conflict", [1]) if first_writer_commits else ("appended", [2]))


async def test_an_id_belongs_to_one_stream_type(backend):
    shared_id = f"id-{uuid.uuid4()}"
    async with backend.uow() as uow:
        await uow.append(shared_id, "producer", 0, [NewEvent("ProducerRegistered", {"name": "HTX"})])
        await uow.commit()
    async with backend.uow() as uow:
        with pytest.raises(WrongStreamType) as appended:
            await uow.append(shared_id, "tally", 1, _increments(1))
    async with backend.uow() as uow:
        with pytest.raises(WrongStreamType) as loaded:
            await uow.repository(Tally).find(shared_id)
    assert (appended.value.actual, appended.value.wanted) == ("producer", "tally")
    assert (loaded.value.actual, loaded.value.wanted) == ("producer", "tally")


async def test_nothing_is_kept_unless_committed(backend):
    tally_id, stream, event = _stream(), _stream(), registered("p-rolled-back")
    before = await backend.outbox()
    async with backend.uow() as uow:
        tally = Tally.open(tally_id, "p-rolled-back", "380")
        tally.increment(1)  # a public fact: its outbox row must go with it
        uow.repository(Tally).add(tally)
        await uow.append(stream, "tally", 0, _increments(1))
        assert await uow.claim_inbox("port-test", event.event_id, "test.port", 0, 1)
    with pytest.raises(RuntimeError):
        async with backend.uow() as uow:
            await uow.append(stream, "tally", 0, _increments(1))
            raise RuntimeError("the handler failed")
    async with backend.uow() as uow:
        assert await uow.repository(Tally).find(tally_id) is None
        assert await uow.events.stream_version(stream) == 0
        assert await uow.claim_inbox("port-test", event.event_id, "test.port", 0, 1)
    assert await backend.outbox() == before


async def test_an_open_unit_sees_only_what_other_units_committed(backend):
    stream = _stream()
    async with backend.uow() as writer, backend.uow() as reader:
        await writer.append(stream, "tally", 0, _increments(1))
        assert await writer.events.stream_version(stream) == 1
        assert await reader.events.read_stream(stream) == []
        await writer.commit()
    async with backend.uow() as later:
        assert await later.events.stream_version(stream) == 1


async def test_the_repository_loads_what_was_saved_and_refuses_a_missing_or_stale_aggregate(backend):
    tally_id = _stream()
    async with backend.uow() as uow:
        missing = await uow.repository(Tally).find(tally_id)
        with pytest.raises(NotFound) as not_found:
            await uow.repository(Tally).get(tally_id)
        tally = Tally.open(tally_id, "p-repo", "381")
        tally.increment(4)
        uow.repository(Tally).add(tally)
        recorded = await uow.commit()
    async with backend.uow() as uow:
        loaded = await uow.repository(Tally).get(tally_id, expected_version=2)
        with pytest.raises(ConcurrencyError):
            await uow.repository(Tally).get(tally_id, expected_version=1)

    assert missing is None and (not_found.value.stream_type, not_found.value.stream_id) == ("tally", tally_id)
    assert (loaded.product_id, loaded.district, loaded.total, loaded.version) == ("p-repo", "381", 4, 2)
    assert [(r.event, r.version, r.stream_type) for r in recorded] == [
        (TallyOpened("p-repo", "381"), 1, "tally"),
        (TallyIncremented(4), 2, "tally"),
    ]


async def test_recorded_events_carry_the_message_context(backend):
    tally_id, correlation = _stream(), uuid.uuid4()
    with message_context(correlation_id=correlation, actor={"id": "u-1", "role": "district_officer"}):
        async with backend.uow() as uow:
            uow.repository(Tally).add(Tally.open(tally_id, "p-ctx", "380"))
            recorded = await uow.commit()
    async with backend.uow() as uow:
        stored = await uow.events.read_stream(tally_id)
    assert recorded[0].actor == {"id": "u-1", "role": "district_officer"}
    assert stored[0].metadata["correlation_id"] == str(correlation) and stored[0].metadata["actor"]["id"] == "u-1"


async def test_each_public_fact_is_one_outbox_row_on_commit_with_an_id_derived_from_it(backend):
    tally_id = _stream()
    async with backend.uow() as uow:
        tally = Tally.open(tally_id, "p-out", "380")
        tally.increment(1)
        tally.increment(2)
        uow.repository(Tally).add(tally)
        assert [row for row in await backend.outbox() if row[2] == "p-out"] == []
        recorded = await uow.commit()
    increments = [r for r in recorded if isinstance(r.event, TallyIncremented)]
    rows = [row for row in await backend.outbox() if row[2] == "p-out"]
    # The opening is no public fact; each increment is, in order, under an id its stored fact decides.
    assert rows == [(derived_id(r.event_id), TOPIC, "p-out") for r in increments]


async def test_an_inbox_claim_succeeds_once_per_consumer_and_event(backend):
    seen, fresh, repeated = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    async with backend.uow() as uow:
        first = await uow.claim_inbox("counter", seen, "t", 0, 1)
        again_in_the_same_unit = await uow.claim_inbox("counter", seen, "t", 0, 1)
        await uow.commit()
    async with backend.uow() as uow:
        again_later = await uow.claim_inbox("counter", seen, "t", 0, 1)
        other_consumer = await uow.claim_inbox("auditor", seen, "t", 0, 1)
        batch = await uow.claim_inbox_batch("counter", [(seen, "t", 0, 1), (fresh, "t", 0, 2), (repeated, "t", 1, 3), (repeated, "t", 1, 3)])
        await uow.commit()
    assert (first, again_in_the_same_unit, again_later, other_consumer) == (True, False, False, True)
    assert batch == {fresh, repeated}


async def test_events_stored_in_an_old_shape_are_read_through_the_upcasters(backend):
    stall_id = f"stall-{uuid.uuid4()}"
    old = [
        NewEvent("StallOpened", {"product_id": "p-old", "place": "380/15409"}, schema_version=1),
        NewEvent("StockAdded", {"count": 3}, schema_version=1),
    ]
    async with backend.uow() as uow:
        recorded = await uow.append(stall_id, "stall", 0, old)
        await uow.commit()
    async with backend.uow() as uow:
        stall = await uow.repository(Stall).get(stall_id)
        stored = await uow.events.read_stream(stall_id)

    assert [r.schema_version for r in recorded] == [1, 1]
    assert (stall.product_id, stall.district, stall.commune, stall.stock, stall.version) == ("p-old", "380", "15409", 3, 2)
    assert [(e.schema_version, e.data) for e in stored] == [(1, old[0].data), (1, old[1].data)]  # never edited
    assert EVENTS.decode("StallOpened", 1, old[0].data) == StallOpened("p-old", "380", "15409")
    assert EVENTS.decode("StockAdded", 1, old[1].data) == StockAdded(3)
