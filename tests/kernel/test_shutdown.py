"""A service always stops: a cancelled relay ends even when a NOTIFY wakes it at that moment, and a stuck task is forced."""

from __future__ import annotations

import asyncio

from structlog.testing import capture_logs

from tests.kernel.support import eventually, new_topic, tally_service


async def _relay_idle(svc) -> bool:
    # The relay waits on its wake-up event between polls; a waiter on it means it sits there now.
    return bool(svc.relay and svc.relay.is_leader and svc.relay._wake._waiters)


async def test_a_relay_cancelled_as_a_notify_wakes_it_still_stops(launcher):
    async with tally_service(launcher, new_topic(launcher), consume=False, relay_poll_seconds=30) as svc:
        await eventually(lambda: _relay_idle(svc), what="relay idle between polls")
        relay_task = next(t for t in asyncio.all_tasks() if t.get_name() == f"{svc.settings.service}-relay")
        svc.relay._on_notify()  # the wake-up and the cancellation land in the same loop iteration
        relay_task.cancel()
        done, _ = await asyncio.wait({relay_task}, timeout=10)

    assert relay_task in done and relay_task.cancelled()


async def test_a_task_that_ignores_cancellation_does_not_keep_the_service_from_stopping(launcher):
    started, release = asyncio.Event(), asyncio.Event()

    async def stubborn() -> None:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            await release.wait()  # refuses to stop until the test lets it go

    async with tally_service(launcher, new_topic(launcher), consume=False, shutdown_step_seconds=0.5) as svc:
        svc.spawn(stubborn(), "stubborn")
        await started.wait()
        with capture_logs() as logs:
            await asyncio.wait_for(svc.stop(), 30)
        pool_after_stop = svc.pool
    release.set()

    assert pool_after_stop is None
    assert any(e["event"] == "background task did not stop in time" and e["task"].endswith("-stubborn") for e in logs)
