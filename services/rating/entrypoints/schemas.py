"""Request bodies of the rating API (pydantic names the field and the rule of anything malformed: 422).

The answers' shapes are in ``views`` (councils, sessions, scorecards) and ``dossier_views`` (dossiers, certificates,
the rating history)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator

from services.rating.adapters.places import load_places
from shared.http.params import CivilDate, LongText, PlanYear, Text, one_of, reference_code, whole_number_between

# Not trimmed: the pattern is the whole rule, so an id the document refuses (" p-1") is refused here too.
Id = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[\w.:-]+$")]
#: The district codes of the service's reference data (Thanh Hóa, 2021), listed in the document.
DistrictCode = reference_code(load_places().districts, what="district code of Thanh Hóa")
#: The 26 product sets of Decisions 1048 and 781 (the catalogue's classification; a test holds them equal).
FIRST_SET, LAST_SET = 1, 26
ProductSetNumber = whole_number_between(FIRST_SET, LAST_SET)
#: Lists of products name each product once (the validator says which one is repeated).
UNIQUE = {"uniqueItems": True}


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MemberBody(_Body):
    member_id: Id
    name: Text
    role: Literal["chair", "vice_chair", "member", "secretary"]
    organisation: Text


class CouncilBody(_Body):
    """A district council names its district_code; provincial and central ones do not."""

    model_config = ConfigDict(json_schema_extra=one_of(
        {"required": ["district_code"], "properties": {"level": {"const": "district"},
                                                       "district_code": {"type": "string"}}},
        {"properties": {"level": {"enum": ["provincial", "central"]}, "district_code": {"type": "null"}}}))

    level: Literal["district", "provincial", "central"]
    district_code: DistrictCode | None = None
    name: Text
    members: list[MemberBody] = Field(min_length=1, max_length=60, json_schema_extra={
        "contains": {"properties": {"role": {"const": "chair"}}}, "minContains": 1, "maxContains": 1,
        "description": "exactly one chair; each member_id once"})


class WithdrawalBody(_Body):
    reason: LongText


def _unique(ids: list[str]) -> list[str]:
    seen = [i for n, i in enumerate(ids) if i in ids[:n]]
    if seen:
        raise ValueError(f"product {seen[0]!r} is listed twice")
    return ids


class ProductsBody(_Body):
    product_ids: list[Id] = Field(min_length=1, max_length=500, json_schema_extra=UNIQUE)

    _unique_ids = field_validator("product_ids")(_unique)


class SessionBody(_Body):
    session_id: Id | None = None
    council_id: Id
    cycle_year: PlanYear
    round: whole_number_between(1, 99, "Số đợt (provincial round) or session number of the year")  # type: ignore[valid-type]
    title: Text
    held_on: CivilDate
    product_ids: list[Id] = Field(default_factory=list, max_length=500, json_schema_extra=UNIQUE)

    _unique_ids = field_validator("product_ids")(_unique)


#: A criterion id of a sheet (``A1.1``). pydantic documents a key's pattern as ``patternProperties``, which lets other
#: keys through; ``propertyNames`` says what every key must be.
CRITERION_ID = r"^[A-Za-z0-9_.-]+$"
CriterionId = Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=CRITERION_ID)]


class ScorecardBody(_Body):
    choices: dict[CriterionId, int | str] = Field(
        min_length=1, max_length=200, description="criterion id → option id (or its points when unambiguous)",
        json_schema_extra={"propertyNames": {"pattern": CRITERION_ID, "maxLength": 32}})
    note: LongText | None = None


class FinaliseBody(_Body):
    finalised_on: CivilDate | None = None


class DecisionBody(_Body):
    number: Text
    date: CivilDate
    issued_by: Text


class InspectionDecisionBody(_Body):
    inspection_id: Id
    action: Literal["revoke", "re_rate", "warning"]
    reason: LongText
    decision: DecisionBody | None = None
    on: CivilDate | None = None


class RulingBody(_Body):
    """One product of a decision after inspection: the failed inspection it answers and why."""

    product_id: Id
    inspection_id: Id
    reason: LongText


class DecisionRecordBody(DecisionBody):
    """One decision (quyết định) of any kind: a recognition names the session whose results it approves; a
    revocation, re-rating order or warning names every product it covers (one call for the whole decision)."""

    model_config = ConfigDict(json_schema_extra=one_of(
        {"required": ["session_id"], "properties": {"kind": {"const": "recognition"}, "session_id": {"type": "string"},
                                                    "products": {"maxItems": 0}}},
        {"required": ["products"], "properties": {"kind": {"enum": ["revocation", "re_rating", "warning"]},
                                                  "session_id": {"type": "null"}, "products": {"minItems": 1}}}))

    kind: Literal["recognition", "revocation", "re_rating", "warning"]
    session_id: Id | None = Field(default=None, validate_default=True)
    products: list[RulingBody] = Field(default_factory=list, max_length=500, validate_default=True,
                                       json_schema_extra={**UNIQUE, "description": "each product once"})

    @field_validator("session_id")
    @classmethod
    def _session_for_recognitions(cls, value: str | None, info: ValidationInfo) -> str | None:
        if (info.data.get("kind") == "recognition") != (value is not None):
            raise ValueError("a recognition names the session it approves; the other kinds name none")
        return value

    @field_validator("products")
    @classmethod
    def _products_for_the_rest(cls, value: list[RulingBody], info: ValidationInfo) -> list[RulingBody]:
        if (info.data.get("kind") == "recognition") == bool(value):
            raise ValueError("a revocation, re-rating order or warning names its products; a recognition covers its "
                             "session's")
        return value  # each product once: the domain's rule (409 duplicate), which the document cannot state


class ExpiryCheckBody(_Body):
    as_of: CivilDate | None = None
