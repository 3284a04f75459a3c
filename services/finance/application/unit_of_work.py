"""One command, one unit of work: load → decide → commit, run again when another writer got a stream first.

Finance's commands do not depend on a version the caller saw (each aggregate checks its own state), so a lost race
— most often on a budget line every reward of the year draws on — is simply run again on fresh state.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from services.finance.application import unit
from services.finance.application.ports import FinancePorts
from shared.aggregate import Aggregate
from shared.uow import retry_on_conflict

T = TypeVar("T")
A = TypeVar("A", bound=Aggregate)


async def in_unit(ports: FinancePorts, work: Callable[[Any], Awaitable[T]]) -> T:
    """``work(uow)`` decides; its unit commits only if it returns (a refusal raised in it leaves nothing written)."""
    async def attempt() -> T:
        async with ports.uow() as uow:
            result = await work(uow)
            await uow.commit()
        return result

    return await retry_on_conflict(attempt)


async def on_stream(ports: FinancePorts, kind: type[A], stream_id: str,
                    decide: Callable[[Any, A], Awaitable[None]]) -> A:
    """Load ``stream_id`` (404 when absent), let ``decide(uow, aggregate)`` act on it, commit; the aggregate after."""
    async def work(uow: Any) -> A:
        aggregate = await unit.get(uow, kind, stream_id)
        await decide(uow, aggregate)
        return aggregate

    return await in_unit(ports, work)
