"""Events of a product's rating dossier on its way before councils and under review.

What a council's result, a decision, an inspection or time did to its rating are the facts in ``outcomes``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from services.rating.domain.values import Decision, Finding, Producer, RegisteredProduct
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
    """After a failed inspection the province ordered the product rated again (đánh giá lại); it may end downgraded.

    v2 names the decision that ordered it (None: ordered without a numbered decision, as v1 always was).
    """

    schema_version: ClassVar[int] = 2

    inspection_id: str
    reason: str
    decision: Decision | None = None
