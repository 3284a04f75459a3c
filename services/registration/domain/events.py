"""Domain events of registration, in the past tense; stored in the service's own event store.

Value objects are stored as the JSON objects they were before they were typed (dates as ISO strings), so events
written by earlier code decode unchanged; a change of shape needs a ``schema_version`` and an upcaster.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.registration.domain.values import Certificate, Decision, Finding, ProducerRef, Product
from shared.aggregate import DomainEvent


@dataclass(frozen=True)
class ProducerRegistered(DomainEvent):
    """A producer (chủ thể) is on record: name, legal form, where it is."""

    producer_id: str
    name: str
    legal_form: str
    district_code: str
    commune_code: str
    business_registration_number: str | None


@dataclass(frozen=True)
class RegistrationSubmitted(DomainEvent):
    """A registration form (phiếu đăng ký: 01 new product, 02 existing product) was submitted."""

    registration_id: str
    product_id: str
    cycle_year: int
    form: str
    producer: ProducerRef
    product: Product
    district_code: str
    commune_code: str


@dataclass(frozen=True)
class RegistrationProposedByCommune(DomainEvent):
    """The commune People's Committee proposed the product to the district (đề xuất)."""

    note: str | None


@dataclass(frozen=True)
class RegistrationReturned(DomainEvent):
    """The district returned the form for completion, with reasons (trả lại để hoàn thiện)."""

    reasons: list[str]


@dataclass(frozen=True)
class RegistrationResubmitted(DomainEvent):
    """The completed form is back with the district; ``product`` holds the whole corrected product."""

    product: Product
    note: str | None


@dataclass(frozen=True)
class RegistrationSelected(DomainEvent):
    """The district selected the product as feasible and complete (lựa chọn)."""

    note: str | None


@dataclass(frozen=True)
class RegistrationRejected(DomainEvent):
    """The district rejected the product idea (không lựa chọn)."""

    reason: str


@dataclass(frozen=True)
class RegistrationSentToProvince(DomainEvent):
    """The product is on the district's list sent to the province."""

    list_id: str


@dataclass(frozen=True)
class DistrictListSent(DomainEvent):
    """The district's list of selected products went to the provincial Coordination Office."""

    district_code: str
    cycle_year: int
    registration_ids: list[str]
    product_ids: list[str]


@dataclass(frozen=True)
class RegistrationFiled(DomainEvent):
    """A registration form entered the product in a cycle under ``name`` (form 01 the first time, 02 after)."""

    registration_id: str
    cycle_year: int
    form: str
    producer_id: str
    name: str


@dataclass(frozen=True)
class ProductRenamed(DomainEvent):
    """The product came back in a new cycle under another name (form 02): the same product, its id and history kept."""

    old_name: str
    new_name: str
    cycle_year: int
    registration_id: str


@dataclass(frozen=True)
class RatingRecorded(DomainEvent):
    """Rating reported a result for the product (from ProductRated), for the producer's view."""

    evaluation_id: str
    level: str
    status: str
    stars: int
    average_score: float
    certificate: Certificate | None
    decision: Decision | None
    occurred_at: str
    source_event_id: str


@dataclass(frozen=True)
class InspectionFailureRecorded(DomainEvent):
    """Monitoring reported a failed inspection (from InspectionFailed), for the producer's view."""

    inspection_id: str
    inspected_on: date
    severity: str
    recommended_action: str
    findings: tuple[Finding, ...]
    source_event_id: str
