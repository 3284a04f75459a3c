"""HTTP routes of finance's budgets and tariffs: validate, call one handler (or a query), answer.

Claims, recoveries and reports are in ``api_rewards``, support items in ``api_support``.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query, Request, status

from services.finance.adapters import queries, reports
from services.finance.application import budgets as handlers
from services.finance.application import tariffs
from services.finance.application.access import DRAFTERS, FINANCE, PPC
from services.finance.domain.values import Allotment, Decision, FundingSource, LineChange
from services.finance.entrypoints import report_views as rv
from services.finance.entrypoints import schemas as s
from services.finance.entrypoints import views as v
from services.finance.entrypoints.reading import read
from shared.auth import Actor, current_actor, require
from shared.contracts.roles import Role
from shared.http.app import acting, ports_of
from shared.http.params import CivilDate

router = APIRouter()
PlanYear = Path(ge=2018, le=2100, description="the plan year (năm kế hoạch)")


def _sources(bodies: list[s.SourceBody]) -> list[FundingSource]:
    return [FundingSource(b.code, b.name, b.kind) for b in bodies]


def _changes(bodies: list[s.ChangeBody]) -> list[LineChange]:
    return [LineChange(b.line, b.source, b.amount, b.reason) for b in bodies]


def _signed(body: s.SignedDecisionBody) -> Decision:
    return Decision(body.number, body.date, body.issued_by, body.signer)


@router.get("/budgets", tags=["budgets"])
async def list_budgets(request: Request, _: Actor = Depends(current_actor)) -> list[rv.BudgetRow]:
    return [rv.BudgetRow(**row) for row in await read(request, queries.budgets)]


@router.post("/budgets", status_code=status.HTTP_201_CREATED, tags=["budgets"])
async def draft(body: s.BudgetBody, request: Request, actor: Actor = Depends(require(*DRAFTERS))) -> v.BudgetView:
    """Lập dự toán: the Coordination Office's estimate of a plan year, by line and funding source."""
    ports = ports_of(request)
    with acting(actor, request):
        budget = await handlers.draft(ports, actor, plan_year=body.plan_year, sources=_sources(body.sources),
                                      allotments=[Allotment(a.line, a.source, a.amount) for a in body.allotments],
                                      on=body.on or ports.today())
    return v.BudgetView.of(budget)


@router.get("/budgets/{plan_year}", tags=["budgets"])
async def get_budget(request: Request, plan_year: int = PlanYear, _: Actor = Depends(current_actor)) -> v.BudgetView:
    """The budget with every approved version (what changed, by whose decision) and the pending amendment."""
    return v.BudgetView.of(await handlers.budget(ports_of(request), plan_year))


@router.post("/budgets/{plan_year}/appraisal", tags=["budgets"])
async def appraise(body: s.AppraisalBody, request: Request, plan_year: int = PlanYear,
                   actor: Actor = Depends(require(*FINANCE))) -> v.BudgetView:
    """Thẩm định: the Department of Finance's changes, each with its reason (none: agreed as drafted)."""
    ports = ports_of(request)
    with acting(actor, request):
        budget = await handlers.appraise(ports, actor, plan_year, _changes(body.changes), body.on or ports.today())
    return v.BudgetView.of(budget)


@router.post("/budgets/{plan_year}/approval", tags=["budgets"])
async def approve(body: s.BudgetDecisionBody, request: Request, plan_year: int = PlanYear,
                  actor: Actor = Depends(require(*PPC))) -> v.BudgetView:
    """Phê duyệt: the provincial People's Committee's decision (number, date, issuing body, signer)."""
    with acting(actor, request):
        budget = await handlers.approve(ports_of(request), plan_year, _signed(body.decision))
    return v.BudgetView.of(budget)


@router.post("/budgets/{plan_year}/allocation", tags=["budgets"])
async def allocate(body: s.OnBody, request: Request, plan_year: int = PlanYear,
                   actor: Actor = Depends(require(*FINANCE))) -> v.FundedView:
    """Phân bổ: opens every budget line of the approved version, then funds the claims that waited for it."""
    ports = ports_of(request)
    with acting(actor, request):
        budget, funded = await handlers.allocate(ports, actor, plan_year, body.on or ports.today())
    return v.FundedView(budget=v.BudgetView.of(budget), funded_claims=funded)


@router.post("/budgets/{plan_year}/amendments", status_code=status.HTTP_201_CREATED, tags=["budgets"])
async def propose_amendment(body: s.AmendmentBody, request: Request, plan_year: int = PlanYear,
                            actor: Actor = Depends(require(*DRAFTERS))) -> v.BudgetView:
    """Điều chỉnh dự toán: changes (each with its reason) and any new funding sources; one pending at a time."""
    ports = ports_of(request)
    with acting(actor, request):
        budget = await handlers.propose_amendment(ports, actor, plan_year, _changes(body.changes),
                                                  _sources(body.new_sources), body.on or ports.today())
    return v.BudgetView.of(budget)


@router.post("/budgets/{plan_year}/amendments/{amendment}/approval", tags=["budgets"])
async def approve_amendment(body: s.BudgetDecisionBody, request: Request, plan_year: int = PlanYear,
                            amendment: int = Path(ge=1, le=1000), actor: Actor = Depends(require(*PPC))
                            ) -> v.FundedView:
    """A new version by the People's Committee's decision: the changed lines move with it (refused whole if a line
    would fall below what it holds), then the claims waiting on them are tried again, oldest first."""
    with acting(actor, request):
        budget, funded = await handlers.approve_amendment(ports_of(request), plan_year, amendment,
                                                          _signed(body.decision))
    return v.FundedView(budget=v.BudgetView.of(budget), funded_claims=funded)


@router.post("/budgets/{plan_year}/amendments/{amendment}/rejection", tags=["budgets"])
async def reject_amendment(body: s.RejectionBody, request: Request, plan_year: int = PlanYear,
                           amendment: int = Path(ge=1, le=1000), actor: Actor = Depends(require(*PPC))
                           ) -> v.BudgetView:
    ports = ports_of(request)
    with acting(actor, request):
        budget = await handlers.reject_amendment(ports, actor, plan_year, amendment, reason=body.reason,
                                                 on=body.on or ports.today())
    return v.BudgetView.of(budget)


@router.get("/budgets/{plan_year}/execution", tags=["budgets"])
async def execution(request: Request, plan_year: int = PlanYear, as_of: CivilDate | None = Query(default=None),
                    _: Actor = Depends(current_actor)) -> rv.Execution:
    """Thực hiện dự toán by line and source as of a day (default today): estimated, approved, reserved, committed,
    disbursed, remaining — with each source's and the year's totals."""
    return rv.Execution(**await read(request, reports.execution, plan_year, as_of or ports_of(request).today()))


# ----------------------------------------------------------------------------------------------- tariffs


@router.get("/tariffs", tags=["tariffs"])
async def tariff_table(request: Request, _: Actor = Depends(current_actor)) -> v.TariffTableView:
    """The reward tariff table in force (biểu mức thưởng): the last installed, else the settings' file."""
    return v.TariffTableView.of(*await tariffs.in_force(ports_of(request)))


@router.put("/tariffs", tags=["tariffs"])
async def install_tariffs(body: s.TariffTableBody, request: Request,
                          actor: Actor = Depends(require(Role.finance_officer, Role.provincial_office))
                          ) -> v.TariffTableView:
    """Install a tariff table without code: checked against the policy (a missing star, a float amount, overlapping
    periods … answer 422 naming the entry) and in force for every recognition heard from now on."""
    ports = ports_of(request)
    with acting(actor, request):
        await tariffs.install(ports, actor, body.table(), ports.today())
    return v.TariffTableView.of(*await tariffs.in_force(ports))
