"""Tansu broker: readiness, topics, produce/consume, empty restart, pause/resume."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from kafka import KafkaAdminClient

from ocop.infra.broker import TansuBroker
from shared.kafka import cluster_id, ensure_topics
from ocop.infra.ports import wait_until

# Each test starts and stops PostgreSQL clusters or Tansu brokers of its own (2-4 s).
pytestmark = pytest.mark.integration


@pytest.fixture
def broker(tmp_path):
    with TansuBroker(port=0, log_dir=tmp_path) as b:
        yield b


def _topics(bootstrap: str) -> list[str]:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
    try:
        return admin.list_topics()
    finally:
        admin.close()


async def test_topics_and_round_trip(broker):
    assert cluster_id(broker.bootstrap_servers) == broker.cluster_id
    ensure_topics(broker.bootstrap_servers, ["ocop.events", "ocop.commands"], partitions=3)
    ensure_topics(broker.bootstrap_servers, ["ocop.events"], partitions=3)  # idempotent
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap_servers)
    try:
        [meta] = admin.describe_topics(["ocop.events"])
    finally:
        admin.close()
    assert len(meta["partitions"]) == 3

    producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap_servers,
                                enable_idempotence=False)
    await producer.start()
    try:
        sent = await producer.send_and_wait("ocop.events", b"hello", key=b"k1")
    finally:
        await producer.stop()

    # Manual assignment avoids Tansu's slow (~5 s) consumer-group formation.
    consumer = AIOKafkaConsumer(bootstrap_servers=broker.bootstrap_servers,
                                enable_auto_commit=False)
    await consumer.start()
    try:
        tp = TopicPartition("ocop.events", sent.partition)
        consumer.assign([tp])
        await consumer.seek_to_beginning(tp)
        batch = await consumer.getmany(tp, timeout_ms=10_000)
    finally:
        await consumer.stop()
    assert [(r.key, r.value) for r in batch[tp]] == [(b"k1", b"hello")]


def test_restart_empty_forgets_everything(broker):
    ensure_topics(broker.bootstrap_servers, ["ocop.gone"], partitions=3)
    before, port = broker.cluster_id, broker.port
    broker.restart_empty()
    assert broker.port == port
    assert broker.cluster_id != before
    assert cluster_id(broker.bootstrap_servers) == broker.cluster_id
    assert "ocop.gone" not in _topics(broker.bootstrap_servers)


def test_pause_makes_requests_time_out(broker):
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap_servers, request_timeout_ms=500)
    try:
        assert admin.list_topics() == []
        broker.pause()
        with pytest.raises(Exception) as info:
            admin.list_topics()
        assert "timed out" in str(info.value).lower()
        broker.resume()
        wait_until(lambda: admin.list_topics() == [], time.monotonic() + 10,
                   what="metadata after resume")
    finally:
        admin.close()


def test_broker_dies_with_its_parent(tmp_path):
    script = textwrap.dedent(f"""
        import sys
        from ocop.infra.broker import TansuBroker
        b = TansuBroker(port=0, log_dir={str(tmp_path)!r}).start()
        print(b.pid, flush=True)
        sys.stdin.read()  # block until killed
    """)
    parent = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, cwd=os.getcwd())
    try:
        child = int(parent.stdout.readline())
    finally:
        parent.kill()  # SIGKILL: no atexit, only PR_SET_PDEATHSIG can clean up
        parent.wait()
    wait_until(lambda: not _alive(child), time.monotonic() + 10, what="orphaned broker to die")


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
