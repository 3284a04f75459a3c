"""The finance page (*Tài chính*): budget execution by line and source, rewards by round and district, claims waiting
for budget, holds and recoveries, read from finance's API; the reconciliation on a page of its own, run on demand.

Finance lets every role read its figures except the reconciliation (finance officers, the provincial office and
operators). A district officer sees the province's budget (it is no district's) and their own district's rewards
only: the totals, the rounds, the holds and the recoveries of their district's products (``district_code`` forced;
every total is finance's, the console sums nothing but a table's rows); the reconciliation shows finance's refusal.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from console.params import CivilDay
from console.formatting import today
from console.gateway import Refusal, gather
from console.pages.rating import district_names
from console.rendering import render
from console.session import Page, Viewer, viewer_for

router = APIRouter()

#: The money columns of a reward total, in the order the tables show them.
REWARD_FIGURES = ("claimed", "approved", "paid", "waiting", "on_hold", "recovered")
#: What one listing of claims may hold (finance's largest page).
CLAIMS_PAGE = 500


@router.get("/finance", include_in_schema=False)
async def finance(request: Request, viewer: Annotated[Viewer, Depends(viewer_for(Page.finance))],
                  plan_year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
                  as_of: Annotated[CivilDay, Query()] = None):
    gateway = request.app.state.gateway
    token = viewer.token
    budgets = await gateway.get(token, "finance", "/budgets")
    years = sorted((b["plan_year"] for b in budgets), reverse=True) if not isinstance(budgets, Refusal) else []
    year = plan_year or (years[0] if years else today().year)
    on = as_of or today()
    budget, execution, names = await gather(
        gateway.get(token, "finance", f"/budgets/{year}"),
        gateway.get(token, "finance", f"/budgets/{year}/execution", {"as_of": on.isoformat()}),
        district_names(request))
    mine = viewer.scoped_district
    if mine:
        rewards = await _district_rewards(request, viewer, year)
    else:
        rewards = await _province_rewards(request, viewer, year)
    return render(request, "finance/finance.html", viewer, page=Page.finance, years=years, year=year, as_of=on,
                  budgets=budgets, budget=budget, execution=execution, sources=_source_names(budget), names=names,
                  figures=REWARD_FIGURES, **rewards)


def _source_names(budget: Any) -> dict[str, str]:
    if isinstance(budget, Refusal) or not isinstance(budget, dict):
        return {}
    return {s["code"]: s.get("name") or s["code"] for s in budget.get("sources", [])}


async def _province_rewards(request: Request, viewer: Viewer, year: int) -> dict[str, Any]:
    gateway = request.app.state.gateway
    token = viewer.token
    by_district, by_round, waiting, holds, recoveries = await gather(
        gateway.get(token, "finance", "/rewards/totals", {"by": "district", "plan_year": year}),
        gateway.get(token, "finance", "/rewards/totals", {"by": "decision", "plan_year": year}),
        gateway.get(token, "finance", "/claims/waiting", {"plan_year": year, "limit": CLAIMS_PAGE}),
        gateway.get(token, "finance", "/holds", {"limit": CLAIMS_PAGE}),
        gateway.get(token, "finance", "/recoveries"))
    return {"by_district": _groups(by_district), "by_round": _groups(by_round),
            "waiting": waiting, "holds": holds, "recoveries": recoveries}


async def _district_rewards(request: Request, viewer: Viewer, year: int) -> dict[str, Any]:
    """The officer's district only: finance's totals of its products per district and per round, its waiting and held
    claims, the recoveries of its claims."""
    gateway = request.app.state.gateway
    token = viewer.token
    mine = viewer.scoped_district
    by_district, by_round, waiting, holds, recoveries = await gather(
        gateway.get(token, "finance", "/rewards/totals", {"by": "district", "plan_year": year, "district_code": mine}),
        gateway.get(token, "finance", "/rewards/totals", {"by": "decision", "plan_year": year, "district_code": mine}),
        gateway.get(token, "finance", "/claims", {"plan_year": year, "district_code": mine,
                                                  "status": "waiting_for_budget", "limit": CLAIMS_PAGE}),
        gateway.get(token, "finance", "/claims", {"district_code": mine, "status": "on_hold", "limit": CLAIMS_PAGE}),
        gateway.get(token, "finance", "/recoveries", {"district_code": mine}))
    return {"by_district": _groups(by_district), "by_round": _groups(by_round), "waiting": waiting, "holds": holds,
            "recoveries": recoveries}


def _groups(answer: Any) -> dict[str, Any] | Refusal:
    """A ``/rewards/totals`` answer with the total of every figure over its groups."""
    if isinstance(answer, Refusal):
        return answer
    return _totalled(answer["groups"])


def _totalled(groups: list[dict[str, Any]]) -> dict[str, Any]:
    total = {name: sum(g[name] for g in groups) for name in ("claims", *REWARD_FIGURES)}
    return {"groups": groups, "total": total}


@router.get("/finance/rounds/{decision:path}", include_in_schema=False)
async def round_rewards(request: Request, viewer: Annotated[Viewer, Depends(viewer_for(Page.finance))],
                        decision: str):
    """One round (đợt) as its recognition decision names it: every recognition, what it earned, what was paid (a
    district officer: their district's products only)."""
    gateway = request.app.state.gateway
    mine = viewer.scoped_district
    summary, totals, names = await gather(
        gateway.get(viewer.token, "finance", "/rewards/round", {"decision": decision}),
        gateway.get(viewer.token, "finance", "/rewards/totals", {"by": "decision", "district_code": mine}),
        district_names(request))
    rewards = [] if isinstance(summary, Refusal) else [r for r in summary["rewards"] if mine in (None, r["district_code"])]
    if not isinstance(totals, Refusal):
        totals = next((g for g in totals["groups"] if g["key"] == decision), None)
    return render(request, "finance/round.html", viewer, page=Page.finance, decision=decision, summary=summary,
                  rewards=rewards, totals=totals, names=names, figures=REWARD_FIGURES,
                  status_code=404 if isinstance(summary, Refusal) and summary.kind == "not_found" else 200)


@router.get("/finance/reconciliation", include_in_schema=False)
async def reconciliation(request: Request, viewer: Annotated[Viewer, Depends(viewer_for(Page.finance))]):
    """Finance's reconciliation on demand: it replays finance's whole store, too much for a page refreshed every few
    seconds (about 300 ms at 9,000 products; see bench/RESULTS.md "Console")."""
    answer = await request.app.state.gateway.get(viewer.token, "finance", "/reconciliation")
    return render(request, "finance/reconciliation.html", viewer, page=Page.finance, reconciliation=answer)
