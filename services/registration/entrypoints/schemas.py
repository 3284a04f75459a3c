"""Request bodies of the registration API; pydantic names the field and the rule of any bad input."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.registration.domain import commands as cmd

Name = Field(min_length=1, max_length=200)
Note = Field(default=None, max_length=2000)


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ProductBody(_Body):
    name: str = Name
    product_set: int = Field(ge=1, le=26, description="one of the 26 OCOP product sets; decides the scoring sheet")
    description: str = Field(default="", max_length=5000)
    sector: str | None = Field(default=None, max_length=200)
    group: str | None = Field(default=None, max_length=200)

    def command(self) -> cmd.ProductInput:
        return cmd.ProductInput(**self.model_dump())


class ProducerBody(_Body):
    producer_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    name: str = Name
    legal_form: Literal["enterprise", "cooperative", "cooperative_group", "household"]
    district_code: str = Field(pattern=r"^\d{3}$")
    commune_code: str = Field(pattern=r"^\d{5}$")
    business_registration_number: str | None = Field(default=None, max_length=64)


class RegistrationBody(_Body):
    producer_id: str = Field(min_length=1, max_length=64)
    cycle_year: int = Field(ge=2018, le=2100)
    form: Literal["01", "02"] = Field(description="01: new product, 02: existing product")
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
    cycle_year: int = Field(ge=2018, le=2100)
    registration_ids: list[str] = Field(default_factory=list, max_length=1000)
