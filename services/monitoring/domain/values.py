"""Value objects monitoring's events carry: bodies, findings, inspection reports, and what it hears from the other
services (a registered product, a rating, a decision on a failed inspection), already translated into domain terms.

Frozen and typed, so events hold them as they are and the store rebuilds them (dates as dates). They check nothing
themselves: the commands that take them check them with the field in the request (``checks``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

AREAS = ("production_process", "food_safety", "quality_vs_standard", "packaging_labelling", "producer_operating")
"""Nội dung kiểm tra (OCOP-RULES §8, the Hà Tĩnh reasons): quy trình sản xuất, an toàn thực phẩm, chất lượng so với
tiêu chuẩn công bố, bao bì nhãn mác, chủ thể còn hoạt động sản xuất."""

BODY_KINDS = ("coordination_office", "department", "district")
"""Who plans or inspects: Văn phòng Điều phối nông thôn mới (the OCOP Coordination Office), a provincial department
(sở, e.g. ``industry_and_trade``: Sở Công Thương), or a district People's Committee (UBND huyện)."""


@dataclass(frozen=True)
class Body:
    """Cơ quan: ``kind`` one of BODY_KINDS, its name as written on documents, and ``code``: the department's id
    (``industry_and_trade``) or the district's GSO code (``380``); None for the Coordination Office."""

    kind: str
    name: str
    code: str | None = None


@dataclass(frozen=True)
class Finding:
    """One area checked (a kết quả kiểm tra line): ``severity`` ``none`` when compliant, else minor | major |
    critical; ``evidence`` the references that support it; ``criterion`` what InspectionFailed names (the area
    unless a criterion of the scoring sheet, e.g. ``C2.1``, is given)."""

    area: str
    severity: str
    description: str
    evidence: tuple[str, ...] = ()
    criterion: str = ""


@dataclass(frozen=True)
class InspectionReport:
    """Biên bản kiểm tra of one product, as the inspecting team enters it."""

    inspection_id: str
    product_id: str
    inspected_on: date
    body: Body
    inspectors: tuple[str, ...]
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class ProductFacts:
    """What monitoring keeps of a registered product (from ProductRegistered)."""

    registration_id: str
    cycle_year: int
    name: str
    product_set: int
    district_code: str
    commune_code: str
    producer_id: str
    producer_name: str
    correlation_id: str | None = None
    """The product's flow (ProductRegistered's correlation_id): InspectionFailed continues it."""


@dataclass(frozen=True)
class CertificateRef:
    """Giấy chứng nhận as ProductRated names it: ``valid_until`` is the last valid day, inclusive."""

    number: str
    valid_from: date
    valid_until: date


@dataclass(frozen=True)
class DecisionRef:
    """Quyết định: number, the civil date it was signed, who signed it."""

    number: str
    date: date
    issued_by: str


@dataclass(frozen=True)
class RatingFact:
    """One ProductRated, in monitoring's terms (the contract's fields; ``status`` and ``level`` its values)."""

    evaluation_id: str
    cycle_year: int
    level: str
    stars: int
    status: str
    decision: DecisionRef | None = None
    certificate: CertificateRef | None = None
    reason: str | None = None
    inspection_id: str | None = None


@dataclass(frozen=True)
class RewardFact:
    """One RewardApproved (khen thưởng): the reward, its plan year, the star it rewards and the whole-đồng amount.

    Its district is the product's, from the register (RewardApproved names none)."""

    reward_id: str
    plan_year: int
    level: str
    stars: int
    amount_vnd: int
    decision_number: str
    decided_on: date


@dataclass(frozen=True)
class ReviewDecision:
    """Rating's decision on a failed inspection (the ProductRated naming it, or the certificate's expiry):
    ``outcome`` one of ``follow_up.FOLLOW_UP_OUTCOMES``, ``decided_on`` the decision's date (for an expiry, the
    first day the certificate no longer held), the evaluation that carried it and the star the product is left with."""

    outcome: str
    decided_on: date
    evaluation_id: str
    stars: int
    decision_number: str | None = None
    reason: str | None = None
