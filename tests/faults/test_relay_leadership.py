"""Two replicas of a service, and the leading relay's lock session killed in the database (issue 9, point 3): the
relay steps down at once, the other one (or itself, again) leads, and no event is published by both."""

from __future__ import annotations

import asyncpg
import httpx
import pytest

from shared.auth import mint_token
from shared.contracts.roles import Role
from shared.settings import KernelSettings
from tests.faults.load import wait_for
from tests.faults.scenario import Scenario, seeds

pytestmark = pytest.mark.integration

# The session holding registration's relay lock: its advisory lock, in registration's pool.
_LOCK_HOLDER = """
SELECT l.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
 WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = 'ocop-registration'
"""


async def _lock_holders(database_url: str) -> list[int]:
    conn = await asyncpg.connect(database_url)
    try:
        return [r["pid"] for r in await conn.fetch(_LOCK_HOLDER)]
    finally:
        await conn.close()


async def _leaders(urls: list[str]) -> list[bool]:
    headers = {"Authorization": "Bearer " + mint_token(KernelSettings(), actor_id="ops", role=Role.operator)}
    async with httpx.AsyncClient(timeout=5) as client:
        answers = [await client.get(url + "/ops/status", headers=headers) for url in urls]
    return [a.status_code == 200 and a.json()["relay_leader"] for a in answers]


@pytest.mark.parametrize("seed", seeds())
async def test_a_relay_whose_lock_session_dies_steps_down_and_one_relay_leads(system, seed):
    if system.external_broker:
        # The replica's consumers join registration's groups: on noida-db 0.2.3 a group that gained a member under
        # load was seen (twice, in .ci/noida) to leave a partition unconsumed for good (ProductRated events never
        # reached registration.product-rated's inbox, in this scenario and every later one). That is the broker's
        # group coordination, not this scenario's subject (the relay's lock in PostgreSQL), which `make test` runs on
        # the embedded Tansu.
        pytest.skip(f"adds a member to registration's consumer groups; the external broker {system.external_broker}"
                    " (noida-db) was seen to strand a partition of a group that gained a member under load")
    replica = await system.spawn_replica("registration", 1)
    urls = [system.url("registration"), system.url(replica)]
    scenario = Scenario(system, "relay lock session terminated (2 replicas)", seed)
    holders = await _lock_holders(system.database_url)
    assert len(holders) == 1, f"one relay holds the lock before the fault: {holders}"

    async def terminate_lock_session() -> None:
        system.record("pg_terminate_backend of the relay's lock session", "registration")
        conn = await asyncpg.connect(system.database_url)
        try:
            assert await conn.fetchval("SELECT pg_terminate_backend($1)", holders[0])
        finally:
            await conn.close()

    await scenario.under_load(terminate_lock_session)

    async def one_leader() -> bool:
        return len(await _lock_holders(system.database_url)) == 1 and sum(await _leaders(urls)) == 1

    await wait_for(one_leader, timeout=30, what="exactly one relay holding the lock and saying it leads")
    # The killed session may have had one batch on the broker, not yet marked: that batch, at most, goes again.
    await scenario.settle(republish_faults=1)
    assert sum(await _leaders(urls)) == 1
