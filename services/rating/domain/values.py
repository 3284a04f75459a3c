"""Value objects of rating that domain events carry: council members, registered products, decisions, certificates,
council results, inspections.

Frozen and typed, so events hold them as they are and the store rebuilds them (dates as dates, exact means as
strings such as "209/3": a ``Fraction`` is not JSON).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from services.rating.domain.errors import RatingError

MEMBER_ROLES = ("chair", "vice_chair", "member", "secretary")
SCORING_ROLES = ("chair", "vice_chair", "member")  # the secretary (thư ký) keeps the minutes and does not score


@dataclass(frozen=True)
class Member:
    """Thành viên hội đồng: id (the ``sub`` of their token), name, role in the council, organisation (cơ quan)."""

    member_id: str
    name: str
    role: str
    organisation: str

    def __post_init__(self) -> None:
        if self.role not in MEMBER_ROLES:
            raise RatingError(f"member {self.member_id}: role must be one of {', '.join(MEMBER_ROLES)}", field="role")

    @property
    def scores(self) -> bool:
        return self.role in SCORING_ROLES


@dataclass(frozen=True)
class Decision:
    """Quyết định công nhận / thu hồi: its number, the civil date it was signed, and who signed it."""

    number: str
    date: date
    issued_by: str


@dataclass(frozen=True)
class DecisionEntry:
    """One product a decision covers and what the decision did to it: ``outcome`` in the words of the session's list
    (recognized, confirmed, renewed, proposed, not_recognized, downgraded, revoked, re_rating_ordered, warned; two
    joined with '+'), the star it shows after, the certificate concerned, whether the decision issued that
    certificate, the inspection it follows and why."""

    product_id: str
    outcome: str
    stars: int
    certificate_number: str | None
    issued: bool
    inspection_id: str | None
    reason: str | None


@dataclass(frozen=True)
class Certificate:
    """Giấy chứng nhận sản phẩm OCOP, from ``valid_from`` (the decision date) to ``valid_until`` (last valid day).

    Built only by ``certificates.issue_certificate``, which applies the one validity rule.
    """

    number: str
    stars: int
    level: str
    valid_from: date
    valid_until: date
    evaluation_id: str
    average_score: str
    cycle_year: int
    decision: Decision


@dataclass(frozen=True)
class ProductResult:
    """The council's finalised result for one product on a session's list (kết quả đánh giá).

    ``mean`` is the exact mean of the members' totals as a fraction string ("209/3"); ``average_score`` only shows it
    rounded to 2 decimals; ``stars`` is the star of the band with its minimum criteria met (§5.4, §5.5).
    """

    product_id: str
    evaluation_id: str
    product_set: int
    purpose: str
    mean: str
    average_score: str
    band_stars: int
    stars: int
    spread: int
    totals: Mapping[str, int]
    unmet_minimums: tuple[str, ...] = ()

    @property
    def exact_mean(self) -> Fraction:
        return Fraction(self.mean)


@dataclass(frozen=True)
class OpenProduct:
    """A product left open by a finalisation, and why (under quorum, over the spread…): it may be finalised later."""

    product_id: str
    reason: str


@dataclass(frozen=True)
class Sitting:
    """Where a council outcome was reached: the session (phiên họp / đợt), its cycle, and its decision if any."""

    session_id: str
    cycle_year: int
    decision: Decision | None = None


@dataclass(frozen=True)
class Finding:
    """One thing the inspection found wrong (tồn tại): the criterion no longer met."""

    criterion: str
    description: str


@dataclass(frozen=True)
class Inspection:
    """Kiểm tra sau công nhận that failed (InspectionFailed), as rating keeps it."""

    inspection_id: str
    inspected_on: date
    certificate_number: str
    severity: str
    recommended_action: str
    findings: tuple[Finding, ...] = field(default=())


@dataclass(frozen=True)
class RegisteredProduct:
    """The product as registered: its name, sector (ngành), group (nhóm) and product set (bộ sản phẩm)."""

    name: str
    sector: str
    group: str
    product_set: int


@dataclass(frozen=True)
class Producer:
    """Chủ thể OCOP: the producer's id, name and legal form (cooperative, enterprise, household…)."""

    producer_id: str
    name: str
    legal_form: str


@dataclass(frozen=True)
class ProductEntry:
    """What rating keeps of a registered product (read from ProductRegistered by the translator)."""

    product_id: str
    registration_id: str
    cycle_year: int
    product: RegisteredProduct
    producer: Producer
    district_code: str
    commune_code: str
    correlation_id: str | None = None
