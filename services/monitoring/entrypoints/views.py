"""The documented shapes of monitoring's answers; every route declares one, so OpenAPI names each field.

A command answers with what it recorded, built from the aggregate (``of``); a query answers with read-model rows
read through the domain (``application.reading``). No answer serves a stored event or its payload.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from services.monitoring.application.reading import DistrictFigures
from services.monitoring.domain.events import InspectionConcluded, ProductFailedInspection
from services.monitoring.domain.follow_up import FollowUpStatus
from services.monitoring.domain.inspections import Inspection
from services.monitoring.domain.plans import InspectionPlan
from services.monitoring.domain.reporting import ReportStatus
from services.monitoring.domain.targets import Progress, Target, YearTargets
from services.monitoring.domain.values import Body, Finding


class BodyView(BaseModel):
    kind: str = Field(description="coordination_office | department | district")
    name: str
    code: str | None

    @classmethod
    def of(cls, body: Body) -> BodyView:
        return cls(kind=body.kind, name=body.name, code=body.code)


class FindingView(BaseModel):
    area: str
    severity: str = Field(description="none (compliant) | minor | major | critical")
    description: str
    evidence: list[str]
    criterion: str

    @classmethod
    def of(cls, finding: Finding) -> FindingView:
        return cls(area=finding.area, severity=finding.severity, description=finding.description,
                   evidence=list(finding.evidence), criterion=finding.criterion)


class FollowUpView(BaseModel):
    """Theo dõi xử lý: under review from the failure until rating's decision; overdue past the policy's days."""

    state: str = Field(description="under_review | closed")
    overdue: bool
    days_open: int
    outcome: str | None = Field(description="revoked | downgraded | re_rated | warning | expired, once closed")

    @classmethod
    def of(cls, status: FollowUpStatus | None) -> FollowUpView | None:
        if status is None:
            return None
        return cls(state=status.state, overdue=status.overdue, days_open=status.days_open, outcome=status.outcome)


class InspectionView(BaseModel):
    """Biên bản kiểm tra: the result, the worst severity and, for a failure, the action InspectionFailed recommends."""

    inspection_id: str
    product_id: str
    plan_id: str | None
    certificate_number: str
    inspected_on: date
    body: BodyView
    inspectors: list[str]
    findings: list[FindingView]
    severity: str
    result: str = Field(description="passed | failed")
    recommended_action: str | None = Field(description="warning | downgrade | revocation (failed only)")
    follow_up: FollowUpView | None

    @classmethod
    def of(cls, inspection: Inspection, follow_up: FollowUpStatus | None) -> InspectionView:
        e: InspectionConcluded | None = inspection.concluded
        assert e is not None
        failed = isinstance(e, ProductFailedInspection)
        return cls(inspection_id=e.inspection_id, product_id=e.product_id, plan_id=e.plan_id,
                   certificate_number=e.certificate_number, inspected_on=e.inspected_on, body=BodyView.of(e.body),
                   inspectors=list(e.inspectors), findings=[FindingView.of(f) for f in e.findings],
                   severity=e.severity, result="failed" if failed else "passed",
                   recommended_action=e.recommended_action if failed else None,
                   follow_up=FollowUpView.of(follow_up))


class InspectionRecord(InspectionView):
    """An inspection as the read model keeps it, with the product's district and who recorded it."""

    district_code: str
    product_name: str | None = Field(default=None, description="as the register heard it (null: not heard yet)")
    decided_on: date | None = Field(description="the date of rating's decision that closed the follow-up")
    decision_number: str | None

    @classmethod
    def of_row(cls, row: dict[str, Any], follow_up: FollowUpStatus | None) -> InspectionRecord:
        return cls(inspection_id=row["inspection_id"], product_id=row["product_id"], plan_id=row["plan_id"],
                   certificate_number=row["certificate_number"], inspected_on=row["inspected_on"],
                   body=BodyView(kind=row["body_kind"], name=row["body_name"], code=row["body_code"]),
                   inspectors=row["inspectors"], findings=[FindingView(**f) for f in _json(row["findings"])],
                   severity=row["severity"], result=row["result"], recommended_action=row["recommended_action"],
                   follow_up=FollowUpView.of(follow_up), district_code=row["district_code"],
                   product_name=row["product_name"], decided_on=row["closed_on"], decision_number=row["closed_decision_number"])


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value  # asyncpg gives jsonb as text


class InspectionsRecorded(BaseModel):
    """What one command recorded: each product's inspection; every failure is published as InspectionFailed."""

    plan_id: str | None
    inspections: list[InspectionView]
    failed: int = Field(description="InspectionFailed events published (one per failed product)")


class InspectionPage(BaseModel):
    total: int
    items: list[InspectionRecord]


class FollowUpItem(BaseModel):
    inspection_id: str
    product_id: str
    product_name: str | None = Field(default=None, description="as the register heard it (null: not heard yet)")
    district_code: str
    certificate_number: str
    opened_on: date = Field(description="the failed inspection's date")
    severity: str
    recommended_action: str | None
    state: str = Field(description="under_review | closed")
    overdue: bool
    days_open: int
    outcome: str | None
    decision_number: str | None

    @classmethod
    def of(cls, row: dict[str, Any], status: FollowUpStatus) -> FollowUpItem:
        return cls(inspection_id=status.inspection_id, product_id=status.product_id, product_name=row["product_name"],
                   district_code=row["district_code"], certificate_number=row["certificate_number"],
                   opened_on=status.opened_on, severity=row["severity"], recommended_action=row["recommended_action"],
                   state=status.state, overdue=status.overdue, days_open=status.days_open, outcome=status.outcome,
                   decision_number=row["closed_decision_number"] if status.state == "closed" else None)


class FollowUpList(BaseModel):
    as_of: date
    overdue_after_days: int
    total: int
    items: list[FollowUpItem]


# ------------------------------------------------------------------------------------------- plans


class PlannedProductView(BaseModel):
    product_id: str
    state: str = Field(description="outstanding | inspected | dropped (as of the date asked)")
    inspection_id: str | None = None
    inspected_on: date | None = None
    passed: bool | None = None
    dropped_on: date | None = None
    drop_reason: str | None = None


class PlanView(BaseModel):
    """Kế hoạch kiểm tra (also the campaign its inspections belong to), as of a date."""

    plan_id: str
    kind: str = Field(description="periodic | unannounced")
    planner: BodyView
    title: str
    planned_on: date
    due_on: date
    as_of: date
    products: list[PlannedProductView]
    outstanding: list[str]
    overdue: bool = Field(description="past its due date (the due date is on time) with products outstanding")
    version: int

    @classmethod
    def of(cls, plan: InspectionPlan, as_of: date) -> PlanView:
        p = plan.planned
        assert p is not None
        outstanding = plan.outstanding_on(as_of)
        products = []
        for product_id in p.product_ids:
            done, dropped = plan.inspected.get(product_id), plan.dropped.get(product_id)
            if done is not None and done.inspected_on <= as_of:
                products.append(PlannedProductView(product_id=product_id, state="inspected",
                                                   inspection_id=done.inspection_id, inspected_on=done.inspected_on,
                                                   passed=done.passed))
            elif dropped is not None and dropped.dropped_on <= as_of:
                products.append(PlannedProductView(product_id=product_id, state="dropped",
                                                   dropped_on=dropped.dropped_on, drop_reason=dropped.reason))
            else:
                products.append(PlannedProductView(product_id=product_id, state="outstanding"))
        return cls(plan_id=plan.id, kind=p.kind, planner=BodyView.of(p.planner), title=p.title,
                   planned_on=p.planned_on, due_on=p.due_on, as_of=as_of, products=products,
                   outstanding=list(outstanding), overdue=plan.is_overdue(as_of), version=plan.version)


class PlanPage(BaseModel):
    as_of: date
    total: int
    items: list[PlanView]


# ------------------------------------------------------------------------------------------- register


class RegisterItem(BaseModel):
    """A certified product in force on the date asked (sổ theo dõi sản phẩm OCOP)."""

    product_id: str
    product_name: str | None = Field(description="null while the product's ProductRegistered is unheard")
    district_code: str | None
    product_set: int | None
    producer_name: str | None
    certificate_number: str
    stars: int
    level: str
    valid_from: date
    valid_until: date = Field(description="the certificate's last valid day")
    last_day: date = Field(description="its last day in force (earlier when revoked, withdrawn or superseded)")
    status: str = Field(description="in_force | under_review (a failed inspection awaits rating's decision)")


class RegisterPage(BaseModel):
    as_of: date
    within_days: int | None
    total: int
    items: list[RegisterItem]


class CertificatePeriodView(BaseModel):
    number: str
    stars: int
    level: str
    valid_from: date
    valid_until: date
    ends_on: date | None = Field(description="first day it no longer held, when it ended early")
    ended_by: str | None = Field(description="revoked | downgraded | superseded | expired")
    last_day: date


class RegisteredProductView(BaseModel):
    registration_id: str
    cycle_year: int
    name: str
    product_set: int
    district_code: str
    commune_code: str
    producer_id: str
    producer_name: str


class RatingHeardView(BaseModel):
    evaluation_id: str
    cycle_year: int
    level: str
    status: str
    stars: int
    decision_number: str | None
    decision_date: date | None
    certificate_number: str | None
    reason: str | None
    inspection_id: str | None


class RewardView(BaseModel):
    reward_id: str
    plan_year: int
    level: str
    stars: int
    amount_vnd: int
    decision_number: str
    decided_on: date


class RegisterEntryView(BaseModel):
    """One product as the register heard it: what it is, every certificate period, rating and reward."""

    product_id: str
    product: RegisteredProductView | None
    certificates: list[CertificatePeriodView]
    ratings: list[RatingHeardView]
    rewards: list[RewardView]


# ------------------------------------------------------------------------------------------- reports


class FiguresView(BaseModel):
    """Số liệu of the district for the plan year, from monitoring's own projections."""

    registrations_sent: int = Field(description="registrations sent to the province in the cycle")
    ratings_by_star: dict[int, int] = Field(description="star → products whose latest council result gave it")
    certificates_in_force: int = Field(description="on the date asked")
    rewards_approved: int
    rewards_amount_vnd: int
    inspections: int = Field(description="of the plan year, up to the date asked")
    inspection_failures: int

    @classmethod
    def of(cls, f: DistrictFigures) -> FiguresView:
        return cls(registrations_sent=f.registrations_sent, ratings_by_star=f.ratings_by_star,
                   certificates_in_force=f.certificates_in_force, rewards_approved=f.rewards_approved,
                   rewards_amount_vnd=f.rewards_amount_vnd, inspections=f.inspections,
                   inspection_failures=f.inspection_failures)


class ReportView(BaseModel):
    """An expected report (báo cáo định kỳ) as of a date: on time, late, missing or not due yet, pre-filled."""

    report_id: str
    plan_year: int
    district_code: str
    district_name: str
    kind: str = Field(description="six_month | annual")
    due_before: date
    last_on_time_day: date
    state: str = Field(description="not_due | missing | on_time | late")
    days_late: int
    filed_on: date | None
    document_ref: str | None = Field(description="the latest document (after amendments)")
    first_document_ref: str | None
    amendments: int
    figures: FiguresView

    @classmethod
    def of(cls, status: ReportStatus, filed: dict[str, Any] | None, figures: DistrictFigures) -> ReportView:
        e, filing = status.expected, status.filing
        return cls(report_id=e.report_id, plan_year=e.plan_year, district_code=e.district_code,
                   district_name=e.district_name, kind=e.kind, due_before=e.due_before,
                   last_on_time_day=status.last_on_time_day, state=status.state, days_late=status.days_late,
                   filed_on=filing.filed_on if filing else None, document_ref=filing.document_ref if filing else None,
                   first_document_ref=filed["first_document_ref"] if filing and filed else None,
                   amendments=filed["amendments"] if filing and filed else 0, figures=FiguresView.of(figures))


class ReportSchedule(BaseModel):
    plan_year: int
    as_of: date
    deadline_inclusive: bool = Field(description='whether "before 15/6" admits the 15th (OCOP_MONITORING_*)')
    counts: dict[str, int] = Field(description="state → reports")
    total: int
    items: list[ReportView]


# ------------------------------------------------------------------------------------------- targets


class TargetView(BaseModel):
    target_id: str
    name_vi: str
    measure: str = Field(description="recognised | proposed")
    level: str
    min_stars: int
    at_least: int

    @classmethod
    def of(cls, t: Target) -> TargetView:
        return cls(target_id=t.target_id, name_vi=t.name_vi, measure=t.measure, level=t.level,
                   min_stars=t.min_stars, at_least=t.at_least)


class TargetsView(BaseModel):
    plan_year: int
    basis: str
    targets: list[TargetView]

    @classmethod
    def of(cls, year: YearTargets) -> TargetsView:
        return cls(plan_year=year.plan_year, basis=year.basis, targets=[TargetView.of(t) for t in year.targets])


class RoundCount(BaseModel):
    round: int | None = Field(description="the n-th decision of the level in the year; null: outside rounds")
    products: int


class TargetProgress(TargetView):
    achieved: int
    remaining: int
    met: bool
    share_percent: float = Field(description="achieved / at_least, in percent (2 decimals; may pass 100)")
    by_round: list[RoundCount]
    by_district: dict[str, int] = Field(description="every district-level unit of the year, even at 0")

    @classmethod
    def of_progress(cls, p: Progress) -> TargetProgress:
        rounds = sorted(p.by_round.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))
        return cls(**TargetView.of(p.target).model_dump(), achieved=p.achieved, remaining=p.remaining, met=p.met,
                   share_percent=round(float(p.share * 100), 2),
                   by_round=[RoundCount(round=r, products=n) for r, n in rounds], by_district=dict(p.by_district))


class ProgressView(BaseModel):
    plan_year: int
    basis: str
    targets: list[TargetProgress]
