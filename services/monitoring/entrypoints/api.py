"""HTTP routes of monitoring: validate, query or call one handler, answer a documented model.

Register and inspections (kiểm tra, giám sát sau công nhận), district reports (báo cáo định kỳ) and programme targets
(chỉ tiêu). Dates are civil dates in Asia/Ho_Chi_Minh; ``as_of`` defaults to today.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status

from services.monitoring.adapters import queries
from services.monitoring.application import handlers, reading
from services.monitoring.application.access import reports_scope
from services.monitoring.domain.follow_up import follow_up_status
from services.monitoring.domain.inspections import Inspection
from services.monitoring.domain.targets import Target
from services.monitoring.entrypoints import schemas as s
from services.monitoring.entrypoints import views as v
from shared.auth import Actor, current_actor, require
from shared.contracts.roles import Role
from shared.http.app import acting, ports_of, runtime_of
from shared.http.params import FIRST_YEAR, LAST_YEAR, OFFSET, CivilDate, limit_query, year_query
from shared.uow import NotFound

router = APIRouter()
District = Query(default=None, pattern=r"^\d{3}$")
Year = Path(ge=FIRST_YEAR, le=LAST_YEAR, description=f"a plan year, {FIRST_YEAR}–{LAST_YEAR}")
Limit = limit_query()
Offset = OFFSET
Kind = Path(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)
PLANNERS = (Role.provincial_office, Role.district_officer)
REPORTERS = (Role.district_officer, Role.provincial_office)


async def _read(request: Request, query: Any, *args: Any, **kwargs: Any) -> Any:
    async with runtime_of(request).pool.acquire() as conn:
        return await query(conn, *args, **kwargs)


def _today(request: Request, on: date | None) -> date:
    return on or ports_of(request).today()


def _new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


# ----------------------------------------------------------------------------------------------- register


@router.get("/register", tags=["register"])
async def register(request: Request, as_of: CivilDate | None = None, district_code: str | None = District,
                   product_set: int | None = Query(default=None, ge=1, le=26),
                   stars: int | None = Query(default=None, ge=3, le=5),
                   within_days: int | None = Query(default=None, ge=0, le=3660,
                                                   description="only certificates ending within this many days"),
                   limit: int = Limit, offset: int = Offset, _: Actor = Depends(current_actor)) -> v.RegisterPage:
    """Certified products whose certificate is in force on ``as_of``; with ``within_days``, those whose certificate
    ends within that many days of it (a producer to remind of re-rating)."""
    f = queries.RegisterFilter(_today(request, as_of), district_code, product_set, stars, within_days, limit, offset)
    found = await _read(request, reading.register, ports_of(request), f)
    return v.RegisterPage(as_of=f.as_of, within_days=within_days, **found)


@router.get("/register/{product_id}", tags=["register"])
async def register_entry(product_id: str, request: Request, _: Actor = Depends(current_actor)) -> v.RegisterEntryView:
    found = await _read(request, queries.register_entry, product_id)
    if found is None:
        raise NotFound("register-entry", product_id)
    return v.RegisterEntryView(**found)


# ----------------------------------------------------------------------------------------------- plans


@router.post("/inspection-plans", status_code=status.HTTP_201_CREATED, tags=["inspections"])
async def plan_inspections(body: s.PlanBody, request: Request,
                           actor: Actor = Depends(require(*PLANNERS))) -> v.PlanView:
    """Kế hoạch kiểm tra: the provincial office (Coordination Office or a department's plan) or a district officer
    (their district's products) names certified products to inspect by ``due_on``."""
    ports, planned_on = ports_of(request), _today(request, body.planned_on)
    with acting(actor, request):
        plan = await handlers.plan_inspections(
            ports, actor, plan_id=body.plan_id or _new_id(f"KH-{planned_on.year}"), kind=body.kind,
            planner=body.planner.body(), title=body.title, product_ids=body.product_ids, planned_on=planned_on,
            due_on=body.due_on)
    return v.PlanView.of(plan, ports.today())


@router.get("/inspection-plans", tags=["inspections"])
async def list_plans(request: Request, as_of: CivilDate | None = None,
                     planner_kind: str | None = Query(default=None,
                                                      pattern="^(coordination_office|department|district)$"),
                     planner_code: str | None = Query(default=None, max_length=64), product_id: str | None = None,
                     limit: int = Limit, offset: int = Offset, _: Actor = Depends(current_actor)) -> v.PlanPage:
    on = _today(request, as_of)
    total, plans = await reading.plans(ports_of(request),
                                       queries.PlanFilter(planner_kind, planner_code, product_id, limit, offset))
    return v.PlanPage(as_of=on, total=total, items=[v.PlanView.of(p, on) for p in plans])


@router.get("/inspection-plans/{plan_id}", tags=["inspections"])
async def get_plan(plan_id: str, request: Request, as_of: CivilDate | None = None,
                   _: Actor = Depends(current_actor)) -> v.PlanView:
    """The plan as of a date: each product outstanding, inspected or dropped; overdue past its due date."""
    return v.PlanView.of(await reading.plan(ports_of(request), plan_id), _today(request, as_of))


@router.post("/inspection-plans/{plan_id}/products/{product_id}/drop", tags=["inspections"])
async def drop_product(plan_id: str, product_id: str, body: s.DropBody, request: Request,
                       actor: Actor = Depends(require(*PLANNERS))) -> v.PlanView:
    """Take a product not yet inspected off the plan (its certificate ended, the producer closed …)."""
    ports = ports_of(request)
    with acting(actor, request):
        plan = await handlers.drop_planned_product(ports, actor, plan_id, product_id, reason=body.reason,
                                                   on=_today(request, body.on))
    return v.PlanView.of(plan, ports.today())


# ----------------------------------------------------------------------------------------------- inspections


def _recorded(request: Request, plan_id: str | None, inspections: list[Inspection]) -> v.InspectionsRecorded:
    ports = ports_of(request)
    views = [v.InspectionView.of(i, follow_up_status(i, ports.today(), ports.policy)) for i in inspections]
    failed = sum(i.failed is not None for i in inspections)
    return v.InspectionsRecorded(plan_id=plan_id, inspections=views, failed=failed)


@router.post("/inspection-plans/{plan_id}/inspections", status_code=status.HTTP_201_CREATED, tags=["inspections"])
async def record_inspection(plan_id: str, body: s.InspectionBody, request: Request,
                            actor: Actor = Depends(require(Role.inspector))) -> v.InspectionsRecorded:
    """Biên bản kiểm tra of one product of the plan; a failure publishes InspectionFailed in the same transaction."""
    with acting(actor, request):
        inspections = await handlers.record_inspections(ports_of(request), plan_id, [body.report(_new_id("KT"))],
                                                        campaign=False)
    return _recorded(request, plan_id, inspections)


@router.post("/inspection-plans/{plan_id}/campaign", status_code=status.HTTP_201_CREATED, tags=["inspections"])
async def record_campaign(plan_id: str, body: s.CampaignBody, request: Request,
                          actor: Actor = Depends(require(Role.inspector))) -> v.InspectionsRecorded:
    """Several products of the plan at once (đợt kiểm tra): all or nothing, one InspectionFailed per failed product;
    a refusal names the entry (``inspections[2].findings[0].evidence``)."""
    reports = [b.report(_new_id("KT")) for b in body.inspections]
    with acting(actor, request):
        inspections = await handlers.record_inspections(ports_of(request), plan_id, reports, campaign=True)
    return _recorded(request, plan_id, inspections)


@router.post("/inspections", status_code=status.HTTP_201_CREATED, tags=["inspections"])
async def record_unplanned(body: s.InspectionBody, request: Request,
                           actor: Actor = Depends(require(Role.inspector))) -> v.InspectionsRecorded:
    """An inspection outside any plan (a complaint, a market check), judged and published the same way."""
    with acting(actor, request):
        inspection = await handlers.record_unplanned_inspection(ports_of(request), body.report(_new_id("KT")))
    return _recorded(request, None, [inspection])


@router.get("/inspections", tags=["inspections"])
async def list_inspections(request: Request, product_id: str | None = None, plan_id: str | None = None,
                           result: str | None = Query(default=None, pattern="^(passed|failed)$"),
                           district_code: str | None = District, as_of: CivilDate | None = None, limit: int = Limit,
                           offset: int = Offset, _: Actor = Depends(current_actor)) -> v.InspectionPage:
    ports, on = ports_of(request), _today(request, as_of)
    found = await _read(request, queries.inspections,
                        queries.InspectionFilter(product_id, plan_id, result, district_code, limit, offset))
    return v.InspectionPage(total=found["total"], items=[
        v.InspectionRecord.of_row(row, reading.follow_up_of_row(row, on, ports)) for row in found["items"]])


@router.get("/inspections/{inspection_id}", tags=["inspections"])
async def get_inspection(inspection_id: str, request: Request, as_of: CivilDate | None = None,
                         _: Actor = Depends(current_actor)) -> v.InspectionRecord:
    row = await _read(request, queries.inspection, inspection_id)
    if row is None:
        raise NotFound("inspection", inspection_id)
    return v.InspectionRecord.of_row(row, reading.follow_up_of_row(row, _today(request, as_of), ports_of(request)))


@router.get("/follow-ups", tags=["inspections"])
async def follow_ups(request: Request, as_of: CivilDate | None = None,
                     state: str | None = Query(default=None, pattern="^(under_review|closed)$"),
                     overdue: bool | None = None, district_code: str | None = District, product_id: str | None = None,
                     _: Actor = Depends(current_actor)) -> v.FollowUpList:
    """Failed inspections and rating's decisions on them: under review until decided, overdue past
    ``OCOP_MONITORING_FOLLOW_UP_OVERDUE_DAYS``."""
    ports, on = ports_of(request), _today(request, as_of)
    found = await _read(request, reading.follow_ups, ports, as_of=on, district_code=district_code,
                        product_id=product_id, state=state, overdue=overdue)
    return v.FollowUpList(as_of=on, overdue_after_days=ports.policy.follow_up_overdue_days, total=len(found),
                          items=[v.FollowUpItem.of(row, status) for row, status in found])


# ----------------------------------------------------------------------------------------------- reports


async def _schedule(request: Request, plan_year: int, as_of: date, district_code: str | None = None,
                    kind: str | None = None, state: str | None = None) -> list[v.ReportView]:
    found = await _read(request, reading.report_schedule, ports_of(request), plan_year=plan_year, as_of=as_of,
                        district_code=district_code, kind=kind, state=state)
    return [v.ReportView.of(*item) for item in found]


@router.get("/reports", tags=["reports"])
async def report_schedule(request: Request, plan_year: int = year_query(...), as_of: CivilDate | None = None,
                          district_code: str | None = District,
                          state: str | None = Query(default=None, pattern="^(not_due|missing|on_time|late)$"),
                          actor: Actor = Depends(require(*REPORTERS))) -> v.ReportSchedule:
    """Every report the district-level units owe for the plan year, as of a date: not due, missing, on time or late,
    each pre-filled with its district's figures. A district officer sees their own district's."""
    on = _today(request, as_of)
    items = await _schedule(request, plan_year, on, reports_scope(actor, district_code), state=state)
    counts = {k: sum(i.state == k for i in items) for k in ("not_due", "missing", "on_time", "late")}
    return v.ReportSchedule(plan_year=plan_year, as_of=on, total=len(items), counts=counts, items=items,
                            deadline_inclusive=ports_of(request).policy.report_deadline_inclusive)


async def _report(request: Request, plan_year: int, district_code: str, kind: str, as_of: date) -> v.ReportView:
    [found] = await _schedule(request, plan_year, as_of, district_code, kind)
    return found


@router.get("/reports/{plan_year}/{district_code}/{kind}", tags=["reports"])
async def get_report(request: Request, plan_year: int = Year, district_code: str = Path(pattern=r"^\d{3}$"),
                     kind: str = Kind, as_of: CivilDate | None = None,
                     actor: Actor = Depends(require(*REPORTERS))) -> v.ReportView:
    reports_scope(actor, district_code)
    return await _report(request, plan_year, district_code, kind, _today(request, as_of))


@router.post("/reports/{plan_year}/{district_code}/{kind}/filing", status_code=status.HTTP_201_CREATED,
             tags=["reports"], responses={200: {"model": v.ReportView,
                                                "description": "The same filing again: nothing new was recorded."}})
async def file_report(body: s.FilingBody, request: Request, response: Response, plan_year: int = Year,
                      district_code: str = Path(pattern=r"^\d{3}$"), kind: str = Kind,
                      actor: Actor = Depends(require(*REPORTERS))) -> v.ReportView:
    """The district officer files their district's report (or the provincial office records one received): the date
    it was received and the document's number. Filed on or before its last on-time day it is on time."""
    with acting(actor, request):
        _, filed = await handlers.file_report(ports_of(request), actor, plan_year=plan_year,
                                              district_code=district_code, kind=kind, filed_on=body.filed_on,
                                              document_ref=body.document_ref)
    if not filed:
        response.status_code = status.HTTP_200_OK
    return await _report(request, plan_year, district_code, kind, ports_of(request).today())


@router.post("/reports/{plan_year}/{district_code}/{kind}/amendment", tags=["reports"])
async def amend_report(body: s.AmendmentBody, request: Request, plan_year: int = Year,
                       district_code: str = Path(pattern=r"^\d{3}$"), kind: str = Kind,
                       actor: Actor = Depends(require(*REPORTERS))) -> v.ReportView:
    """A replacement document (văn bản bổ sung, thay thế); the report stays as timely as its first filing."""
    with acting(actor, request):
        await handlers.amend_report(ports_of(request), actor, plan_year=plan_year, district_code=district_code,
                                    kind=kind, document_ref=body.document_ref,
                                    amended_on=_today(request, body.amended_on), note=body.note)
    return await _report(request, plan_year, district_code, kind, ports_of(request).today())


# ----------------------------------------------------------------------------------------------- targets


@router.get("/targets/{plan_year}", tags=["targets"])
async def get_targets(request: Request, plan_year: int = Year, _: Actor = Depends(current_actor)) -> v.TargetsView:
    """The plan year's targets: as the provincial office set them, else as shipped (2021: Kế hoạch 75/KH-UBND)."""
    return v.TargetsView.of(await reading.year_targets(ports_of(request), plan_year))


@router.put("/targets/{plan_year}", tags=["targets"])
async def set_targets(body: s.TargetsBody, request: Request, plan_year: int = Year,
                      actor: Actor = Depends(require(Role.provincial_office))) -> v.TargetsView:
    """Set (or replace) the plan year's targets; they replace the shipped ones for that year."""
    targets = [Target(target_id, t.name_vi, t.measure, t.level, t.min_stars, t.at_least)
               for target_id, t in body.targets.items()]
    with acting(actor, request):
        setting = await handlers.set_targets(ports_of(request), plan_year=plan_year, targets=targets,
                                             basis=body.basis, set_on=_today(request, body.set_on))
    assert setting.year_targets is not None
    return v.TargetsView.of(setting.year_targets)


@router.get("/targets/{plan_year}/progress", tags=["targets"])
async def target_progress(request: Request, plan_year: int = Year,
                          _: Actor = Depends(current_actor)) -> v.ProgressView:
    """Live progress towards each target, by round (the n-th decision of the level in the year) and by district."""
    targets, progress = await reading.target_progress(ports_of(request), plan_year)
    return v.ProgressView(plan_year=plan_year, basis=targets.basis,
                          targets=[v.TargetProgress.of_progress(p) for p in progress])
