"""The broker replaced by an empty one while the services run (issue 9, points 1, 2 and 11): nobody restarts
anything, and every event, old and new, reaches every subscriber once."""

from __future__ import annotations

import asyncio

import pytest
from kafka.admin import KafkaAdminClient

from shared.kafka import contract_topics
from tests.faults.scenario import Scenario, seeds

pytestmark = pytest.mark.integration


def _partitions(bootstrap: str) -> dict[str, int]:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
    try:
        return {t["topic"] if "topic" in t else t["name"]: len(t["partitions"])
                for t in admin.describe_topics(contract_topics())}
    finally:
        admin.close()


@pytest.mark.parametrize("seed", seeds())
async def test_a_broker_replaced_while_rating_is_down_loses_no_event(system, seed):
    """Point 1: registration keeps running across the replacement; rating, down meanwhile, gets everything."""
    system.own_broker("replace the broker")
    scenario = Scenario(system, "broker replaced while rating is down", seed)

    async def replace() -> None:
        system.kill("rating")
        system.kill_broker()
        await asyncio.to_thread(system.start_broker_empty, create_topics=False)
        await system.restart("rating")

    await scenario.under_load(replace)
    # The broker's death may cut one relay batch per publisher short; otherwise each event once on the new log.
    await scenario.settle(republish_faults=1, new_log=True)


@pytest.mark.parametrize("seed", seeds())
@pytest.mark.parametrize("same_cluster_id", [False, True], ids=["new cluster id", "same cluster id"])
async def test_running_services_survive_a_new_empty_broker(system, seed, same_cluster_id):
    """Points 2 and 11: no restart; the services create the topics again (the project's partition count), their
    consumers carry on, and the relay republishes what the broker lost, even when the broker kept its cluster id."""
    system.own_broker("replace the broker")
    scenario = Scenario(system, f"broker emptied under running services ({'same' if same_cluster_id else 'new'} id)",
                        seed)

    async def replace() -> None:
        await asyncio.to_thread(system.start_broker_empty, keep_cluster_id=same_cluster_id, create_topics=False)

    await scenario.under_load(replace)
    await scenario.settle(republish_faults=1, new_log=True)
    partitions = await asyncio.to_thread(_partitions, system.bootstrap_servers)
    assert set(partitions.values()) == {6}, f"topics the services created again: {partitions}"
