"""Claims waiting for budget are tried again by themselves, and a failed round does not end the schedule."""

from __future__ import annotations

import asyncio

from services.finance.config import FinanceSettings
from services.finance.entrypoints import schedule


async def test_waiting_claims_are_retried_every_interval_and_a_failed_round_does_not_stop_it(monkeypatch):
    rounds: list[str] = []
    done = asyncio.Event()

    async def retry_waiting(ports):
        rounds.append("round")
        if len(rounds) == 1:
            raise OSError("database away")
        if len(rounds) == 3:
            done.set()
        return ["claim-1"]

    monkeypatch.setattr(schedule, "retry_waiting", retry_waiting)
    task = asyncio.create_task(schedule.retry_waiting_periodically(object(), 0.001))
    try:
        await asyncio.wait_for(done.wait(), 10)
    finally:
        task.cancel()
    assert len(rounds) >= 3  # the failed first round did not end the schedule


def test_the_interval_is_a_setting_with_a_working_default_and_zero_turns_it_off():
    assert FinanceSettings().retry_waiting_seconds == 300.0
    assert FinanceSettings(retry_waiting_seconds=0).retry_waiting_seconds == 0
