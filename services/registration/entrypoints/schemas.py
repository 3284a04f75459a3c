"""Request and response bodies of the registration API; pydantic names the field and the rule of any bad input.

Bounds and choices come from the domain (legal forms, forms, cycle years, product sets, statuses), so the API and
the domain cannot disagree.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema

from services.registration.domain import commands as cmd
from services.registration.domain.catalogue import FIRST_SET, LAST_SET
from services.registration.domain.lifecycle import STATUSES
from services.registration.domain.producer import LEGAL_FORMS
from services.registration.domain.registration import FIRST_CYCLE, FORMS, LAST_CYCLE, Registration

Name = Field(min_length=1, max_length=200)
Note = Field(default=None, max_length=2000)
CycleYear = Annotated[int, Field(ge=FIRST_CYCLE, le=LAST_CYCLE)]
LegalForm = Literal[LEGAL_FORMS]  # type: ignore[valid-type]
FormCode = Literal[tuple(FORMS)]  # type: ignore[misc]
Status = Literal[STATUSES]  # type: ignore[valid-type]
# As the API wrote timestamps before it had response models (isoformat: "+00:00", not pydantic's "Z").
Timestamp = Annotated[datetime, PlainSerializer(datetime.isoformat, return_type=str),
                      WithJsonSchema({"type": "string", "format": "date-time"})]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ProductBody(_Body):
    name: str = Name
    product_set: int = Field(ge=FIRST_SET, le=LAST_SET,
                             description=f"one of the {LAST_SET} OCOP product sets; decides the scoring sheet")
    description: str = Field(default="", max_length=5000)
    sector: str | None = Field(default=None, max_length=200)
    group: str | None = Field(default=None, max_length=200)

    def command(self) -> cmd.ProductInput:
        return cmd.ProductInput(**self.model_dump())


class ProducerBody(_Body):
    producer_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    name: str = Name
    legal_form: LegalForm
    district_code: str = Field(pattern=r"^\d{3}$")
    commune_code: str = Field(pattern=r"^\d{5}$")
    business_registration_number: str | None = Field(default=None, max_length=64)


class RegistrationBody(_Body):
    producer_id: str = Field(min_length=1, max_length=64)
    cycle_year: CycleYear
    form: FormCode = Field(description="01: new product, 02: existing product")
    product: ProductBody


class StepBody(_Body):
    note: str | None = Note
    expected_version: int | None = Field(default=None, ge=1)


class ReturnBody(_Body):
    reasons: list[str] = Field(min_length=1, max_length=50)
    expected_version: int | None = Field(default=None, ge=1)


class ResubmissionBody(_Body):
    product: ProductBody
    note: str | None = Note
    expected_version: int | None = Field(default=None, ge=1)


class RejectionBody(_Body):
    reason: str = Field(min_length=1, max_length=2000)
    expected_version: int | None = Field(default=None, ge=1)


class DistrictListBody(_Body):
    cycle_year: CycleYear
    registration_ids: list[str] = Field(default_factory=list, max_length=1000)


# ------------------------------------------------------------------------------------------- responses

# One fact of a registration's life: the domain event as this version of the service reads it (older shapes upcast).
RegistrationFact = Union[tuple(Registration.event_types.values())]  # type: ignore[valid-type]  # noqa: UP007


class ProductView(BaseModel):
    name: str
    sector: str
    group: str
    product_set: int
    description: str


class EventActor(BaseModel):
    id: str
    role: str


class HistoryEntry(BaseModel):
    """One step of a registration's history: which fact, with its fields, who caused it and when it was recorded."""

    version: int
    event_type: str = Field(description="the fact's name, e.g. RegistrationReturned")
    data: RegistrationFact = Field(description="the fact's fields (RegistrationReturned: reasons; …)")
    actor: EventActor | None
    recorded_at: Timestamp


class RegistrationDetail(BaseModel):
    """A registration as the read model holds it, with its history."""

    registration_id: str
    product_id: str
    cycle_year: int
    form: str
    producer_id: str
    producer_name: str
    legal_form: str
    product: ProductView
    district_code: str
    commune_code: str
    status: Status
    return_reasons: list[str]
    rejection_reason: str | None
    list_id: str | None
    version: int
    submitted_at: Timestamp
    updated_at: Timestamp
    history: list[HistoryEntry]
