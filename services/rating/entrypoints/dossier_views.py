"""The documented shapes of the answers about products: dossiers, certificates and the rating history.

Rows of the read models, never stored event payloads; a command on a dossier answers with the dossier it changed,
built field by field (``of``). ``average_score`` is a number everywhere (``views.Score``), as ProductRated has it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from services.rating.domain.dossier import RatingDossier
from services.rating.domain.values import Certificate
from services.rating.entrypoints.views import DecisionView, Marks, Page, Score, SubmittedScorecard

Actor = dict[str, Any] | None


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


class DossierPage(Page[DossierView]):
    """Dossiers by district, product set, cycle, status or stage, in the order they were opened."""


class DossierCounts(BaseModel):
    """Dossiers (of ``cycle_year``, of ``district_code`` when given): in all, and by district then status."""

    cycle_year: int | None = None
    district_code: str | None = None
    total: int
    by_district: dict[str, dict[str, int]]


# ------------------------------------------------------------------------------------------- certificates


class CertificateFields(BaseModel):
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
    decision: DecisionView
    status: str = Field(description="valid | superseded | withdrawn | revoked | expired")
    ended_on: date | None = Field(description="the first day it no longer holds (null while held)")
    under_review_inspection: str | None


class CertifiedView(CertificateFields):
    """A certificate in a listing of certified products."""

    average_score: Score
    under_review: bool


class ExpiringView(CertifiedView):
    """A held certificate about to expire."""

    days_left: int = Field(description="days from as_of to its last valid day")


class CertifiedPage(Page[CertifiedView]):
    """Certificates held on ``as_of``."""

    as_of: date


class CertificateCounts(BaseModel):
    """How many certificates are held on ``as_of`` (in ``district_code`` when given): in all, by star, by product set
    and by district; a key is absent where none is held."""

    as_of: date
    district_code: str | None = None
    total: int
    by_stars: dict[int, int]
    by_product_set: dict[int, int]
    by_district: dict[str, int]


class ExpiringPage(Page[ExpiringView]):
    """Held certificates whose last valid day falls within ``within_days`` of ``as_of``, soonest first."""

    as_of: date
    within_days: int


class EndedCertificateView(BaseModel):
    """A certificate that ended: the product whose logo and star may no longer be printed from ``ended_on``."""

    number: str
    product_id: str
    product_name: str
    producer_name: str
    district_code: str
    commune_code: str
    product_set: int
    stars: int
    level: str
    valid_from: date
    valid_until: date
    decision: DecisionView = Field(description="the decision that issued it")
    reason: str = Field(description="expired | revoked | superseded | withdrawn (re-rated under every certified star)")
    ended_on: date = Field(description="the first day it no longer held")
    reported: bool = Field(description="false: past its last valid day, the expiry check has not reported it yet")
    ended_by: DecisionView | None = Field(description="the decision that ended it (revocation, re-rating, the "
                                                      "superseding certificate's decision)")
    superseded_by: str | None = Field(description="the certificate that replaced it")
    end_note: str | None = Field(description="the reason given")
    average_score: Score


class EndedPage(Page[EndedCertificateView]):
    """Certificates that ended from ``since`` to ``until`` (both included), first ended first."""

    since: date | None
    until: date


class ExpiryCheck(BaseModel):
    """The expiry check as of a date: the products whose certificate it reported expired (none on a second run)."""

    as_of: date
    expired: list[str]


class HeldCertificate(BaseModel):
    """The certificate a product holds, as its dossier keeps it."""

    number: str
    stars: int
    level: str
    valid_from: date
    valid_until: date = Field(description="its last valid day")
    evaluation_id: str
    average_score: Score
    cycle_year: int
    decision: DecisionView

    @classmethod
    def of(cls, c: Certificate | None) -> HeldCertificate | None:
        if c is None:
            return None
        return cls(number=c.number, stars=c.stars, level=c.level, valid_from=c.valid_from, valid_until=c.valid_until,
                   evaluation_id=c.evaluation_id, average_score=float(c.average_score), cycle_year=c.cycle_year,
                   decision=DecisionView.of(c.decision))


class InspectionDecided(BaseModel):
    """The dossier after the province's decision on a failed inspection."""

    product_id: str
    status: str
    stage: str | None
    holds: HeldCertificate | None
    version: int

    @classmethod
    def of(cls, dossier: RatingDossier) -> InspectionDecided:
        return cls(product_id=dossier.id, status=dossier.status, stage=dossier.stage,
                   holds=HeldCertificate.of(dossier.holds), version=dossier.version)


# ------------------------------------------------------------------------------------------- the rating history


class ScorecardView(SubmittedScorecard):
    """A scorecard version as the history keeps it, with who entered it and when."""

    actor: Actor = Field(description="who entered it (the member, or the secretary on their behalf)")
    submitted_at: datetime


class AttemptView(Marks):
    """One examination of the product by a council session (lượt đánh giá) and what came of it."""

    session_id: str
    level: str
    cycle_year: int
    round: int
    title: str
    held_on: date
    session_status: str = Field(description="open | partly_finalised | finalised | decided")
    decision: DecisionView | None
    evaluation_id: str
    purpose: str = Field(description="first | re_entry | upgrade | re_rating")
    average_score: Score | None
    scorecards: list[ScorecardView]


class CertificateView(CertificateFields):
    """A certificate of the product, held or ended."""

    average_score: Score


class HistoryEventView(BaseModel):
    """One event of the dossier, in order: what happened (a summary in the domain's words), who did it, and when."""

    version: int
    event_type: str = Field(description="the domain event, e.g. ForwardedToProvince, CertificateIssued")
    status: str | None = Field(description="the dossier's status after it")
    summary: str | None
    actor: Actor
    recorded_at: datetime


class RatingHistory(BaseModel):
    """Lịch sử đánh giá of one product: its dossier, every attempt with every scorecard version, its certificates and
    the dossier's events."""

    dossier: DossierView
    attempts: list[AttemptView]
    certificates: list[CertificateView]
    events: list[HistoryEventView]
