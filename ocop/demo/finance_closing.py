"""Finance at the year's end: what the inspections' decisions did to the rewards paid, the rewards per round, the
budget's execution as of 31 December and finance's own reconciliation.

A revoked product keeps no star and a downgraded one keeps the lower star: money paid on a claim above what the product
keeps opens a recovery item (khoản thu hồi), unpaid money would be put on hold. Finance does it on hearing rating's
``ProductRated``; the demo waits for it and reads the results.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ocop.demo.budget import vnd
from ocop.demo.client import Checked, DemoContext, eventually
from ocop.demo.finance import decided_sessions, run_claims
from ocop.demo.season import _gather

EXECUTION_COLUMNS = ("approved", "reserved", "committed", "disbursed", "remaining")


def thousands(amount: int) -> str:
    """Nghìn đồng, as budget reports print them: 820.000 for 820.000.000 đ."""
    return f"{amount // 1000:,}".replace(",", ".") + ("" if amount % 1000 == 0 else f",{amount % 1000:03d}")


@dataclass
class RoundRewards:
    label: str
    decision: str
    decided_on: date
    rewards: list[dict[str, Any]]  # GET /rewards/round?decision=… rows

    def amount(self, stars: int | None = None) -> int:
        return sum(r["amount"] for r in self._rewarded() if stars is None or r["stars"] == stars)

    def _rewarded(self) -> list[dict[str, Any]]:
        return [r for r in self.rewards if r["claim_id"] and r["status"] != "cancelled"]

    @property
    def paid(self) -> int:
        return sum(r["paid"] for r in self.rewards)

    def count(self, stars: int) -> int:
        return sum(r["stars"] == stars for r in self._rewarded())


@dataclass
class FinanceClosingReport(Checked):
    title: str
    cycle_year: int
    withdrawn: dict[str, str]  # product id → "revoked" | "downgraded" (this run's inspections)
    recoveries: list[dict[str, Any]]  # of those products
    holds: list[dict[str, Any]]
    rounds: list[RoundRewards]
    execution: dict[str, Any]  # GET /budgets/{year}/execution?as_of=…-12-31
    reconciliation: dict[str, Any]
    elapsed: float

    def render(self, console: Console) -> None:
        say = lambda line: console.print(line, soft_wrap=True)  # one line each: readers and tests grep them
        renamed = any(" (demo " in r.decision for r in self.rounds)
        table = Table(title=f"Rewards per round {self.cycle_year}", caption="GET /rewards/round?decision=… of this"
                      " run's decisions" + ("; * number suffixed with the run id" if renamed else ""), box=None,
                      padding=(0, 1, 0, 0), header_style="bold underline")
        for column in ("round", "decision", "signed", "3★", "4★", "5★", "rewarded", "paid"):
            table.add_column(column, justify="left" if column in ("round", "decision", "signed") else "right",
                             no_wrap=True)
        for r in self.rounds:
            table.add_row(r.label, escape(r.decision.split(" (demo ")[0] + ("*" if " (demo " in r.decision else "")),
                          f"{r.decided_on:%d/%m/%Y}", *(str(r.count(s)) for s in (3, 4, 5)), vnd(r.amount()),
                          vnd(r.paid))
        table.add_row("Total", "", "", *(str(sum(r.count(s) for r in self.rounds)) for s in (3, 4, 5)),
                      vnd(sum(r.amount() for r in self.rounds)), vnd(sum(r.paid for r in self.rounds)), style="bold")
        console.print(table)
        for rec in self.recoveries:
            decision = (rec.get("decision") or {}).get("number", "—")
            say(f"Recovery item {rec['recovery_id']} ({self.withdrawn.get(rec['product_id'], '?')}):"
                f" {vnd(rec['amount'])} to pay back, {rec['status']}; decision {escape(decision)}")
        if self.holds:
            say(f"Claims on hold: {', '.join(h['claim_id'] for h in self.holds)}")
        self._render_execution(console)
        differences = self.reconciliation["differences"]
        say(f"Reconciliation (GET /reconciliation): {self.reconciliation['events']} events recomputed,"
            f" {len(differences)} differences")
        for problem in self.problems:
            console.print(f"[bold red]problem:[/] {escape(problem)}")

    def _render_execution(self, console: Console) -> None:
        e = self.execution
        table = Table(title=f"Budget execution {e['plan_year']} as of {date.fromisoformat(e['as_of']):%d/%m/%Y}"
                            " (nghìn đồng)", caption=f"GET /budgets/{e['plan_year']}/execution?as_of={e['as_of']}",
                      box=None, padding=(0, 1, 0, 0), header_style="bold underline")
        table.add_column("line", no_wrap=True)
        table.add_column("source", no_wrap=True)
        for column in EXECUTION_COLUMNS:
            table.add_column(column, justify="right", no_wrap=True)
        for row in e["lines"]:
            table.add_row(row["line"], row["source"], *(thousands(row[c]) for c in EXECUTION_COLUMNS))
        table.add_row("Total", "", *(thousands(e["total"][c]) for c in EXECUTION_COLUMNS), style="bold")
        console.print(table)


async def wait_for_recoveries(ctx: DemoContext, withdrawn: dict[str, str], timeout: float) -> list[dict[str, Any]]:
    """Finance heard each withdrawal: every claim of those products paid above the star kept has a recovery item."""
    officer = ctx.staff.finance_officer()
    kept = {"revoked": 0, "downgraded": 3}

    async def opened() -> list[dict[str, Any]] | None:
        claims = [c for c in await run_claims(ctx) if c["product_id"] in withdrawn]
        owed = {c["claim_id"] for c in claims if c["paid"] and c["stars"] > kept[withdrawn[c["product_id"]]]}
        found = [r for r in await ctx.finance.get("/recoveries", as_=officer) if r["product_id"] in withdrawn]
        return found if owed <= {r["claim_id"] for r in found} else None

    return await eventually(opened, timeout, "finance to open recovery items for the revoked and downgraded products")


async def finance_closing(ctx: DemoContext, timeout: float = 90.0) -> FinanceClosingReport:
    """Step five: recoveries after the inspections, rewards per round, the budget's execution, the reconciliation."""
    started, year, officer = time.monotonic(), ctx.cycle_year, ctx.staff.finance_officer()
    monitoring = ctx.shared.get("monitoring")
    withdrawn = {i.product_id: i.story for i in (monitoring.inspected if monitoring else []) if i.story != "passed"}
    recoveries = await wait_for_recoveries(ctx, withdrawn, timeout) if withdrawn else []
    sessions = [s for s in decided_sessions(ctx) if any(r["outcome"] == "recognized" for r in s.results)]
    found = await _gather(ctx.finance.get("/rewards/round", as_=officer, params={"decision": s.decision["number"]})
                          for s in sessions)
    rounds = [RoundRewards(s.label, s.decision["number"], date.fromisoformat(s.decision["date"]), f["rewards"])
              for s, f in zip(sessions, found, strict=True)]
    holds = [h for h in await ctx.finance.pages("/holds", as_=officer) if h["product_id"] in withdrawn]
    execution = await ctx.finance.get(f"/budgets/{year}/execution", as_=officer, params={"as_of": f"{year}-12-31"})
    reconciliation = await ctx.finance.get("/reconciliation", as_=officer)
    problems = [f"reconciliation: {d['what']} {d['key']} {d['field']}: {d['from_events']} from the events,"
                f" {d['found']} found" for d in reconciliation["differences"]]
    ctx.say(f"finance after the inspections: {len(recoveries)} recovery items, {len(holds)} claims on hold")
    return FinanceClosingReport(f"Finance {year} at the year's end", year, withdrawn, recoveries, holds, rounds,
                                execution, reconciliation, time.monotonic() - started, problems=problems)
