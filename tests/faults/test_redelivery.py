"""Every consumer group forgotten and the topics read again from offset 0: nothing takes effect twice."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from kafka import TopicPartition
from kafka.admin import KafkaAdminClient

from shared.contracts import PRODUCT_RATED_TOPIC, PRODUCT_REGISTERED_TOPIC
from tests.faults.history import topic_copies
from tests.faults.load import wait_for
from tests.faults.poison import Sent, assert_dead_lettered_once, dead_letter_copies, send_poisons
from tests.faults.scenario import Scenario, seeds

pytestmark = pytest.mark.integration

GROUPS = {"ocop-rating.product-registered": PRODUCT_REGISTERED_TOPIC,
          "ocop-registration.product-rated": PRODUCT_RATED_TOPIC}


def _admin(bootstrap: str) -> KafkaAdminClient:
    return KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000)


def _forget_groups(bootstrap: str) -> None:
    """With their members stopped, the groups go: their consumers start again from the earliest offset."""
    admin = _admin(bootstrap)
    try:
        admin.delete_groups(list(GROUPS))
    finally:
        admin.close()


async def _read_to_the_end(bootstrap: str) -> bool:
    """Each group has committed past the last record of every partition of its topic."""
    for group, topic in GROUPS.items():
        last: dict[int, int] = {}
        for record in await topic_copies(bootstrap, topic):
            last[record.partition] = max(last.get(record.partition, -1), record.offset)
        admin = _admin(bootstrap)
        try:
            committed = admin.list_group_offsets({group: [TopicPartition(topic, p) for p in last]}).get(group, {})
        finally:
            admin.close()
        if any((committed.get(TopicPartition(topic, p)) is None or committed[TopicPartition(topic, p)].offset <= offset)
               for p, offset in last.items()):
            return False
    return True


async def _all_dead_lettered(database_url: str, sent: list[Sent]) -> bool:
    conn = await asyncpg.connect(database_url)
    try:
        found = {tuple(r) for service in ("rating", "registration") for r in await conn.fetch(
            f"SELECT topic, kafka_partition, kafka_offset FROM {service}.dead_letters")}
    finally:
        await conn.close()
    return {s.origin for s in sent} <= found


@pytest.mark.parametrize("seed", seeds())
async def test_redelivery_from_offset_0_takes_nothing_twice(system, seed):
    """Every consumer reads its topics again from the start, poison records included: no event takes effect twice
    and no poison record is dead-lettered twice (point 6)."""
    scenario = Scenario(system, "consumer groups replayed from offset 0", seed)
    sent = await send_poisons(system.bootstrap_servers, list(GROUPS.values()))
    await wait_for(lambda: _all_dead_lettered(system.database_url, sent), timeout=60,
                   what="the poison records dead-lettered before the replay")

    async def replay() -> None:
        for service in ("rating", "registration"):
            await asyncio.to_thread(system.terminate, service)
        system.record("consumer groups deleted", "broker")
        await asyncio.to_thread(_forget_groups, system.bootstrap_servers)
        for service in ("rating", "registration"):
            await system.restart(service)

    await scenario.under_load(replay)
    await wait_for(lambda: _read_to_the_end(system.bootstrap_servers), timeout=90, interval=0.5,
                   what="both consumer groups read their topics again to the end")
    await scenario.settle(republish_faults=2)  # the two graceful stops may each cut a relay batch short
    for service, topic in (("rating", PRODUCT_REGISTERED_TOPIC), ("registration", PRODUCT_RATED_TOPIC)):
        copies = await dead_letter_copies(system.bootstrap_servers, service)
        assert_dead_lettered_once([s for s in sent if s.topic == topic], copies)
