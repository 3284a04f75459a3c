"""A command whose outcome does not depend on what its caller saw is tried again after a concurrency conflict."""

from __future__ import annotations

import pytest

from shared.eventstore import ConcurrencyError
from shared.uow import retry_on_conflict


async def test_a_conflicted_attempt_is_run_again_until_it_commits():
    calls = []

    async def attempt() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise ConcurrencyError("session-1", len(calls))
        return "committed"

    assert await retry_on_conflict(attempt) == "committed" and len(calls) == 3


async def test_a_stream_that_keeps_moving_surfaces_the_conflict_after_the_last_try():
    calls = []

    async def attempt() -> None:
        calls.append(1)
        raise ConcurrencyError("session-1", len(calls))

    with pytest.raises(ConcurrencyError):
        await retry_on_conflict(attempt, tries=4)
    assert len(calls) == 4


async def test_other_errors_are_not_retried():
    calls = []

    async def attempt() -> None:
        calls.append(1)
        raise ValueError("bad card")

    with pytest.raises(ValueError):
        await retry_on_conflict(attempt)
    assert len(calls) == 1
