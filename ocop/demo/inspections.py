"""The inspection campaign after recognition (kiểm tra sau công nhận) and the province's decisions on its failures.

Monitoring records the campaign and publishes ``InspectionFailed`` for each failure; rating puts those certificates
under review; the provincial office then decides through rating: one product's certificate is revoked, the other is
ordered re-rated and, scored in a lower band by the provincial council, downgraded. Rating's ``ProductRated`` closes
monitoring's follow-ups and finance's rewards (``ocop.demo.finance_closing``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ocop.demo import monitoring_data as md
from ocop.demo.budget import on
from ocop.demo.client import DemoContext, eventually
from ocop.demo.data import PROVINCIAL_SIGNER
from ocop.demo.rating import CouncilSeat, play_session
from ocop.demo.rating_plan import Examination, PlannedSession, RatedProduct
from ocop.demo.season import _gather


@dataclass
class Inspected:
    """One product of the campaign: its story (passed | revoked | downgraded), then what the services answered."""

    product: RatedProduct
    stars: int
    story: str
    inspection: dict[str, Any] = field(default_factory=dict)  # the InspectionView monitoring answered
    decision: str | None = None  # rating's decision on it (revocation, or the re-rating session's)
    follow_up: dict[str, Any] | None = None  # GET /follow-ups once rating decided

    @property
    def product_id(self) -> str:
        return self.product.product_id


def choose(ctx: DemoContext) -> list[Inspected]:
    """Three products certified by a round decided before the campaign and examined by no council after it (a product
    still before a council would meet the review), none of the rating season's upgrade and 5★ stories: one passes, one
    is revoked, a 4★ one is downgraded. Empty if the run certified too few."""
    before = on(ctx.cycle_year, md.CERTIFIED_BEFORE)
    held: dict[str, tuple[RatedProduct, int]] = {}
    for session in ctx.shared.get("rating", []):  # in the order they were held: a later examination wins
        decided = session.decision is not None and date.fromisoformat(session.decision["date"]) < before
        products = {e.product.product_id: e.product for e in session.examinations}
        for row in session.results:
            held.pop(row["product_id"], None)
            story = products[row["product_id"]].role in ("upgrade", "five_star")  # the rating season's own stories
            if decided and session.level == "provincial" and row["outcome"] == "recognized" and not story:
                held[row["product_id"]] = (products[row["product_id"]], row["outcome_stars"])
    candidates = sorted(held.values(), key=lambda pair: pair[0].n)
    fours = [pair for pair in candidates if pair[1] == 4]
    if len(candidates) < 3 or not fours:
        return []
    rng = random.Random(f"{ctx.seed}:monitoring")
    downgraded = rng.choice(fours)
    revoked, passed = rng.sample([pair for pair in candidates if pair is not downgraded], 2)
    return [Inspected(*passed, "passed"), Inspected(*revoked, "revoked"), Inspected(*downgraded, "downgraded")]


async def wait_for_register(ctx: DemoContext, chosen: list[Inspected], timeout: float) -> None:
    """Monitoring's register has heard each product registered and certified (ProductRegistered, ProductRated)."""
    reader = ctx.staff.provincial_office()

    async def entered() -> bool:
        found = await _gather(ctx.monitoring.request("GET", f"/register/{i.product_id}", as_=reader, expect=(200, 404))
                              for i in chosen)
        return all(isinstance(e, dict) and e.get("product") and e.get("certificates") for e in found)

    await eventually(entered, timeout, "monitoring's register to hold the campaign's certified products")


def _findings(story: str, n: int) -> list[dict[str, Any]]:
    record = md.EVIDENCE_RECORD.format(n=n)
    findings = [{"area": area, "severity": "none", "description": said, "evidence": [record]}
                for area, said in md.COMPLIANT]
    failed = {"revoked": md.REVOKED_FINDING, "downgraded": md.DOWNGRADED_FINDING}.get(story)
    if failed:
        area, severity, said, test = failed
        findings = [f for f in findings if f["area"] != area]
        findings.insert(0, {"area": area, "severity": severity, "description": said,
                            "evidence": [record, test.format(n=n + 40)]})
    return findings


async def run_campaign(ctx: DemoContext, chosen: list[Inspected]) -> dict[str, Any]:
    """The Coordination Office plans the campaign; the inspectors record it in one command (all or nothing)."""
    year = ctx.cycle_year
    plan = await ctx.monitoring.post("/inspection-plans", {
        "kind": "periodic", "planner": md.PLANNER, "title": md.PLAN_TITLE.format(year=year),
        "product_ids": [i.product_id for i in chosen], "planned_on": on(year, md.PLANNED_ON).isoformat(),
        "due_on": on(year, md.DUE_ON).isoformat()}, as_=ctx.staff.provincial_office())
    recorded = await ctx.monitoring.post(f"/inspection-plans/{plan['plan_id']}/campaign", {"inspections": [
        {"product_id": i.product_id, "inspected_on": on(year, md.INSPECTED_ON).isoformat(),
         "body": md.INSPECTING_BODY, "inspectors": list(md.INSPECTORS), "findings": _findings(i.story, 100 + n)}
        for n, i in enumerate(chosen, 1)]}, as_=ctx.staff.inspector())
    by_product = {view["product_id"]: view for view in recorded["inspections"]}
    for inspected in chosen:
        inspected.inspection = by_product[inspected.product_id]
    return plan


async def free_number(ctx: DemoContext, number: str) -> str:
    """A decision number of the cycle an earlier run recorded gets this run's id (numbers are unique per year)."""
    taken = {d["number"] for d in await ctx.rating.pages("/decisions", as_=ctx.staff.provincial_office(),
                                                          params={"year": ctx.cycle_year})}
    return number if number not in taken else f"{number} (demo {ctx.run_id})"


async def wait_under_review(ctx: DemoContext, failed: list[Inspected], timeout: float) -> None:
    """Rating has heard each InspectionFailed: the product's certificate is under review for that inspection."""
    reader = ctx.staff.provincial_office()

    async def reviewed() -> bool:
        found = await _gather(ctx.rating.get(f"/dossiers/{i.product_id}", as_=reader) for i in failed)
        return all(d["under_review_inspection"] == i.inspection["inspection_id"] for d, i in zip(found, failed,
                                                                                                   strict=True))

    await eventually(reviewed, timeout, "rating to put the failed products under review (InspectionFailed heard)")


async def decide(ctx: DemoContext, inspected: Inspected, kind: str, planned: tuple[str, tuple[int, int]],
                 reason: str) -> str:
    """One provincial decision (POST /decisions) on one failed inspection; its number."""
    number = await free_number(ctx, planned[0])
    await ctx.rating.post("/decisions", {
        "kind": kind, "number": number, "date": on(ctx.cycle_year, planned[1]).isoformat(),
        "issued_by": PROVINCIAL_SIGNER, "products": [{
            "product_id": inspected.product_id, "inspection_id": inspected.inspection["inspection_id"],
            "reason": reason.format(inspection=inspected.inspection["inspection_id"])}]},
        as_=ctx.staff.provincial_office())
    return number


async def re_rate(ctx: DemoContext, inspected: Inspected) -> PlannedSession:
    """The provincial council scores the product again, in the 3★ band; the province's decision downgrades it."""
    held_on, number, signed = md.RE_RATING_SESSION
    year = ctx.cycle_year
    council = await ctx.rating.get("/councils/council-provincial", as_=ctx.staff.provincial_office())
    sheet = await ctx.rating.get(f"/catalogue/sheets/{inspected.product.product_set}")
    rounds = sum(s.level == "provincial" for s in ctx.shared.get("rating", []))
    decision = {"number": await free_number(ctx, number), "date": on(year, signed).isoformat(),
                "issued_by": PROVINCIAL_SIGNER}
    session = PlannedSession("provincial-re-rating", "provincial", "council-provincial", None, rounds + 1,
                             md.RE_RATING_TITLE.format(year=year), on(year, held_on),
                             [Examination(inspected.product, md.RE_RATING_MEAN)], decision)
    await play_session(ctx, session, CouncilSeat(council, False), {inspected.product.product_set: sheet})
    return session


async def wait_follow_ups(ctx: DemoContext, failed: list[Inspected], timeout: float) -> None:
    """Monitoring heard rating's decisions: each failed inspection's follow-up is closed with its outcome."""
    reader = ctx.staff.provincial_office()

    async def closed() -> bool:
        found = await _gather(ctx.monitoring.get("/follow-ups", as_=reader, params={
            "product_id": i.product_id, "as_of": f"{ctx.cycle_year}-12-31"}) for i in failed)
        for inspected, answer in zip(failed, found, strict=True):
            inspected.follow_up = next((f for f in answer["items"]
                                        if f["inspection_id"] == inspected.inspection["inspection_id"]), None)
        return all(i.follow_up and i.follow_up["state"] == "closed" for i in failed)

    await eventually(closed, timeout, "monitoring to close the follow-ups of the failed inspections")


async def inspection_campaign(ctx: DemoContext, timeout: float) -> tuple[dict[str, Any] | None, list[Inspected]]:
    """Plan, inspect, decide, re-rate; the plan and the products (empty when the run certified too few)."""
    chosen = choose(ctx)
    if not chosen:
        return None, []
    await wait_for_register(ctx, chosen, timeout)
    plan = await run_campaign(ctx, chosen)
    failed = [i for i in chosen if i.story != "passed"]
    ctx.say(f"  campaign {plan['plan_id']}: {len(chosen)} products inspected, {len(failed)} failed;"
            " waiting for rating to put them under review")
    await wait_under_review(ctx, failed, timeout)
    revoked, downgraded = failed
    revoked.decision = await decide(ctx, revoked, "revocation", md.REVOCATION, md.REVOCATION_REASON)
    await decide(ctx, downgraded, "re_rating", md.RE_RATING, md.RE_RATING_REASON)
    session = await re_rate(ctx, downgraded)
    downgraded.decision = session.decision["number"] if session.decision else None
    ctx.shared["re_rating"] = session
    await wait_follow_ups(ctx, failed, timeout)
    return plan, chosen
