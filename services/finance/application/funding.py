"""Where a reward claim meets its budget line: reserve, and (automatic approval) commit and approve, in one unit.

``ProductRewards`` decides about the claim and ``BudgetLine`` about the money; this step holds both in the caller's
unit of work, so the claim's approval (and the RewardApproved derived from it) commits with the money it takes, or
neither does. A line that cannot hold the claim records nothing; the claim waits, with the shortfall, visibly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from services.finance.application import unit
from services.finance.application.ports import FinancePorts
from services.finance.application.unit_of_work import in_unit
from services.finance.domain.budget_line import BudgetLine
from services.finance.domain.claims import product_of
from services.finance.domain.errors import InsufficientFunds
from services.finance.domain.product_rewards import ProductRewards
from services.finance.domain.values import LineRef
from shared.context import message_context


async def try_line(uow: Any, ports: FinancePorts, rewards: ProductRewards, claim_id: str) -> bool:
    """Fund a waiting claim from its line: True when its money is now held (and, under automatic approval, the claim
    approved); False when it still waits (a line not allocated yet, or one without room: the shortfall recorded)."""
    claim = rewards.claim(claim_id)
    if claim.status != "waiting_for_budget":
        return False
    line = await unit.find(uow, BudgetLine, claim.line.stream_id)
    if line is None:
        rewards.await_budget(claim_id, InsufficientFunds(f"{claim.line.stream_id} is not allocated",
                                                         requested=claim.amount, available=0))
        return False
    on = line.funded_by(claim.recognition.decision.date)
    try:
        line.reserve(claim_id, claim.amount, on)
    except InsufficientFunds as shortfall:
        rewards.await_budget(claim_id, shortfall)
        return False
    rewards.reserve(claim_id)
    if ports.policy.approval == "automatic":
        rewards.approve(claim_id, ports.policy, on=on)
        line.commit(claim_id, on)
    return True


async def retry_claim(ports: FinancePorts, claim_id: str) -> bool:
    """One waiting claim tried again, in a unit of its own (a lost race on the line is run again)."""
    async def work(uow: Any) -> bool:
        return await try_line(uow, ports, await unit.get(uow, ProductRewards, product_of(claim_id)), claim_id)

    # Approvals made here are automatic: no officer decided them, whoever's command made room for them.
    with message_context(actor=None):
        return await in_unit(ports, work)


async def retry_waiting(ports: FinancePorts, lines: Sequence[LineRef] | None = None) -> list[str]:
    """Every claim waiting on ``lines`` (None: on any line), oldest first, one at a time; the ones now funded.

    A claim that still does not fit keeps waiting and the next, smaller one may fit: never more than the line holds.
    """
    async with ports.uow() as uow:
        waiting = await ports.waiting_claims(uow, lines)
    return [claim_id for claim_id in waiting if await retry_claim(ports, claim_id)]
