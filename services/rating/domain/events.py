"""Domain events of rating, in the past tense; stored in the service's own event store.

Councils, sessions and a dossier's way before a council; the outcomes a dossier records are in ``outcomes``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.rating.domain.values import Decision, Finding, Member, ProductResult, Producer, RegisteredProduct
from shared.aggregate import DomainEvent


@dataclass(frozen=True)
class DossierOpened(DomainEvent):
    """A product entered rating (hồ sơ đánh giá mở): classified into its product set, with the sheet it will use."""

    product_id: str
    product: RegisteredProduct
    producer: Producer
    district_code: str
    commune_code: str
    registration_id: str
    cycle_year: int
    product_set: int
    sheet_id: str
    sheet_version: str
    sheet_provisional: bool
    regime: str
    correlation_id: str | None = None  # the product's flow (from ProductRegistered): its ProductRated continue it


@dataclass(frozen=True)
class DossierReentered(DomainEvent):
    """The same product was registered again in a later cycle (đánh giá lại): a new registration on its dossier."""

    registration_id: str
    cycle_year: int


# ------------------------------------------------------------------------------------------------ councils


@dataclass(frozen=True)
class CouncilFormed(DomainEvent):
    """Hội đồng đánh giá, phân hạng was set up: one per district-level unit, one provincial, one central."""

    council_id: str
    level: str
    district_code: str | None
    name: str
    members: tuple[Member, ...]


@dataclass(frozen=True)
class MemberAppointed(DomainEvent):
    """A member joined the council (bổ sung thành viên)."""

    member: Member


@dataclass(frozen=True)
class MemberWithdrawn(DomainEvent):
    """A member left the council; sessions opened before keep the composition they were opened with."""

    member_id: str
    reason: str


# ------------------------------------------------------------------------------------------------ sessions


@dataclass(frozen=True)
class SessionOpened(DomainEvent):
    """A council session (phiên họp; for the province a numbered round, đợt) with the members who score in it."""

    session_id: str
    council_id: str
    level: str
    district_code: str | None
    cycle_year: int
    round: int
    title: str
    held_on: date
    chair_id: str
    members: tuple[Member, ...]


@dataclass(frozen=True)
class ProductExamined(DomainEvent):
    """A product was put on the session's list (danh sách sản phẩm đánh giá)."""

    product_id: str
    evaluation_id: str
    product_set: int
    product_name: str
    district_code: str
    purpose: str  # first | re_entry | upgrade | re_rating
    held_stars: int


@dataclass(frozen=True)
class ProductWithdrawn(DomainEvent):
    """Taken off the session's list before finalisation (rút khỏi phiên), e.g. the producer withdrew; cards stay on record."""

    product_id: str
    reason: str


@dataclass(frozen=True)
class ScorecardSubmitted(DomainEvent):
    """A member's scorecard (phiếu chấm điểm) for one product; a correction is the next version."""

    product_id: str
    member_id: str
    version: int
    choices: dict[str, str]
    total: int
    note: str | None


@dataclass(frozen=True)
class SessionFinalised(DomainEvent):
    """The council's results (kết quả) for every product on the list, computed from the scorecards."""

    finalised_on: date
    results: tuple[ProductResult, ...]


@dataclass(frozen=True)
class DecisionRecorded(DomainEvent):
    """The decision approving the results (quyết định công nhận): provincial (UBND tỉnh) or central (Bộ NN&PTNT)."""

    number: str
    date: date
    issued_by: str

    @property
    def decision(self) -> Decision:
        return Decision(self.number, self.date, self.issued_by)


@dataclass(frozen=True)
class DecisionNumberTaken(DomainEvent):
    """A decision number (số quyết định) of a year is used by a session: numbers restart each year, never repeat in one."""

    number: str
    year: int
    session_id: str


# ------------------------------------------------------------------------------------------------ dossier


@dataclass(frozen=True)
class ExaminationScheduled(DomainEvent):
    """The product was put before a council session."""

    session_id: str
    evaluation_id: str
    level: str
    purpose: str


@dataclass(frozen=True)
class ExaminationWithdrawn(DomainEvent):
    """The product was taken off a session's list; it awaits the same level again."""

    session_id: str
    reason: str


@dataclass(frozen=True)
class CertificateUnderReview(DomainEvent):
    """A failed inspection (InspectionFailed) flags the certificate until a provincial officer decides."""

    inspection_id: str
    certificate_number: str
    inspected_on: date
    severity: str
    recommended_action: str
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class ReRatingOrdered(DomainEvent):
    """After a failed inspection the province ordered the product rated again (đánh giá lại); it may end downgraded."""

    inspection_id: str
    reason: str
