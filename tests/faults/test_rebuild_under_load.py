"""Read models rebuilt while commands and events keep coming (issue 9, point 9): nothing written meanwhile is
missing from the rebuilt tables, which equal a fresh rebuild once the load is over."""

from __future__ import annotations

import asyncio

import pytest

from services.rating.service import definition as rating
from services.registration.service import definition as registration
from shared.db import create_pool
from shared.rebuild import rebuild
from tests.faults.scenario import Scenario, seeds

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("seed", seeds())
async def test_rebuilds_during_the_load_lose_no_write(system, seed):
    scenario = Scenario(system, "read models rebuilt 3 times under load", seed)

    async def rebuild_three_times() -> None:
        pools = {d.name: await create_pool(system.database_url, d.name, max_size=2, name=f"faults-rebuild-{d.name}")
                 for d in (registration, rating)}
        try:
            for _ in range(3):
                for d in (registration, rating):
                    system.record("projection rebuild", d.name)
                    await rebuild(pools[d.name], list(d.projections()), d.events)
                await asyncio.sleep(0.5)  # spread the rebuilds over the load; not a synchronisation
        finally:
            for pool in pools.values():
                await pool.close()

    await scenario.under_load(rebuild_three_times)
    await scenario.settle()
