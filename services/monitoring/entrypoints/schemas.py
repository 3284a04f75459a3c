"""Request bodies of the monitoring API: pydantic names the field and the rule of anything malformed (422); the domain
refuses, naming the field too, what breaks a rule of the programme. The answers' shapes are in ``views``."""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.monitoring.domain.certificates import LEVELS
from services.monitoring.domain.plans import PLAN_KINDS
from services.monitoring.domain.policy import COMPLIANT, SEVERITIES
from services.monitoring.domain.targets import MEASURES
from services.monitoring.domain.values import AREAS, Body, Finding, InspectionReport
from shared.http.params import CivilDate, LongText, Text, whole_number_between

Id = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[\w.:/-]+$")]
OptionalText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
#: A list whose entries are each named once (the domain refuses a repeat; the document says so with uniqueItems).
ONCE_EACH = {"uniqueItems": True}


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _BodyBase(_Body):
    name: Text

    def body(self) -> Body:
        return Body(self.kind, self.name, self.code)  # type: ignore[attr-defined]


class CoordinationOfficeBody(_BodyBase):
    """Văn phòng Điều phối nông thôn mới: it has no code."""

    kind: Literal["coordination_office"]
    code: None = None


class DepartmentBody(_BodyBase):
    """A provincial department (sở), by its id."""

    kind: Literal["department"]
    code: Annotated[str, StringConstraints(max_length=64, pattern=r"^[a-z][a-z0-9_]*$")] = Field(
        description="the department's id, e.g. industry_and_trade")


class DistrictBody(_BodyBase):
    """A district People's Committee, by its GSO code (a code the reference data does not know for the year: 404)."""

    kind: Literal["district"]
    code: Annotated[str, StringConstraints(pattern=r"^\d{3}$")] = Field(description="GSO code, e.g. 380")


#: Cơ quan: the Coordination Office (no code), a department (its id) or a district PC (its GSO code).
BodyBody = Annotated[Union[CoordinationOfficeBody, DepartmentBody, DistrictBody], Field(discriminator="kind")]


class _FindingBase(_Body):
    area: Literal[AREAS]  # type: ignore[valid-type]
    criterion: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] = Field(
        default="", description="the scoring sheet's criterion (e.g. C2.1) InspectionFailed names; default the area")

    def finding(self) -> Finding:
        return Finding(self.area, self.severity, self.description,  # type: ignore[attr-defined]
                       tuple(self.evidence), self.criterion)  # type: ignore[attr-defined]


class CompliantFinding(_FindingBase):
    """An area checked and found compliant (severity ``none``)."""

    severity: Literal[COMPLIANT]  # type: ignore[valid-type]
    description: OptionalText = ""
    evidence: list[Text] = Field(default_factory=list, max_length=50)


class NonCompliantFinding(_FindingBase):
    """A finding that is not compliant says what is wrong and cites its evidence (biên bản, ảnh, phiếu kết quả thử
    nghiệm): at least one reference, as the default policy asks (OCOP_MONITORING_EVIDENCE_REQUIRED)."""

    severity: Literal[SEVERITIES]  # type: ignore[valid-type]
    description: LongText
    evidence: list[Text] = Field(min_length=1, max_length=50)


#: One area checked; which fields it needs depends on its severity.
FindingBody = Annotated[Union[CompliantFinding, NonCompliantFinding], Field(discriminator="severity")]


class InspectionBody(_Body):
    """Biên bản kiểm tra of one product."""

    inspection_id: Id | None = Field(default=None, description="default: a new id")
    product_id: Id
    inspected_on: CivilDate
    body: BodyBody
    inspectors: list[Text] = Field(min_length=1, max_length=30, json_schema_extra=ONCE_EACH)
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
    product_ids: list[Id] = Field(min_length=1, max_length=500, json_schema_extra=ONCE_EACH)
    planned_on: CivilDate | None = Field(default=None, description="default: today (Asia/Ho_Chi_Minh)")
    due_on: CivilDate


class DropBody(_Body):
    reason: Text
    on: CivilDate | None = Field(default=None, description="default: today")


class FilingBody(_Body):
    filed_on: CivilDate = Field(description="the civil date the report was received (ngày nhận)")
    document_ref: Text = Field(description="số văn bản, e.g. 125/BC-UBND")


class AmendmentBody(_Body):
    document_ref: Text
    amended_on: CivilDate | None = Field(default=None, description="default: today")
    note: OptionalText = ""


TargetId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")]


class TargetBody(_Body):
    """One target of a plan year; its id is its key in ``targets``."""

    name_vi: Text
    measure: Literal[MEASURES]  # type: ignore[valid-type]
    level: Literal[LEVELS]  # type: ignore[valid-type]
    min_stars: whole_number_between(0, 5) = 0  # type: ignore[valid-type]
    at_least: whole_number_between(1, 1_000_000)  # type: ignore[valid-type]


class TargetsBody(_Body):
    basis: Text = Field(description="the plan or decision that sets them")
    set_on: CivilDate | None = Field(default=None, description="default: today")
    targets: dict[TargetId, TargetBody] = Field(
        min_length=1, max_length=50, description="target id → target, in the order shown: each id once, as a JSON "
        "object's keys are (a list could repeat one, which no schema refuses)",
        json_schema_extra={"additionalProperties": False})  # a key not of the id's pattern is refused
