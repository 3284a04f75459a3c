"""Request and response bodies of the registration API; pydantic names the field and the rule of any bad input.

Bounds and choices come from the domain (legal forms, forms, cycle years, product sets, statuses), so the API and
the domain cannot disagree.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, StringConstraints, WithJsonSchema

from services.registration.adapters.reference import load_geography
from services.registration.domain import commands as cmd
from services.registration.domain.catalogue import FIRST_SET, LAST_SET, PRODUCT_SETS
from services.registration.domain.lifecycle import STATUSES
from services.registration.domain.producer import LEGAL_FORMS
from services.registration.domain.product_file import ProductFile
from services.registration.domain.identity import EXISTING_PRODUCT, NEW_PRODUCT
from services.registration.domain.registration import FIRST_CYCLE, FORMS, LAST_CYCLE, Registration
from services.registration.domain.values import ProductReference
from shared.http.errors import ErrorBody
from shared.http.params import LongText, one_of, reference_code, text, whole_number_between


#: The service's reference data (Thanh Hóa, 2021): the document lists its codes, and which commune is in which district.
GEOGRAPHY = load_geography()
DistrictCode = reference_code(GEOGRAPHY.districts, what="district code (GET /reference/districts)")
CommuneCode = reference_code((c for d in GEOGRAPHY.districts.values() for c in d.communes),
                             what="commune code (GET /reference/districts/{district_code}/communes)")
Name = text(200)
ProducerId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]
Note = Field(default=None, max_length=2000)
CycleYear = whole_number_between(FIRST_CYCLE, LAST_CYCLE)
# A bound well inside 64 bits: a generator comparing as floats (2**63 - 1 reads as 2**63) stays below the edge's limit.
Version = whole_number_between(1, 2**31 - 1, "the version the caller last read: 409 if another change came first")
LegalForm = Literal[LEGAL_FORMS]  # type: ignore[valid-type]
FormCode = Literal[tuple(FORMS)]  # type: ignore[misc]
Status = Literal[STATUSES]  # type: ignore[valid-type]
# As the API wrote timestamps before it had response models (isoformat: "+00:00", not pydantic's "Z").
Timestamp = Annotated[datetime, PlainSerializer(datetime.isoformat, return_type=str),
                      WithJsonSchema({"type": "string", "format": "date-time"})]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ProductBody(_Body):
    """The set decides the sector and group: given, they must be the set's (one branch of ``oneOf`` per set)."""

    model_config = ConfigDict(json_schema_extra=one_of(*(
        {"properties": {"product_set": {"const": n}, "sector": {"enum": [p.sector, None]},
                        "group": {"enum": [p.group, None]}}} for n, p in PRODUCT_SETS.items())))

    name: Name
    product_set: whole_number_between(FIRST_SET, LAST_SET,  # type: ignore[valid-type]
                                      f"one of the {LAST_SET} OCOP product sets; decides the scoring sheet")
    description: str = Field(default="", max_length=5000)
    sector: str | None = Field(default=None, max_length=200)
    group: str | None = Field(default=None, max_length=200)

    def command(self) -> cmd.ProductInput:
        return cmd.ProductInput(**self.model_dump())


class ProducerBody(_Body):
    """The commune is one of the district's (one branch of ``oneOf`` per district)."""

    model_config = ConfigDict(json_schema_extra=one_of(*(
        {"properties": {"district_code": {"const": code}, "commune_code": {"enum": sorted(district.communes)}}}
        for code, district in sorted(GEOGRAPHY.districts.items()))))

    producer_id: ProducerId
    name: Name
    legal_form: LegalForm
    district_code: DistrictCode
    commune_code: CommuneCode
    business_registration_number: str | None = Field(default=None, max_length=64)


class ExistingProductBody(_Body):
    """Form 02: the product registered again, by its id or by the number of a certificate it held (one of the two)."""

    model_config = ConfigDict(json_schema_extra=one_of(
        {"required": ["product_id"], "properties": {"product_id": {"type": "string"}, "certificate_number": {"type": "null"}}},
        {"required": ["certificate_number"], "properties": {"certificate_number": {"type": "string"},
                                                            "product_id": {"type": "null"}}}))

    product_id: text(100) | None = None  # type: ignore[valid-type]
    certificate_number: text(100) | None = None  # type: ignore[valid-type]

    def reference(self) -> ProductReference:
        return ProductReference(self.product_id, self.certificate_number)


class RegistrationBody(_Body):
    """Form 02 names the product it registers again (``existing_product``); form 01 names none."""

    model_config = ConfigDict(json_schema_extra=one_of(
        {"properties": {"form": {"const": NEW_PRODUCT}, "existing_product": {"type": "null"}}},
        {"required": ["existing_product"], "properties": {"form": {"const": EXISTING_PRODUCT},
                                                          "existing_product": {"type": "object"}}}))

    producer_id: ProducerId
    cycle_year: CycleYear
    form: FormCode = Field(description="01: new product, 02: existing product (registered here before)")
    product: ProductBody = Field(description="the product as this form registers it; under form 02 a new name is a"
                                 " rename: the product keeps its product_id")
    existing_product: ExistingProductBody | None = Field(
        default=None, description="form 02 only (and required there): the product registered again")

    def command(self) -> cmd.SubmitRegistration:
        reference = self.existing_product.reference() if self.existing_product else None
        return cmd.SubmitRegistration(self.producer_id, self.cycle_year, self.form, self.product.command(), reference)


class StepBody(_Body):
    note: str | None = Note
    expected_version: Version | None = None  # type: ignore[valid-type]


class ReturnBody(_Body):
    reasons: list[LongText] = Field(min_length=1, max_length=50)
    expected_version: Version | None = None  # type: ignore[valid-type]


class ResubmissionBody(_Body):
    product: ProductBody
    note: str | None = Note
    expected_version: Version | None = None  # type: ignore[valid-type]


class RejectionBody(_Body):
    reason: LongText
    expected_version: Version | None = None  # type: ignore[valid-type]


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


class _Fact(BaseModel):
    version: int
    event_type: str = Field(description="the fact's name, e.g. RegistrationReturned")
    actor: EventActor | None
    recorded_at: Timestamp


class HistoryEntry(_Fact):
    """One step of a registration's history: which fact, with its fields, who caused it and when it was recorded."""

    data: RegistrationFact = Field(description="the fact's fields (RegistrationReturned: reasons; …)")


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


# One fact of a product's file: a form that entered it, a rename, a rating, a failed inspection.
ProductFact = Union[tuple(ProductFile.event_types.values())]  # type: ignore[valid-type]  # noqa: UP007


class ProductFactEntry(_Fact):
    """One fact of a product's history, with who caused it and when it was recorded."""

    data: ProductFact = Field(description="the fact's fields (ProductRenamed: old_name, new_name, cycle_year,"
                                          " registration_id; RatingRecorded: stars, certificate, decision; …)")


class ProductRegistrationView(BaseModel):
    """One registration of a product: its cycle, its form, the name it used and where it stands."""

    registration_id: str
    cycle_year: int
    form: str
    name: str
    status: Status


class ProductHistory(BaseModel):
    """A product across cycles, whatever its names: the same product_id from its first form to its latest."""

    product_id: str
    producer_id: str | None = Field(description="null only for a product rating reported but nobody registered here")
    name: str | None = Field(description="the name of its latest registration")
    former_names: list[str] = Field(description="names it was registered under before, oldest first")
    registrations: list[ProductRegistrationView]
    history: list[ProductFactEntry]


# The refusals of POST /registrations, documented with their codes and fields (the rules are in domain/identity.py).
SUBMIT_REFUSALS: dict[int | str, dict[str, object]] = {
    404: {"model": ErrorBody, "description":
          "`not_found`: no such producer. `unknown_product` (field `existing_product.product_id` or"
          " `existing_product.certificate_number`): form 02 names a product id, or a certificate number, that no"
          " product registered here has."},
    409: {"model": ErrorBody, "description":
          "`duplicate_registration`: the producer already registered a product of this name (folded: case, accents"
          " and spacing aside) in the cycle (field `product.name`), or the product form 02 names is already"
          " registered in the cycle (field `existing_product.…`). `product_of_another_producer` (field"
          " `existing_product.…`): form 02 names another producer's product. `not_a_new_product` (field `form`):"
          " form 01 under the name a product of the producer was last registered under; it comes back with form 02."
          " `does_not_fit` (field `cycle_year`): form 02 for a cycle before the product's last registration."
          " `conflict`: another writer got there first."},
    422: {"model": ErrorBody, "description":
          "Invalid input, naming the field and the rule; among them (`invalid_input`, field `existing_product`):"
          " form 02 without `existing_product`, form 01 with one, or both or neither of `product_id` and"
          " `certificate_number` (the document states these rules as `oneOf`)."},
}
