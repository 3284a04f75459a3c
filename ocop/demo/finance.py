"""The finance season: reward tariffs, the plan year's budget, and the rewards of the season's recognitions paid.

Finance pays by itself: each ``ProductRated`` recognising a product opens a reward claim, approved when its budget
line holds it (``RewardApproved``). The demo plays the people around it. Before the rating (``prepare_finance``) the
Department of Finance installs a tariff table covering every year the demo decides in, and a rewards line an earlier
run left room on gives that room back, so the season's rewards wait for the budget. After the rating
(``finance_season``) the demo waits until finance has opened a claim for every recognition of the run, takes the
budget through its steps (``ocop.demo.budget``: one claim waits until an amendment), then records the payment of
every claim of the run, one 4★ reward in two instalments. What happens after the inspections is
``ocop.demo.finance_closing``'s.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from rich.console import Console
from rich.markup import escape

from ocop.demo import finance_data as fd
from ocop.demo.budget import BudgetStory, RewardLine, fund_rewards, return_unused, vnd
from ocop.demo.client import Checked, DemoContext, eventually
from ocop.demo.rating_plan import PlannedSession
from ocop.demo.season import _gather

# ----------------------------------------------------------------------------------------------------- tariffs


def tariff_years(cycle_year: int) -> range:
    """The plan years the demo decides in: its cycle (every decision is dated in it), 2021's and the year after."""
    return range(min(cycle_year, 2021), max(cycle_year, 2021) + 2)


def tariff_table(cycle_year: int) -> dict[str, Any]:
    """Thanh Hóa's 2021 amounts, one entry per plan year (a decision's date picks its entry, so every year the demo
    decides in needs one); years other than 2021 keep 2021's amounts, as the basis says."""
    years = tariff_years(cycle_year)
    return {"format": "ocop-reward-tariffs/1", "province": "Thanh Hóa",
            "title": fd.TARIFF_TITLE.format(first=years[0], last=years[-1]),
            "tariffs": [{"plan_year": y, "valid_from": f"{y}-01-01", "valid_until": f"{y}-12-31",
                         "basis": fd.TARIFF_BASIS_2021 if y == 2021 else fd.TARIFF_BASIS_LATER.format(year=y),
                         "stars": dict(fd.STAR_REWARDS), "no_reward": [], "upgrades": []} for y in years]}


def _same_entries(in_force: dict[str, Any], wanted: dict[str, Any]) -> bool:
    def entries(table: dict[str, Any]) -> list[tuple[Any, ...]]:
        return [(t["plan_year"], t["valid_from"], t["valid_until"], {str(k): v for k, v in t["stars"].items()})
                for t in table["tariffs"]]

    return entries(in_force) == entries(wanted)


async def install_tariffs(ctx: DemoContext) -> str:
    """PUT /tariffs unless the table in force already has the demo's entries; what was done, in words."""
    officer, wanted = ctx.staff.finance_officer(), tariff_table(ctx.cycle_year)
    years = f"{wanted['tariffs'][0]['plan_year']}–{wanted['tariffs'][-1]['plan_year']}"
    if _same_entries(await ctx.finance.get("/tariffs", as_=officer), wanted):
        return f"the tariff table in force covers {years} already"
    await ctx.finance.put("/tariffs", wanted, as_=officer)
    stars = ", ".join(f"{s}★ {vnd(a)}" for s, a in fd.STAR_REWARDS.items())
    return f"installed a tariff table for {years} (PUT /tariffs): {stars} per product"


@dataclass
class GroundworkReport(Checked):
    title: str
    said: list[str]

    def render(self, console: Console) -> None:
        for line in self.said:
            console.print(f"{self.title}: {escape(line)}", soft_wrap=True)


async def prepare_finance(ctx: DemoContext) -> GroundworkReport:
    """Before the rating: tariffs for every year the demo decides in; the rewards line without room to spare."""
    said = [await install_tariffs(ctx), await return_unused(ctx, RewardLine(ctx.cycle_year))]
    for line in said:
        ctx.say(f"finance: {line}")
    return GroundworkReport(f"Finance before the rating {ctx.cycle_year}", said)


# ----------------------------------------------------------------------------------------------------- the claims


def decided_sessions(ctx: DemoContext) -> list[PlannedSession]:
    """This run's provincial rounds and central session: the recognition decisions claims name."""
    return [s for s in ctx.shared.get("rating", []) if s.decision is not None and s.session_id]


def recognitions(ctx: DemoContext) -> set[tuple[str, int]]:
    """(product, star) of every recognition of this run, as rating's results report them: one claim each."""
    return {(r["product_id"], r["outcome_stars"]) for s in decided_sessions(ctx) for r in s.results
            if r["outcome"] == "recognized"}


async def run_claims(ctx: DemoContext) -> list[dict[str, Any]]:
    """This run's claims, by the decisions of its rounds (numbers are the run's own), oldest first."""
    products = {e.product.product_id for s in ctx.shared.get("rating", []) for e in s.examinations}
    found = await _gather(ctx.finance.pages("/claims", as_=ctx.staff.finance_officer(),
                                            params={"decision": s.decision["number"]}) for s in decided_sessions(ctx))
    return [c for claims in found for c in claims if c["product_id"] in products]


async def wait_for_claims(ctx: DemoContext, timeout: float) -> list[dict[str, Any]]:
    expected = recognitions(ctx)

    async def heard() -> list[dict[str, Any]] | None:
        claims = await run_claims(ctx)
        return claims if expected <= {(c["product_id"], c["stars"]) for c in claims} else None

    return await eventually(heard, timeout, f"finance to open a claim for each of the run's {len(expected)}"
                                            " recognitions (is it consuming ProductRated? see its /ops/status)")


# ----------------------------------------------------------------------------------------------------- payments


def _instalments(claim: dict[str, Any], split: bool) -> list[tuple[int, date]]:
    """(amount, paid on) of each payment: 14 days after the approval; a split claim in two halves a month apart."""
    first = date.fromisoformat(claim["approved_on"]) + timedelta(days=fd.PAID_AFTER)
    due = claim["amount"] - claim["paid"]
    if not split or due < 2:
        return [(due, first)]
    return [(due // 2, first), (due - due // 2, first + timedelta(days=30))]


async def pay_claims(ctx: DemoContext, claims: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The finance officer records the payment of every approved claim of the run (one at a time: they share a budget
    line's stream); a claim held for a manual approval is approved first, by its recognition decision."""
    officer = ctx.staff.finance_officer()
    payable = [c for c in claims if c["status"] in ("reserved", "approved", "partly_paid")]
    split = next((c["claim_id"] for c in payable if c["stars"] == 4 and c["rule"] == "first_reward"), None)
    payments = []
    for claim in payable:
        if claim["status"] == "reserved":
            decision = {"number": claim["decision_number"], "date": claim["decision_date"],
                        "issued_by": claim["decision_issued_by"]}
            claim = await ctx.finance.post(f"/claims/{claim['claim_id']}/approval", {"decision": decision,
                                           "on": claim["decision_date"]}, as_=officer)
        for amount, paid_on in _instalments(claim, claim["claim_id"] == split):
            voucher = fd.VOUCHER.format(year=ctx.cycle_year, run=ctx.run_id, n=len(payments) + 1)
            await ctx.finance.post(f"/claims/{claim['claim_id']}/payments",
                                   {"amount": amount, "voucher": voucher, "paid_on": paid_on.isoformat()}, as_=officer)
            payments.append({"claim_id": claim["claim_id"], "amount": amount, "voucher": voucher, "paid_on": paid_on})
    return payments


# ----------------------------------------------------------------------------------------------------- the report


@dataclass
class FinanceReport(Checked):
    title: str
    cycle_year: int
    budget: dict[str, Any]  # GET /budgets/{year} after the demo
    story: BudgetStory
    claims: list[dict[str, Any]]  # this run's claims after the payments
    payments: list[dict[str, Any]]
    requests: int
    elapsed: float

    @property
    def split_claim(self) -> str | None:
        paid = Counter(p["claim_id"] for p in self.payments)
        return next((claim for claim, n in paid.items() if n > 1), None)

    def render(self, console: Console) -> None:
        say = lambda line: console.print(line, soft_wrap=True)  # one line each: readers and tests grep them
        b, story = self.budget, self.story
        found = "none" if story.found == "none" else f"{story.found}, by an earlier run"
        say(f"[bold]{self.title}[/]: budget {self.cycle_year} found: {found};"
            f" now {b['status']}, version {b['version']}")
        for step in story.steps:
            say(f"  budget: {escape(step)}")
        earlier = [v for v in b["versions"] if 1 < v["version"] <= story.found_version]
        if earlier:
            say(f"  version{'s 2–' if len(earlier) > 1 else ' '}{story.found_version}: amended by earlier runs")
        for v in b["versions"]:
            if v in earlier:
                continue
            rewards = next((a["amount"] for a in v["allotments"] if a["line"] == fd.REWARD_LINE), 0)
            total = sum(a["amount"] for a in v["allotments"])
            d = v["decision"]
            say(f"  version {v['version']}: decision {escape(d['number'])} of {date.fromisoformat(d['date']):%d/%m/%Y}"
                f" ({escape(d.get('signer') or d['issued_by'])}): {vnd(total)}, of which rewards {vnd(rewards)}")
        by_star = Counter(c["stars"] for c in self.claims)
        stars = ", ".join(f"{s}★ {by_star[s]}" for s in sorted(by_star))
        say(f"Reward claims of this run: {len(self.claims)} ({stars}), {vnd(sum(c['amount'] for c in self.claims))};"
            f" funded by the budget steps: {len(story.funded)}")
        if story.waited:
            w = story.waited
            say(f"Waited for budget: {escape(w['product_name'] or w['product_id'])} {w['stars']}★ {vnd(w['amount'])}"
                f" ({vnd(w['available'] or 0)} left on its line at the last try) until amendment"
                f" decision {escape(story.funded_by or '?')}")
        paid = sum(p["amount"] for p in self.payments)
        split = f"; claim {self.split_claim} in two instalments" if self.split_claim else ""
        say(f"Disbursed: {len(self.payments)} payments, {vnd(paid)}{split};"
            f" claims of this run fully paid: {sum(c['status'] == 'paid' for c in self.claims)}/{len(self.claims)};"
            f" {self.requests} HTTP requests to finance in {self.elapsed:.1f} s")
        for problem in self.problems:
            console.print(f"[bold red]problem:[/] {escape(problem)}")


async def finance_season(ctx: DemoContext, timeout: float = 90.0) -> FinanceReport:
    """Step three: the budget that pays the season's rewards, and the rewards paid."""
    started, say = time.monotonic(), ctx.say
    expected = recognitions(ctx)
    say(f"finance {ctx.cycle_year}: waiting for finance to open the claims of {len(expected)} recognitions")
    claims = await wait_for_claims(ctx, timeout)
    lines = {(c["plan_year"], c["line"], c["source"]) for c in claims}
    line = RewardLine(*next(iter(lines))) if len(lines) == 1 else RewardLine(ctx.cycle_year)
    problems = [] if len(lines) <= 1 else [f"this run's claims are on several lines: {sorted(lines)}"]
    story = await fund_rewards(ctx, line)
    problems += story.problems
    say(f"  budget: {'; '.join(story.steps) or 'nothing to do'}")
    claims = await run_claims(ctx)
    payments = await pay_claims(ctx, claims)
    claims = await run_claims(ctx)
    say(f"  {len(payments)} payments recorded for {len(claims)} claims")
    unpaid = [c["claim_id"] for c in claims if c["status"] != "paid"]
    if unpaid:
        problems.append(f"claims of this run not paid: {', '.join(unpaid)}")
    if story.waited is None and len(claims) > 1:
        problems.append("no claim waited for an amendment of the budget")
    report = FinanceReport(f"Finance {ctx.cycle_year}", ctx.cycle_year,
                           await ctx.finance.get(f"/budgets/{line.year}", as_=ctx.staff.finance_officer()), story,
                           claims, payments, ctx.finance.requests, time.monotonic() - started, problems=problems)
    ctx.shared["finance"] = report
    return report
