"""What an external broker does with a consumer killed with kill -9 (OCOP_TEST_KAFKA_BOOTSTRAP_SERVERS).

A member that dies without leaving its group stays in it until its session times out; then the group rebalances
without it. Tests that kill -9 a consumer process (and every later test of the same group) rely on that. noida-db
0.2.3 never expires such a member: its group stays in CompletingRebalance for ever and no member joins again. The
probe finds out once per session, with a group and a topic of its own, so those tests can skip with the reason.
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid

from kafka import KafkaConsumer

from shared.kafka import ensure_topics

SESSION_MS = 6000  # the least session timeout Apache Kafka accepts (group.min.session.timeout.ms)
REJOIN_SECONDS = 20.0  # the session's 6 s, the broker's check of expired sessions, one rebalance: ample

_MEMBER = """
import sys, time
from kafka import KafkaConsumer
bootstrap, topic, group, session_ms = sys.argv[1:]
consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, session_timeout_ms=int(session_ms),
                         heartbeat_interval_ms=1000, max_poll_interval_ms=int(session_ms) * 2)
deadline = time.monotonic() + 30
while not consumer.assignment():
    if time.monotonic() > deadline:
        sys.exit("not joined")
    consumer.poll(timeout_ms=100)
print("joined", flush=True)
while True:
    consumer.poll(timeout_ms=500)
"""


def _assigned_within(consumer: KafkaConsumer, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not consumer.assignment():
        if time.monotonic() > deadline:
            return False
        consumer.poll(timeout_ms=200)
    return True


def dead_members_expire(bootstrap: str) -> bool:
    """Whether a member killed with kill -9 leaves its group when its session times out (another member then joins).

    Raises when the first member cannot even join: that is a broken broker, not a limitation to skip for.
    """
    topic = group = f"test.probe.{uuid.uuid4().hex[:10]}"
    ensure_topics(bootstrap, [topic], partitions=1)
    member = subprocess.Popen([sys.executable, "-c", _MEMBER, bootstrap, topic, group, str(SESSION_MS)],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        assert member.stdout is not None
        joined = member.stdout.readline()  # the member gives up after 30 s
        assert joined == b"joined\n", f"a probe member could not join a group on {bootstrap}"
    finally:
        member.kill()
        member.wait(10)
    successor = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, session_timeout_ms=SESSION_MS,
                              heartbeat_interval_ms=1000)
    try:
        return _assigned_within(successor, REJOIN_SECONDS)
    finally:
        successor.close(autocommit=False, timeout_ms=2000)  # its JoinGroup may still hang on the dead member
