"""The monitoring season: an inspection campaign (``ocop.demo.inspections``), the districts' reports, the programme's
targets, one product's timeline across the four services, and the pipeline's health.

Every district of the run files its six-month and annual reports, one six-month report late and one annual report
never (reports belong to the district and year, not to a run: one an earlier run filed is left as it is). The
timeline is the revoked product's, from its registration to its revocation, each event with the trace of its flow.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from rich.console import Console
from rich.markup import escape

from ocop.demo import monitoring_data as md
from ocop.demo.budget import on
from ocop.demo.client import Checked, DemoContext, eventually
from ocop.demo.inspections import Inspected, inspection_campaign

KINDS = ("six_month", "annual")


# ----------------------------------------------------------------------------------------------------- reports


def planned_filing(districts: list[str], code: str, kind: str) -> str:
    """on_time | late | missing: the first district's six-month report is late, the last one's annual is missing."""
    if kind == "six_month" and code == districts[0]:
        return "late"
    if kind == "annual" and code == districts[-1]:
        return "missing"
    return "on_time"


def _filing(year: int, code: str, kind: str, plan: str) -> dict[str, str]:
    day = {"late": md.SIX_MONTH_LATE, "on_time": md.SIX_MONTH_FILED if kind == "six_month" else md.ANNUAL_FILED}[plan]
    n = int(code) - 300 + (0 if kind == "six_month" else 200)
    return {"filed_on": on(year, day).isoformat(), "document_ref": md.REPORT_REF.format(n=n)}


async def schedule(ctx: DemoContext) -> list[dict[str, Any]]:
    """Every report owed for the cycle, as of the year's end."""
    answer = await ctx.monitoring.get("/reports", as_=ctx.staff.provincial_office(),
                                      params={"plan_year": ctx.cycle_year, "as_of": f"{ctx.cycle_year}-12-31"})
    return answer["items"]


async def file_reports(ctx: DemoContext, districts: list[str]) -> tuple[int, list[dict[str, Any]]]:
    """Each district officer files what the plan says, unless the report was filed already; (filed, schedule after)."""
    rows = {(r["district_code"], r["kind"]): r for r in await schedule(ctx)}
    filed = 0
    for code in districts:
        for kind in KINDS:
            plan = planned_filing(districts, code, kind)
            row = rows.get((code, kind))
            if row is None or row["filed_on"] is not None or plan == "missing":
                continue
            await ctx.monitoring.post(f"/reports/{ctx.cycle_year}/{code}/{kind}/filing",
                                      _filing(ctx.cycle_year, code, kind, plan), as_=ctx.staff.district_officer(code))
            filed += 1
    return filed, await schedule(ctx)


# ----------------------------------------------------------------------------------------------------- timeline


async def timeline(ctx: DemoContext, product_id: str, decision: str, timeout: float) -> list[dict[str, Any]]:
    """The product's timeline once monitoring heard the revocation (an entry naming ``decision``)."""
    reader = ctx.staff.provincial_office()

    async def complete() -> list[dict[str, Any]] | None:
        items = await ctx.monitoring.pages(f"/timeline/products/{product_id}", as_=reader, size=1000)
        named = any(ref["kind"] == "decision" and ref["value"] == decision for e in items for ref in e["references"])
        return items if named else None

    return await eventually(complete, timeout, f"monitoring's timeline of {product_id} to show decision {decision}")


def _references(entry: dict[str, Any]) -> str:
    return ", ".join(f"{ref['kind']} {ref['value']}" for ref in entry["references"]
                     if ref["kind"] in ("decision", "certificate", "reward", "inspection", "budget_line"))


# ----------------------------------------------------------------------------------------------------- the report


@dataclass
class MonitoringReport(Checked):
    title: str
    cycle_year: int
    plan: dict[str, Any] | None
    inspected: list[Inspected]
    districts: dict[str, str]  # this run's districts, code → name
    reports: list[dict[str, Any]]  # the cycle's schedule as of the year's end, every unit
    reports_filed: int
    targets: list[dict[str, Any]]
    timeline_of: str | None
    timeline: list[dict[str, Any]]
    health: dict[str, Any]
    elapsed: float

    def states(self, districts: Any = None) -> Counter[str]:
        return Counter(r["state"] for r in self.reports if districts is None or r["district_code"] in districts)

    def render(self, console: Console) -> None:
        say = lambda line: console.print(line, soft_wrap=True)  # one line each: readers and tests grep them
        if self.plan:
            failed = sum(i.inspection.get("result") == "failed" for i in self.inspected)
            say(f"[bold]{self.title}[/]: inspection plan {self.plan['plan_id']} ({escape(self.plan['title'])}),"
                f" campaign of {on(self.cycle_year, md.INSPECTED_ON):%d/%m/%Y} by {md.INSPECTING_BODY['name']}:"
                f" {len(self.inspected)} products, {failed} failed")
            for i in self.inspected:
                v, f = i.inspection, i.follow_up or {}
                action = f", recommends {v['recommended_action']}" if v.get("recommended_action") else ""
                closed = f.get("outcome") or f.get("state")
                decided = f" → decision {escape(i.decision)}: {closed}" if i.decision else ""
                say(f"  {v.get('inspection_id', '—')} {escape(i.product.name)} ({i.product.district_code}, {i.stars}★):"
                    f" {v.get('result', '—')}, worst finding {v.get('severity', '—')}{action}{decided}")
        else:
            say(f"[bold]{self.title}[/]: no inspection campaign (the run certified too few products before September)")
        ours, every = self.states(self.districts), self.states()
        say(f"District reports {self.cycle_year} as of 31/12/{self.cycle_year} (GET /reports): this run's"
            f" {len(self.districts)} districts: on time {ours['on_time']}, late {ours['late']},"
            f" missing {ours['missing']}"
            f" ({self.reports_filed} filed now); all {len(self.reports)} reports of the year: "
            + ", ".join(f"{state} {every[state]}" for state in ("on_time", "late", "missing", "not_due")))
        for r in self.reports:
            if r["district_code"] in self.districts and r["state"] in ("late", "missing"):
                late = f", {r['days_late']} days late (filed {r['filed_on']})" if r["state"] == "late" else ""
                say(f"  {r['state']}: {r['district_code']} {escape(r['district_name'])} {r['kind']} report"
                    f" (due before {date.fromisoformat(r['due_before']):%d/%m}){late}")
        for t in self.targets:
            rounds = [f"{r['round']}: {r['products']}" for r in t["by_round"] if r["round"] is not None]
            shown = ", ".join(rounds[:6]) + (f", … ({len(rounds)} rounds)" if len(rounds) > 6 else "")
            say(f"Target {self.cycle_year} {t['target_id']} (all runs, GET /targets/{self.cycle_year}/progress):"
                f" {t['achieved']} / {t['at_least']} ({t['share_percent']}%) — {escape(t['name_vi'])};"
                f" by round {shown or '—'}")
        self._render_timeline(console)
        self._render_health(say)
        for problem in self.problems:
            console.print(f"[bold red]problem:[/] {escape(problem)}")

    def _render_timeline(self, console: Console) -> None:
        if not self.timeline_of:
            return
        say = lambda line: console.print(line, soft_wrap=True)
        say(f"Timeline of {escape(self.timeline_of)} (GET /timeline/products/{{id}}), registration to revocation;"
            " each event with its trace id (GET /traces/{trace_id}):")
        for e in self.timeline:
            at = datetime.fromisoformat(e["occurred_at"].replace("Z", "+00:00"))
            actor = f"{e['actor']['id']} ({e['actor']['role']})" if e["actor"] else "automatic"
            refs = _references(e)
            trace = f"trace {e['trace']['trace_id']}" if e["trace"] else "no trace"
            say(f"  {at:%H:%M:%S} {e['event_type']} from {e['source']}, {escape(actor)}: {escape(e['summary'].strip())}"
                + (escape(f" [{refs}]") if refs else "") + f"; {trace}")

    def _render_health(self, say: Any) -> None:
        h = self.health
        alerts = "; ".join(a["message"] for a in h["alerts"]) or "no alert"
        say(f"Pipeline health (GET /pipeline/health): {h['state']} ({escape(alerts)}); broker {h['broker']}")
        for s in h["services"]:
            say(f"  {s['service']}: outbox pending {s['outbox_pending']}, dead letters {s['dead_letters']}"
                f" ({s['dead_letters_awaiting_redrive']} awaiting re-drive)")
        lag = sum(g["lag_messages"] for g in h["consumer_groups"])
        say(f"  consumer groups: {len(h['consumer_groups'])}, total lag {lag} messages")


async def monitoring_season(ctx: DemoContext, timeout: float = 90.0) -> MonitoringReport:
    """Step four: inspections and their decisions, district reports, targets, a timeline, the pipeline's health."""
    started, say, year = time.monotonic(), ctx.say, ctx.cycle_year
    say(f"monitoring {year}: an inspection campaign after recognition")
    plan, inspected = await inspection_campaign(ctx, timeout)
    problems = _check_campaign(inspected) if plan else []
    season = ctx.shared.get("season", [])
    names = {d["code"]: d["name"] for d in await ctx.registration.get("/reference/districts")}
    districts = {code: names.get(code, code) for code in sorted({p.district_code for p in season})}
    filed, reports = await file_reports(ctx, list(districts))
    say(f"  district reports: {filed} filed")
    progress = await ctx.monitoring.get(f"/targets/{year}/progress", as_=ctx.staff.provincial_office())
    revoked = next((i for i in inspected if i.story == "revoked"), None)
    entries = await timeline(ctx, revoked.product_id, revoked.decision, timeout) if revoked and revoked.decision else []
    health = await ctx.monitoring.get("/pipeline/health", as_=ctx.staff.operator())
    report = MonitoringReport(f"Monitoring {year}", year, plan, inspected, districts, reports, filed,
                              progress["targets"], revoked.product.name if revoked else None, entries, health,
                              time.monotonic() - started, problems=problems)
    report.problems += _check_reports(report) + _check_timeline(entries)
    ctx.shared["monitoring"] = report
    return report


def _check_campaign(inspected: list[Inspected]) -> list[str]:
    problems = []
    expected = {"passed": ("passed", None, None), "revoked": ("failed", "revocation", "revoked"),
                "downgraded": ("failed", "downgrade", "downgraded")}
    for i in inspected:
        result, action, outcome = expected[i.story]
        got = (i.inspection.get("result"), i.inspection.get("recommended_action"),
               (i.follow_up or {}).get("outcome"))
        if got != (result, action, outcome):
            problems.append(f"{i.product_id} ({i.story}): inspection {got[0]}, action {got[1]}, follow-up {got[2]};"
                            f" the demo expected {result}, {action}, {outcome}")
    return problems


def _check_reports(report: MonitoringReport) -> list[str]:
    """A report this run filed (or left missing) is in the state it planned; earlier runs' filings are theirs."""
    districts = list(report.districts)
    problems = []
    for r in report.reports:
        if r["district_code"] not in report.districts:
            continue
        plan = planned_filing(districts, r["district_code"], r["kind"])
        ours = r["filed_on"] is None or r["filed_on"] == _filing(report.cycle_year, r["district_code"], r["kind"],
                                                                 plan)["filed_on"]
        if ours and r["state"] != plan:
            problems.append(f"report {r['report_id']} is {r['state']}, the demo planned it {plan}")
    return problems


def _check_timeline(entries: list[dict[str, Any]]) -> list[str]:
    if not entries:
        return []
    kinds = [e["event_type"] for e in entries]
    problems = []
    if kinds[0] != "ProductRegistered" or "InspectionFailed" not in kinds or "RewardApproved" not in kinds:
        problems.append(f"the timeline reads {', '.join(kinds)}: registration, reward and failure expected")
    if any(e["trace"] is None for e in entries):
        problems.append("a timeline entry carries no trace id")
    return problems
