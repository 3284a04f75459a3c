"""Request bodies of the monitoring API: pydantic names the field and the rule of anything malformed (422); the domain
refuses, naming the field too, what breaks a rule of the programme. The answers' shapes are in ``views``."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.monitoring.domain.certificates import LEVELS
from services.monitoring.domain.plans import PLAN_KINDS
from services.monitoring.domain.policy import SCALE
from services.monitoring.domain.targets import MEASURES
from services.monitoring.domain.values import AREAS, BODY_KINDS, Body, Finding, InspectionReport

Id = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[\w.:/-]+$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BodyBody(_Body):
    """Cơ quan: the Coordination Office (no code), a department (its id, e.g. industry_and_trade) or a district PC
    (its GSO code)."""

    kind: Literal[BODY_KINDS]  # type: ignore[valid-type]
    name: Text
    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)] | None = None

    def body(self) -> Body:
        return Body(self.kind, self.name, self.code)


class FindingBody(_Body):
    """One area checked: severity ``none`` when compliant; a non-compliant finding says what is wrong and cites its
    evidence (biên bản, ảnh, phiếu kết quả thử nghiệm)."""

    area: Literal[AREAS]  # type: ignore[valid-type]
    severity: Literal[SCALE]  # type: ignore[valid-type]
    description: LongText = ""
    evidence: list[Text] = Field(default_factory=list, max_length=50)
    criterion: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] = Field(
        default="", description="the scoring sheet's criterion (e.g. C2.1) InspectionFailed names; default the area")

    def finding(self) -> Finding:
        return Finding(self.area, self.severity, self.description, tuple(self.evidence), self.criterion)


class InspectionBody(_Body):
    """Biên bản kiểm tra of one product."""

    inspection_id: Id | None = Field(default=None, description="default: a new id")
    product_id: Id
    inspected_on: date
    body: BodyBody
    inspectors: list[Text] = Field(min_length=1, max_length=30)
    findings: list[FindingBody] = Field(min_length=1, max_length=20)

    def report(self, new_id: str) -> InspectionReport:
        return InspectionReport(self.inspection_id or new_id, self.product_id, self.inspected_on, self.body.body(),
                                tuple(self.inspectors), tuple(f.finding() for f in self.findings))


class CampaignBody(_Body):
    """Several products' inspections of one plan at once (đợt kiểm tra): all recorded, or none."""

    inspections: list[InspectionBody] = Field(min_length=1, max_length=200)


class PlanBody(_Body):
    plan_id: Id | None = Field(default=None, description="default: a new id")
    kind: Literal[PLAN_KINDS]  # type: ignore[valid-type]
    planner: BodyBody
    title: Text
    product_ids: list[Id] = Field(min_length=1, max_length=500)
    planned_on: date | None = Field(default=None, description="default: today (Asia/Ho_Chi_Minh)")
    due_on: date


class DropBody(_Body):
    reason: Text
    on: date | None = Field(default=None, description="default: today")


class FilingBody(_Body):
    filed_on: date = Field(description="the civil date the report was received (ngày nhận)")
    document_ref: Text = Field(description="số văn bản, e.g. 125/BC-UBND")


class AmendmentBody(_Body):
    document_ref: Text
    amended_on: date | None = Field(default=None, description="default: today")
    note: LongText = ""


class TargetBody(_Body):
    target_id: Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")]
    name_vi: Text
    measure: Literal[MEASURES]  # type: ignore[valid-type]
    level: Literal[LEVELS]  # type: ignore[valid-type]
    min_stars: int = Field(default=0, ge=0, le=5)
    at_least: int = Field(ge=1, le=1_000_000)


class TargetsBody(_Body):
    basis: Text = Field(description="the plan or decision that sets them")
    set_on: date | None = Field(default=None, description="default: today")
    targets: list[TargetBody] = Field(min_length=1, max_length=50)
