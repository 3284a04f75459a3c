"""Request bodies of the rating API (pydantic names the field and the rule of anything malformed: 422), and the
documented shape of the rating history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

Id = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[\w.:-]+$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
DistrictCode = Annotated[str, StringConstraints(pattern=r"^\d{3}$")]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MemberBody(_Body):
    member_id: Id
    name: Text
    role: Literal["chair", "vice_chair", "member", "secretary"]
    organisation: Text


class CouncilBody(_Body):
    level: Literal["district", "provincial", "central"]
    district_code: DistrictCode | None = None
    name: Text
    members: list[MemberBody] = Field(min_length=1, max_length=60)


class WithdrawalBody(_Body):
    reason: LongText


def _unique(ids: list[str]) -> list[str]:
    seen = [i for n, i in enumerate(ids) if i in ids[:n]]
    if seen:
        raise ValueError(f"product {seen[0]!r} is listed twice")
    return ids


class ProductsBody(_Body):
    product_ids: list[Id] = Field(min_length=1, max_length=500)

    _unique_ids = field_validator("product_ids")(_unique)


class SessionBody(_Body):
    session_id: Id | None = None
    council_id: Id
    cycle_year: int = Field(ge=2018, le=2100)
    round: int = Field(ge=1, le=99, description="Số đợt (provincial round) or session number of the year")
    title: Text
    held_on: date
    product_ids: list[Id] = Field(default_factory=list, max_length=500)

    _unique_ids = field_validator("product_ids")(_unique)


class ScorecardBody(_Body):
    choices: dict[Annotated[str, StringConstraints(max_length=32)], int | str] = Field(
        min_length=1, max_length=200, description="criterion id → option id (or its points when unambiguous)")
    note: LongText | None = None


class FinaliseBody(_Body):
    finalised_on: date | None = None


class DecisionBody(_Body):
    number: Text
    date: date
    issued_by: Text


class InspectionDecisionBody(_Body):
    inspection_id: Id
    action: Literal["revoke", "re_rate", "warning"]
    reason: LongText
    decision: DecisionBody | None = None
    on: date | None = None


class ExpiryCheckBody(_Body):
    as_of: date | None = None


# ------------------------------------------------------------------------------------------- the rating history


class DecisionView(BaseModel):
    """Quyết định: number, civil date, who signed it."""

    number: str
    date: date
    issued_by: str


class DossierView(BaseModel):
    """Hồ sơ đánh giá: the product as registered, where its rating stands, the certificate it holds."""

    product_id: str
    product_name: str
    product_set: int
    sector: str
    product_group: str
    producer_id: str
    producer_name: str
    legal_form: str
    district_code: str
    commune_code: str
    cycle_year: int
    first_registration_id: str
    latest_registration_id: str
    registrations: int
    sheet_id: str
    sheet_provisional: bool
    status: str
    stage: str | None = Field(description="the level whose council may examine it next, if any")
    session_id: str | None = Field(description="the session whose list it is on, if any")
    stars: int = Field(description="the star of the certificate it holds (0: none)")
    certificate_number: str | None
    under_review_inspection: str | None
    version: int
    opened_at: datetime
    updated_at: datetime


class ScorecardView(BaseModel):
    """One version of a member's scorecard (phiếu chấm điểm); a correction is the next version, both stay."""

    session_id: str
    product_id: str
    member_id: str
    version: int
    choices: dict[str, str] = Field(description="criterion id → option id")
    total: int
    note: str | None
    actor: dict[str, Any] | None = Field(description="who entered it (the member, or the secretary on their behalf)")
    submitted_at: datetime


class AttemptView(BaseModel):
    """One examination of the product by a council session (lượt đánh giá) and what came of it."""

    session_id: str
    level: str
    cycle_year: int
    round: int
    title: str
    held_on: date
    session_status: str = Field(description="open | finalised | decided")
    decision: DecisionView | None
    evaluation_id: str
    purpose: str = Field(description="first | re_entry | upgrade | re_rating")
    average_score: float | None = Field(description="the council's mean, 2 decimals (null until finalised)")
    mean: str | None = Field(description="the exact mean as a fraction, e.g. 209/3")
    band_stars: int | None
    stars: int | None = Field(description="the star on the sheet, minimum criteria met")
    spread: int | None
    unmet_minimums: list[str] | None
    outcome: str | None = Field(description="what ProductRated said of it; several join with '+'; or withdrawn")
    outcome_stars: int | None
    certificate_number: str | None
    scorecards: list[ScorecardView]


class CertificateView(BaseModel):
    """Giấy chứng nhận: valid from the decision date to ``valid_until`` (inclusive) unless it ended sooner."""

    number: str
    product_id: str
    product_name: str
    district_code: str
    product_set: int
    stars: int
    level: str
    valid_from: date
    valid_until: date
    evaluation_id: str
    average_score: float
    decision: DecisionView
    status: str = Field(description="valid | superseded | withdrawn | revoked | expired")
    ended_on: date | None = Field(description="the first day it no longer holds (null while held)")
    under_review_inspection: str | None


class HistoryEventView(BaseModel):
    """One event of the dossier, in order: what happened (a summary in the domain's words), who did it, and when."""

    version: int
    event_type: str = Field(description="the domain event, e.g. ForwardedToProvince, CertificateIssued")
    status: str | None = Field(description="the dossier's status after it")
    summary: str | None
    actor: dict[str, Any] | None
    recorded_at: datetime


class RatingHistory(BaseModel):
    """Lịch sử đánh giá of one product: its dossier, every attempt with every scorecard version, its certificates and
    the dossier's events."""

    dossier: DossierView
    attempts: list[AttemptView]
    certificates: list[CertificateView]
    events: list[HistoryEventView]
