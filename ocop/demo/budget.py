"""The plan year's budget (dự toán kinh phí OCOP) through finance's API: drafted by the Coordination Office, appraised
by the Department of Finance, approved by the People's Committee, allocated, amended.

The demo sizes the rewards line so that the claims waiting for it are funded, oldest first, all but the last heard:
that one waits, visibly, until an amendment funds it. Finance funds waiting claims itself when a budget step makes
room (allocation, an approved amendment); the demo only decides the amounts and reads what was funded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from ocop.demo import finance_data as fd
from ocop.demo.client import DemoContext


def vnd(amount: int) -> str:
    """10.000.000 đ: whole đồng, Vietnamese thousands separators."""
    return f"{amount:,}".replace(",", ".") + " đ"


def on(year: int, month_day: tuple[int, int]) -> date:
    return date(year, *month_day)


@dataclass(frozen=True)
class RewardLine:
    """The budget line and funding source finance pays the rewards of a plan year from."""

    year: int
    line: str = fd.REWARD_LINE
    source: str = fd.REWARD_SOURCE

    def change(self, amount: int, reason: str) -> dict[str, Any]:
        return {"line": self.line, "source": self.source, "amount": amount, "reason": reason}

    def holds(self, claim: dict[str, Any]) -> bool:
        return (claim["plan_year"], claim["line"], claim["source"]) == (self.year, self.line, self.source)


@dataclass
class BudgetStory:
    """What the demo did to the budget, in order, and the claim that waited for an amendment."""

    found: str  # the budget's status when the demo came: "none", "drafted", …, "allocated"
    found_version: int = 0  # its approved version then
    steps: list[str] = field(default_factory=list)
    funded: list[str] = field(default_factory=list)  # claims funded by the demo's budget steps, in order
    waited: dict[str, Any] | None = None  # the claim left waiting by the first step that funded claims
    funded_by: str | None = None  # the amendment decision that funded it
    problems: list[str] = field(default_factory=list)


class Budget:
    """One plan year's budget as the demo's officers handle it."""

    def __init__(self, ctx: DemoContext, line: RewardLine) -> None:
        self.ctx, self.line, self.year = ctx, line, line.year
        self.office, self.officer = ctx.staff.provincial_office(), ctx.staff.finance_officer()

    async def read(self) -> dict[str, Any] | None:
        answer = await self.ctx.finance.request("GET", f"/budgets/{self.year}", as_=self.officer, expect=(200, 404))
        return answer if isinstance(answer, dict) and "status" in answer else None

    async def waiting(self) -> list[dict[str, Any]]:
        """Claims waiting on the rewards line, oldest first (the order finance funds them in)."""
        found = await self.ctx.finance.pages("/claims/waiting", as_=self.officer, params={"plan_year": self.year})
        return [c for c in found if self.line.holds(c)]

    async def line_figures(self) -> dict[str, Any] | None:
        execution = await self.ctx.finance.get(f"/budgets/{self.year}/execution", as_=self.officer)
        return next((r for r in execution["lines"] if (r["line"], r["source"]) == (self.line.line, self.line.source)),
                    None)

    # ------------------------------------------------------------------------------------------- the first year

    def _sources(self) -> list[dict[str, str]]:
        return [{"code": code, "name": name.format(year=self.year), "kind": kind} for code, name, kind in fd.SOURCES]

    async def draft(self, rewards_at_least: int) -> dict[str, Any]:
        allotments = [{"line": line, "source": source,
                       "amount": max(amount, rewards_at_least) if (line, source) == (self.line.line, self.line.source)
                       else amount} for line, source, amount in fd.ESTIMATE]
        return await self.ctx.finance.post("/budgets", {
            "plan_year": self.year, "sources": self._sources(), "allotments": allotments,
            "on": on(self.year, fd.DRAFTED_ON).isoformat()}, as_=self.office)

    async def appraise(self, rewards: int, claims: int) -> dict[str, Any]:
        line, source, amount, reason = fd.APPRAISAL_CUT
        changes = [{"line": line, "source": source, "amount": amount, "reason": reason}]
        if rewards > 0:
            changes.append(self.line.change(rewards, fd.REWARDS_APPRAISED.format(n=claims)))
        return await self.ctx.finance.post(f"/budgets/{self.year}/appraisal", {
            "changes": changes, "on": on(self.year, fd.APPRAISED_ON).isoformat()}, as_=self.officer)

    async def approve(self) -> dict[str, Any]:
        number, signed = fd.BUDGET_DECISION
        return await self.ctx.finance.post(f"/budgets/{self.year}/approval", {"decision": self._decision(
            number, on(self.year, signed))}, as_=self.office)

    async def allocate(self) -> dict[str, Any]:
        return await self.ctx.finance.post(f"/budgets/{self.year}/allocation", {
            "on": on(self.year, fd.ALLOCATED_ON).isoformat()}, as_=self.officer)

    # ------------------------------------------------------------------------------------------- amendments

    async def amend(self, budget: dict[str, Any], room: int, reason: str, planned: date) -> tuple[dict[str, Any], str]:
        """Set the rewards line to what it holds plus ``room``: proposed by the Coordination Office on ``planned``
        (never before the budget's last step), approved by the People's Committee. Returns the funded view and the
        decision's number."""
        figures = await self.line_figures()
        used = figures["approved"] - figures["remaining"] if figures else 0
        last = _last_step(budget)
        proposed = max(planned, last)
        # On a budget whose last step is later than the demo's calendar (an earlier run's), decide the same day.
        decided = proposed + timedelta(days=fd.AMENDMENT_DECIDED_AFTER) if proposed > last else proposed
        pending = await self.ctx.finance.post(f"/budgets/{self.year}/amendments", {
            "changes": [self.line.change(used + room, reason)], "on": proposed.isoformat()}, as_=self.office)
        n = pending["pending_amendment"]["amendment"]
        number = f"{fd.AMENDMENT_NUMBER_FROM + n}/QĐ-UBND"
        funded = await self.ctx.finance.post(f"/budgets/{self.year}/amendments/{n}/approval",
                                             {"decision": self._decision(number, decided)}, as_=self.office)
        return funded, number

    def _decision(self, number: str, signed: date) -> dict[str, str]:
        return {"number": number, "date": signed.isoformat(), "issued_by": fd.PPC, "signer": fd.PPC_SIGNER}


def _last_step(budget: dict[str, Any]) -> date:
    """The date of the budget's latest step the demo can see (each step is dated on or after the one before)."""
    days = [date.fromisoformat(v["decision"]["date"]) for v in budget["versions"]]
    days += [date.fromisoformat(d) for d in (budget.get("allocated_on"),) if d]
    return max(days, default=date(budget["plan_year"], 1, 1))


def _all_but_last(waiting: list[dict[str, Any]]) -> int:
    amounts = [c["amount"] for c in waiting]
    return sum(amounts[:-1]) if len(amounts) > 1 else sum(amounts)


def _after_newest_decision(waiting: list[dict[str, Any]]) -> date:
    """An amendment for waiting claims is proposed two days after the latest recognition decision among them."""
    return max(date.fromisoformat(c["decision_date"]) for c in waiting) + timedelta(days=2)


async def fund_rewards(ctx: DemoContext, line: RewardLine) -> BudgetStory:
    """Take the budget as far as allocation, sizing the rewards line to every waiting claim but the last heard; then
    amend it for that one. A budget an earlier run allocated gets one amendment for all but the last, then one more."""
    budget = Budget(ctx, line)
    found = await budget.read()
    story = BudgetStory(found["status"] if found else "none", found["version"] if found else 0)
    waiting = await budget.waiting()
    first_share = _all_but_last(waiting)
    view = found or await budget.draft(first_share)
    if found is None:
        story.steps.append(f"drafted by the Coordination Office on {on(line.year, fd.DRAFTED_ON):%d/%m/%Y}")
    if view["status"] == "drafted":
        view = await budget.appraise(first_share, max(len(waiting) - 1, 1))
        story.steps.append(f"appraised by the Department of Finance on {on(line.year, fd.APPRAISED_ON):%d/%m/%Y}:"
                           f" rewards line {vnd(first_share)}, training cut")
    if view["status"] == "appraised":
        view = await budget.approve()
        number, signed = fd.BUDGET_DECISION
        story.steps.append(f"approved by the People's Committee, decision {number} of {on(line.year, signed):%d/%m/%Y}")
    if view["status"] == "approved":
        funded = await budget.allocate()
        view = funded["budget"]
        story.funded += funded["funded_claims"]
        story.steps.append(f"allocated on {on(line.year, fd.ALLOCATED_ON):%d/%m/%Y}:"
                           f" {len(funded['funded_claims'])} waiting claims funded, oldest first")
    if view["status"] != "allocated" or view.get("pending_amendment"):
        story.problems.append(f"the {line.year} budget is {view['status']}"
                              + (" with an amendment pending" if view.get("pending_amendment") else "")
                              + ": the demo cannot fund its claims")
        return story
    waiting = await budget.waiting()
    if len(waiting) > 1:
        funded, number = await budget.amend(view, _all_but_last(waiting), fd.REWARDS_TOP_UP.format(n=len(waiting) - 1),
                                            _after_newest_decision(waiting))
        view = funded["budget"]
        story.funded += funded["funded_claims"]
        story.steps.append(f"amended by decision {number}: {len(funded['funded_claims'])} waiting claims funded")
        waiting = await budget.waiting()
    if waiting:
        story.waited = waiting[-1]
        funded, number = await budget.amend(view, sum(c["amount"] for c in waiting),
                                            fd.REWARDS_TOP_UP.format(n=len(waiting)), _after_newest_decision(waiting))
        story.funded += funded["funded_claims"]
        story.funded_by = number
        story.steps.append(f"amended by decision {number}: the claim that waited is funded")
    return story


async def return_unused(ctx: DemoContext, line: RewardLine) -> str:
    """Before the rating: an allocated budget whose rewards line has room gives it back (an amendment down to what
    the line holds), so this run's recognitions wait for the budget as the first run's did. What was done, in words."""
    budget = Budget(ctx, line)
    found = await budget.read()
    if found is None:
        return f"no {line.year} budget yet: the season's rewards will wait for it"
    if found["status"] != "allocated" or found.get("pending_amendment"):
        return f"the {line.year} budget is {found['status']}: its lines are not open, rewards will wait"
    figures = await budget.line_figures()
    if figures is None or figures["remaining"] == 0:
        return f"the {line.year} budget is allocated (version {found['version']}); its rewards line has no room left"
    if figures["approved"] == figures["remaining"]:
        return (f"the {line.year} budget's rewards line is unused ({vnd(figures['remaining'])}): rewards will be paid"
                " from it as they come")
    _, number = await budget.amend(found, 0, fd.REWARDS_RETURNED, _last_step(found))
    return (f"the {line.year} budget was allocated by an earlier run: its rewards line gave back"
            f" {vnd(figures['remaining'])} unused (decision {number}), so this run's rewards wait for an amendment")
