"""Commands to registration: what a producer, a commune or a district asks the system to do."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.registration.domain.values import ProductReference


@dataclass(frozen=True)
class ProductInput:
    name: str
    product_set: int
    description: str
    sector: str | None = None
    group: str | None = None


@dataclass(frozen=True)
class RegisterProducer:
    producer_id: str
    name: str
    legal_form: str
    district_code: str
    commune_code: str
    business_registration_number: str | None = None


@dataclass(frozen=True)
class SubmitRegistration:
    producer_id: str
    cycle_year: int
    form: str
    product: ProductInput
    existing_product: ProductReference | None = None  # form 02 only


@dataclass(frozen=True)
class ProposeRegistration:
    registration_id: str
    note: str | None = None
    expected_version: int | None = None


@dataclass(frozen=True)
class ReturnRegistration:
    registration_id: str
    reasons: list[str]
    expected_version: int | None = None


@dataclass(frozen=True)
class ResubmitRegistration:
    registration_id: str
    product: ProductInput
    note: str | None = None
    expected_version: int | None = None


@dataclass(frozen=True)
class SelectRegistration:
    registration_id: str
    note: str | None = None
    expected_version: int | None = None


@dataclass(frozen=True)
class RejectRegistration:
    registration_id: str
    reason: str
    expected_version: int | None = None


@dataclass(frozen=True)
class SendDistrictList:
    district_code: str
    cycle_year: int
    registration_ids: list[str] = field(default_factory=list)
