"""The broker paused, cut off, slowed or replaced under load: the outbox keeps what the broker could not take, and
every event reaches its subscribers once."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from tests.faults.scenario import Scenario, seeds

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("seed", seeds())
async def test_a_paused_broker_delays_events_and_loses_none(system, seed):
    """Also point 8: meanwhile both services stay ready and take commands; the outbox holds the events."""
    system.own_broker("pause the broker")
    scenario = Scenario(system, "broker SIGSTOP 5 s", seed)

    async def pause() -> tuple[list[int], int]:
        system.pause_broker(5.0)
        started, acked = time.monotonic(), len(scenario.history.acks)
        async with httpx.AsyncClient(timeout=3) as client:
            ready = [(await client.get(system.url(key) + "/readyz")).status_code for key in ("registration", "rating")]
        # The rest of the pause is the fault itself; a timer resumes the broker even if this test fails.
        await asyncio.sleep(max(0.0, 5.0 - (time.monotonic() - started)))
        return ready, len(scenario.history.acks) - acked

    await scenario.under_load(pause)
    ready, acked_meanwhile = scenario.outcome
    assert ready == [200, 200], f"/readyz while the broker was paused: {ready}"
    assert acked_meanwhile > 0, "no command was acknowledged while the broker was paused"
    # A batch in flight when the broker stopped may fail after the broker appended it, and be sent again.
    await scenario.settle(republish_faults=1)


@pytest.mark.parametrize("seed", seeds())
async def test_connection_faults_to_the_broker_lose_nothing(system, seed):
    proxy = system.own_kafka_proxy("cut the services off the broker")
    scenario = Scenario(system, "broker link: latency, reset, drop, half-open", seed)

    async def faults() -> None:
        # One after the other, each bounded; the sleeps are the faults' lengths, not synchronisation.
        proxy.latency(0.2, seconds=3.0)
        await asyncio.sleep(3.0)
        proxy.reset()
        proxy.drop_new(seconds=2.0)
        await asyncio.sleep(2.0)
        proxy.half_open(seconds=4.0)
        await asyncio.sleep(4.0)

    await scenario.under_load(faults)
    # A reset, a refused reconnect and a half-open link can each fail a relay's batch after the broker took it.
    await scenario.settle(republish_faults=3)
