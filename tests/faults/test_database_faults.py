"""PostgreSQL crashed, slowed or cut off under load: acknowledged commands are all in the store, refusals are the
documented 503, and the pipeline catches up by itself."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from shared.auth import mint_token
from shared.contracts.roles import Role
from shared.settings import KernelSettings
from tests.faults.scenario import Scenario, seeds
from tests.registration.support import communes

pytestmark = pytest.mark.integration


def assert_refusals_documented(scenario: Scenario) -> None:
    """A command the database could not take answers 503 ``unavailable`` with Retry-After, never a bare 500."""
    undocumented = [e for e in scenario.history.server_errors if not e.documented]
    assert not undocumented, f"{len(undocumented)} answers outside the contract, e.g. {undocumented[:5]}"


@pytest.mark.parametrize("seed", seeds())
async def test_postgresql_crashed_and_restarted_loses_no_acknowledged_command(system, seed):
    scenario = Scenario(system, "PostgreSQL immediate stop 3 s", seed)
    await scenario.under_load(lambda: system.postgres_outage(3.0))
    # The relay cannot mark a batch the broker already took while the database is down: it goes again.
    await scenario.settle(republish_faults=1)
    assert_refusals_documented(scenario)


@pytest.mark.parametrize("seed", seeds())
async def test_connection_faults_to_postgresql_lose_nothing_and_answer_503_at_worst(system, seed):
    proxy = system.pg_proxy
    scenario = Scenario(system, "database link: latency, reset, drop, half-open", seed)

    async def faults() -> None:
        # One after the other, each bounded; the sleeps are the faults' lengths, not synchronisation.
        proxy.latency(0.05, seconds=3.0)
        await asyncio.sleep(3.0)
        proxy.reset()
        proxy.drop_new(seconds=2.0)
        await asyncio.sleep(2.0)
        proxy.half_open(seconds=3.0)
        await asyncio.sleep(3.0)

    await scenario.under_load(faults)
    await scenario.settle(republish_faults=3)
    assert_refusals_documented(scenario)


async def test_input_postgresql_cannot_store_is_a_422_naming_the_field(system):
    """Point 4, on the real processes: a NUL in a JSON string, an offset beyond 64 bits."""
    officer = {"Authorization": "Bearer " + mint_token(KernelSettings(), actor_id="ds-380", role=Role.district_officer,
                                                       district="380")}
    producer = {"producer_id": f"nul-{uuid.uuid4().hex[:8]}", "name": "HTX\u0000Nul", "legal_form": "cooperative",
                "district_code": "380", "commune_code": communes("380")[0]}
    async with httpx.AsyncClient(base_url=system.url("registration"), timeout=10) as client:
        nul = await client.post("/producers", json=producer, headers=officer)
        beyond = await client.get("/registrations", params={"offset": 2**70}, headers=officer)
    assert (nul.status_code, nul.json()["detail"]["field"]) == (422, "name"), nul.text
    assert (beyond.status_code, beyond.json()["detail"]["field"]) == (422, "offset"), beyond.text
