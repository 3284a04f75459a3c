"""The plan year's budget (dự toán): drafted, appraised, approved, allocated, amended — and its lines.

Allocation opens one ``BudgetLine`` per (line, source) of the approved version, and an approved amendment changes
the lines it names, in the same unit of work as the budget's own event (a line that refuses — an amount below what
it already holds — refuses the whole step). Afterwards the claims waiting on those lines are tried again, oldest
first, each in a unit of its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from services.finance.application import unit
from services.finance.application.funding import retry_waiting
from services.finance.application.ports import FinancePorts
from services.finance.application.unit_of_work import in_unit, on_stream
from services.finance.domain.budget import Budget, BudgetVersion, budget_id
from services.finance.domain.budget_line import BudgetLine
from services.finance.domain.errors import AlreadyExists, NotAllowed
from services.finance.domain.values import Allotment, Decision, FundingSource, LineChange, LineRef
from shared.auth import Actor


async def draft(ports: FinancePorts, actor: Actor, *, plan_year: int, sources: Iterable[FundingSource],
                allotments: Iterable[Allotment], on: date) -> Budget:
    async def work(uow: Any) -> Budget:
        if await uow.events.stream_version(budget_id(plan_year)):
            raise AlreadyExists(f"the {plan_year} budget is already drafted: amend it instead", field="plan_year")
        return unit.add(uow, Budget.draft(plan_year, sources, allotments, drafted_by=actor.id, on=on))

    return await in_unit(ports, work)


async def _on_budget(ports: FinancePorts, plan_year: int, decide: Any) -> Budget:
    return await on_stream(ports, Budget, budget_id(plan_year), decide)


async def appraise(ports: FinancePorts, actor: Actor, plan_year: int, changes: Iterable[LineChange],
                   on: date) -> Budget:
    async def decide(uow: Any, budget: Budget) -> None:
        budget.appraise(changes, appraised_by=actor.id, on=on)

    return await _on_budget(ports, plan_year, decide)


async def approve(ports: FinancePorts, plan_year: int, decision: Decision) -> Budget:
    async def decide(uow: Any, budget: Budget) -> None:
        budget.approve(decision)

    return await _on_budget(ports, plan_year, decide)


async def allocate(ports: FinancePorts, actor: Actor, plan_year: int, on: date) -> tuple[Budget, list[str]]:
    """Allocate and open every line of the approved version; then fund the claims that waited for it."""
    async def decide(uow: Any, budget: Budget) -> None:
        budget.allocate(allocated_by=actor.id, on=on)
        version = budget.versions[-1]
        for ref, amount in budget.amounts().items():
            unit.add(uow, BudgetLine.open(ref, amount, budget_version=version.version,
                                          decision_number=version.decision.number, on=on))

    budget = await _on_budget(ports, plan_year, decide)
    return budget, await retry_waiting(ports, list(budget.amounts()))


async def propose_amendment(ports: FinancePorts, actor: Actor, plan_year: int, changes: Iterable[LineChange],
                            new_sources: Iterable[FundingSource], on: date) -> Budget:
    async def decide(uow: Any, budget: Budget) -> None:
        budget.propose_amendment(changes, proposed_by=actor.id, on=on, new_sources=new_sources)

    return await _on_budget(ports, plan_year, decide)


def _pending(budget: Budget, amendment: int) -> None:
    """The command names the amendment it decides: deciding another than the pending one is refused."""
    pending = budget.proposed.amendment if budget.proposed else None
    if pending is not None and pending != amendment:
        raise NotAllowed(f"amendment {amendment} of the {budget.plan_year} budget is not the pending one "
                         f"({pending})", field="amendment")


async def approve_amendment(ports: FinancePorts, plan_year: int, amendment: int,
                            decision: Decision) -> tuple[Budget, list[str]]:
    """A new version; on an allocated budget its changed lines move (or open) with it, then waiting claims go on."""
    changed: list[LineRef] = []

    async def decide(uow: Any, budget: Budget) -> None:
        _pending(budget, amendment)
        version = budget.approve_amendment(decision)
        changed[:] = await _change_lines(uow, budget, version) if budget.status == "allocated" else []

    budget = await _on_budget(ports, plan_year, decide)
    return budget, (await retry_waiting(ports, changed) if changed else [])


async def _change_lines(uow: Any, budget: Budget, version: BudgetVersion) -> list[LineRef]:
    refs = []
    for change in version.changes:
        ref = LineRef(budget.plan_year, change.line, change.source)
        line = await unit.find(uow, BudgetLine, ref.stream_id)
        if line is None:
            unit.add(uow, BudgetLine.open(ref, change.amount, budget_version=version.version,
                                          decision_number=version.decision.number, on=version.decision.date))
        else:
            line.change_amount(change.amount, budget_version=version.version, decision_number=version.decision.number,
                               on=version.decision.date)
        refs.append(ref)
    return refs


async def reject_amendment(ports: FinancePorts, actor: Actor, plan_year: int, amendment: int, *, reason: str,
                           on: date) -> Budget:
    async def decide(uow: Any, budget: Budget) -> None:
        _pending(budget, amendment)
        budget.reject_amendment(reason=reason, rejected_by=actor.id, on=on)

    return await _on_budget(ports, plan_year, decide)


async def budget(ports: FinancePorts, plan_year: int) -> Budget:
    """The budget as its events leave it (versions, pending amendment): read from its own stream."""
    async with ports.uow() as uow:
        return await unit.get(uow, Budget, budget_id(plan_year))
