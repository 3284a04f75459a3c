"""The outbox relay under broker and database faults: a broker replaced by an empty one (with a new cluster id or the
same one), a terminated lock session, a broker that offers DescribeCluster v0 only (noida-db)."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from importlib.resources import files
from pathlib import Path

import pytest
from aiokafka.errors import KafkaError

from ocop.infra.broker import die_with_parent_preexec
from ocop.infra.ports import free_port, port_accepts, wait_until
from shared.kafka import broker_view, cluster_id, contract_topics, make_producer
from shared.relay import first_offsets, lost_partitions, settled
from shared.settings import KernelSettings
from tests.kernel.support import eventually, header, new_topic, read_topic, tally_service
from tests.kernel.tally import open_and_increment


async def _outbox_event_ids(svc) -> set[str]:
    async with svc.pool.acquire() as conn:
        return {str(r["event_id"]) for r in await conn.fetch("SELECT event_id FROM outbox")}


async def _drained(svc) -> bool:
    async with svc.pool.acquire() as conn:
        return await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0


async def _known_cluster(svc) -> str | None:
    async with svc.pool.acquire() as conn:
        return await conn.fetchval("SELECT cluster_id FROM relay_state")


async def _topic_event_ids(bootstrap: str, topic: str, *, expected: int) -> list[str]:
    """Every record's event id, as often as the topic holds it: waits for ``expected`` records, then reads them all.

    Records are counted by reading them: Tansu reports a partition's end offset per batch, not per record.
    """

    async def exists() -> bool:
        return topic in (await asyncio.to_thread(broker_view, bootstrap, [topic])).topics

    await eventually(exists, what=f"{topic} on the broker")
    await read_topic(bootstrap, topic, count=expected, timeout=30)
    records = await read_topic(bootstrap, topic, count=expected + 1, timeout=2)  # and any beyond them
    return [header(r, "event_id") for r in records]


def _partition_counts(bootstrap: str, topics: list[str]) -> dict[str, int]:
    view = broker_view(bootstrap, topics)
    return {t: sum(1 for topic, _ in view.end_offsets if topic == t) for t in topics}


@asynccontextmanager
async def _load(svc, topic: str) -> AsyncIterator[list[int]]:
    """Commands committed back to back (one event each) until the block ends; yields the running count."""
    committed = [0]
    stop = asyncio.Event()

    async def commit() -> None:
        while not stop.is_set():
            await open_and_increment(svc.uow(), f"t-{uuid.uuid4()}", f"load-{committed[0] % 7}", [1], topic)
            committed[0] += 1

    task = asyncio.create_task(commit())
    try:
        yield committed
    finally:
        stop.set()
        await task


async def _more_commits(committed: list[int], count: int) -> None:
    target = committed[0] + count

    async def reached() -> bool:
        return committed[0] >= target

    await eventually(reached, what=f"{count} more commands committed")


async def _more_checks(svc, count: int) -> None:
    target = svc.relay.checks + count

    async def reached() -> bool:
        return svc.relay.checks >= target

    await eventually(reached, what=f"{count} more broker checks")


async def _replace_broker(launcher, *, keep_cluster_id: bool = False) -> str:
    await asyncio.to_thread(launcher.broker.restart_empty, keep_cluster_id=keep_cluster_id)
    return launcher.broker.cluster_id


async def test_a_broker_replaced_twice_by_empty_ones_while_the_relay_runs_gets_every_acknowledged_event(launcher):
    topic = new_topic(launcher)
    async with tally_service(launcher, topic, consume=False, relay_broker_check_seconds=0.5) as svc:  # consumer down
        async with _load(svc, topic) as committed:
            await _more_commits(committed, 30)
            await eventually(lambda: _known_cluster(svc), what="relay met the first broker")
            first = await _known_cluster(svc)
            second = await _replace_broker(launcher)
            await _more_commits(committed, 30)
            third = await _replace_broker(launcher)
            await _more_commits(committed, 30)
        await eventually(lambda: _drained(svc), timeout=60, what="outbox drained on the third broker")
        acknowledged = await _outbox_event_ids(svc)
        on_broker = await _topic_event_ids(launcher.bootstrap_servers, topic, expected=len(acknowledged))
        known = await _known_cluster(svc)

    assert len({first, second, third}) == 3
    assert known == third
    assert set(on_broker) == acknowledged and len(acknowledged) >= 90
    assert 1 <= svc.relay.republished <= 2  # one per replacement it saw, none for nothing


async def test_a_new_broker_gets_our_topics_with_the_project_partition_count_before_anything_is_published(launcher):
    topic = new_topic(launcher)
    async with tally_service(launcher, topic, consume=False) as svc:
        await open_and_increment(svc.uow(), f"t-{uuid.uuid4()}", "before", [1, 1], topic)
        await eventually(lambda: _drained(svc), what="published on the first broker")
        await _replace_broker(launcher)
        await open_and_increment(svc.uow(), f"t-{uuid.uuid4()}", "after", [1], topic)  # the producer reconnects
        await eventually(lambda: _drained(svc), timeout=60, what="published on the new broker")
        topics = [topic, svc.settings.dead_letter_topic, *contract_topics()]
        counts = await asyncio.to_thread(_partition_counts, launcher.bootstrap_servers, topics)
        on_broker = await _topic_event_ids(launcher.bootstrap_servers, topic, expected=3)

    # Tansu would create a topic named in a metadata request with 4 partitions; the project's count is 6.
    assert counts == dict.fromkeys(topics, svc.settings.kafka_partitions)
    assert len(set(on_broker)) == 3


async def test_a_broker_that_lost_its_data_under_the_same_cluster_id_gets_every_event_again(launcher):
    topic = new_topic(launcher)
    async with tally_service(launcher, topic, consume=False, relay_broker_check_seconds=0.5) as svc:
        for p in range(4):
            await open_and_increment(svc.uow(), f"t-{uuid.uuid4()}", f"kept-id-{p}", [1, 2], topic)
        await eventually(lambda: _drained(svc), what="published before the loss")
        acknowledged = await _outbox_event_ids(svc)
        before = await _known_cluster(svc)
        after = await _replace_broker(launcher, keep_cluster_id=True)
        # Nothing is committed after the loss: only the offsets can tell the relay.
        await _topic_event_ids(launcher.bootstrap_servers, topic, expected=8)
        await eventually(lambda: _drained(svc), what="republished")
        await _more_checks(svc, 3)
        on_broker = await _topic_event_ids(launcher.bootstrap_servers, topic, expected=8)
        known = await _known_cluster(svc)

    assert before == after == known
    assert sorted(on_broker) == sorted(acknowledged) and len(acknowledged) == 8  # each once: one republish
    assert svc.relay.republished == 1


async def test_the_relay_producer_never_makes_the_broker_create_a_topic(launcher):
    topic = f"test.never-created.{uuid.uuid4().hex[:10]}"
    settings = KernelSettings(kafka_bootstrap_servers=launcher.bootstrap_servers, kafka_request_timeout_ms=1000)
    producer = make_producer(settings, client_id="test-no-auto-create")
    await producer.start()
    try:
        with pytest.raises(KafkaError):  # aiokafka asks for the topic by name until its timeout
            await producer.send_and_wait(topic, b"value", key=b"key")
    finally:
        await producer.stop()
    assert broker_view(launcher.bootstrap_servers, [topic]).topics == frozenset()


async def test_a_broker_that_lost_nothing_never_gets_a_republish(launcher):
    topic = new_topic(launcher)
    async with tally_service(launcher, topic, consume=False, relay_broker_check_seconds=0.2) as svc:
        for p in range(6):  # many records per partition and batch
            await open_and_increment(svc.uow(), f"t-{uuid.uuid4()}", f"steady-{p}", [1] * 50, topic)
            await eventually(lambda: _drained(svc), what="published")
        await _more_checks(svc, 5)
        acknowledged = await _outbox_event_ids(svc)
        on_broker = await _topic_event_ids(launcher.bootstrap_servers, topic, expected=len(acknowledged))

    assert svc.relay.republished == 0
    assert sorted(on_broker) == sorted(acknowledged) and len(acknowledged) == 300


async def _lock_holder(svc) -> int | None:
    async with svc.pool.acquire() as conn:
        return await conn.fetchval(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            " AND objid = hashtext($1)::oid",
            f"relay:{svc.settings.schema}",
        )


async def _terminate(svc, pid: int) -> None:
    async with svc.pool.acquire() as conn:
        assert await conn.fetchval("SELECT pg_terminate_backend($1)", pid)


async def test_two_relays_never_publish_the_same_event_when_the_leaders_lock_session_is_terminated(launcher):
    topic = new_topic(launcher)
    name = f"kt_{uuid.uuid4().hex[:10]}"
    settings = dict(consume=False, name=name, relay_poll_seconds=0.1)  # the follower tries the lock every 0.5 s
    async with tally_service(launcher, topic, **settings) as first, tally_service(launcher, topic, **settings) as other:
        async with _load(first, topic) as committed:
            leader = await eventually(lambda: _lock_holder(first), what="a relay leads")
            await _more_commits(committed, 50)
            await _terminate(first, leader)
            new_leader = await eventually(lambda: _new_holder(first, leader), what="a relay leads again")
            await _more_commits(committed, 150)
        await eventually(lambda: _drained(first), what="outbox drained")
        acknowledged = await _outbox_event_ids(first)
        on_broker = Counter(await _topic_event_ids(launcher.bootstrap_servers, topic, expected=len(acknowledged)))
        leaders = [svc.relay.is_leader for svc in (first, other)]

    assert [event for event, times in on_broker.items() if times > 1] == []
    assert set(on_broker) == acknowledged
    assert new_leader != leader and leaders.count(True) == 1


async def _new_holder(svc, old: int) -> int | None:
    holder = await _lock_holder(svc)
    return holder if holder not in (None, old) else None


async def test_a_relay_whose_lock_session_was_terminated_leads_again_and_listens_again(launcher):
    topic = new_topic(launcher)
    # Polls and broker checks far apart: only a NOTIFY can wake the relay within seconds.
    slow = dict(relay_poll_seconds=30, relay_broker_check_seconds=30)
    async with tally_service(launcher, topic, consume=False, **slow) as svc:
        await open_and_increment(svc.uow(), f"t-{uuid.uuid4()}", "first", [1], topic)
        await eventually(lambda: _drained(svc), what="published through NOTIFY")
        leader = await _lock_holder(svc)
        await _terminate(svc, leader)
        await eventually(lambda: _new_holder(svc, leader), timeout=10, what="the relay leads again")
        await eventually(lambda: _relay_waits(svc), timeout=10, what="the relay waits for work again")
        started = time.monotonic()
        await open_and_increment(svc.uow(), f"t-{uuid.uuid4()}", "second", [1], topic)
        await eventually(lambda: _drained(svc), timeout=10, what="published after the session loss")
        latency = time.monotonic() - started

    assert latency < 3.0  # the poll would take 30 s


async def _relay_waits(svc) -> bool:
    return bool(svc.relay and svc.relay.is_leader and svc.relay._wake._waiters)


def test_lost_partitions_are_those_whose_end_offset_is_not_above_the_acknowledged_one():
    acked = {("a", 0): 4, ("a", 1): 9, ("b", 0): 0}
    ends = {("a", 0): 5, ("a", 1): 9}  # a/1 ends at 9 although offset 9 was acknowledged; b is gone
    assert lost_partitions(acked, ends) == ["a/1", "b/0"]
    assert lost_partitions(acked, {("a", 0): 7, ("a", 1): 12, ("b", 0): 1}) == []


def test_the_first_offset_of_each_partitions_batch_is_remembered():
    class Ack:
        def __init__(self, topic: str, partition: int, offset: int) -> None:
            self.topic, self.partition, self.offset = topic, partition, offset

    acks = [Ack("a", 0, 3), Ack("a", 1, 7), Ack("a", 0, 5), Ack("a", 0, 4), Ack("b", 0, 0)]
    assert first_offsets(acks) == (["a", "a", "b"], [0, 1, 0], [3, 7, 0])


def test_every_row_the_broker_acknowledged_counts_as_published_and_the_first_error_is_kept():
    rows = [{"topic": "a", "message_key": k} for k in ("p1", "p2", "p1", "p3", "p2")]
    refused, later = KafkaError("refused"), KafkaError("later")
    published, acks, error = settled(rows, ["ack0", refused, "ack2", later, "ack4"])
    assert published == [rows[0], rows[2], rows[4]]  # p2's second row too: it is on the topic already
    assert acks == ["ack0", "ack2", "ack4"]
    assert error is refused
    assert settled(rows, ["x"] * 5) == (rows, ["x"] * 5, None)
    [*_, cancelled] = settled(rows[:1], [asyncio.CancelledError()])
    assert isinstance(cancelled, RuntimeError)  # an Exception: the relay's loop retries instead of ending


# ------------------------------------------------------------------ noida-db: DescribeCluster v0 only, a fixed id


def _noida_binary() -> str:
    return str(files("noida_db").joinpath("noida-db"))


@pytest.fixture(scope="module")
def noida(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """noida-db 0.2.3 with Kafka only, on a free port: (bootstrap servers, data folder)."""
    data, port = tmp_path_factory.mktemp("noida"), free_port()
    command = [_noida_binary(), "start", "--only", "kafka", "--kafka-port", str(port), "--data-dir", str(data)]
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=die_with_parent_preexec()
    )
    bootstrap = f"127.0.0.1:{port}"
    try:
        wait_until(lambda: port_accepts("127.0.0.1", port), time.monotonic() + 30, what=f"noida-db on {bootstrap}")
        yield bootstrap, data
    finally:
        process.terminate()
        process.wait(10)
        shutil.rmtree(data, ignore_errors=True)


def _empty_noida(data: Path) -> None:
    command = [_noida_binary(), "reset", "kafka", "--yes", "--data-dir", str(data)]
    subprocess.run(command, check=True, capture_output=True, timeout=30)


@pytest.mark.integration
def test_the_cluster_id_of_a_broker_that_offers_describe_cluster_v0_only_comes_from_its_metadata(noida):
    bootstrap, _ = noida
    assert cluster_id(bootstrap) == broker_view(bootstrap, []).cluster_id == "MkU3OEVBNTctOEUyRi00"


async def test_a_noida_broker_emptied_under_its_fixed_cluster_id_gets_every_event_again(launcher, noida):
    bootstrap, data = noida
    topic = f"test.tally.{uuid.uuid4().hex[:10]}"
    # The idempotent producer, as on Apache Kafka: the emptied broker forgets its producer id too.
    on_noida = dict(kafka_bootstrap_servers=bootstrap, relay_broker_check_seconds=0.5, kafka_idempotence=True)
    async with tally_service(launcher, topic, consume=False, **on_noida) as svc:
        for p in range(4):
            await open_and_increment(svc.uow(), f"t-{uuid.uuid4()}", f"noida-{p}", [1, 2], topic)
        await eventually(lambda: _drained(svc), what="published on noida-db")
        acknowledged = await _outbox_event_ids(svc)
        before = await _topic_event_ids(bootstrap, topic, expected=8)
        await asyncio.to_thread(_empty_noida, data)
        await _topic_event_ids(bootstrap, topic, expected=8)
        await eventually(lambda: _drained(svc), what="republished")
        await _more_checks(svc, 3)
        after = await _topic_event_ids(bootstrap, topic, expected=8)

    assert sorted(before) == sorted(after) == sorted(acknowledged) and len(acknowledged) == 8
    assert svc.relay.republished == 1
