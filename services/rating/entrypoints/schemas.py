"""Request bodies of the rating API (pydantic names the field and the rule of anything malformed: 422).

The answers' shapes are in ``views`` (councils, sessions, scorecards) and ``dossier_views`` (dossiers, certificates,
the rating history)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator

Id = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[\w.:-]+$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
DistrictCode = Annotated[str, StringConstraints(pattern=r"^\d{3}$")]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MemberBody(_Body):
    member_id: Id
    name: Text
    role: Literal["chair", "vice_chair", "member", "secretary"]
    organisation: Text


class CouncilBody(_Body):
    level: Literal["district", "provincial", "central"]
    district_code: DistrictCode | None = None
    name: Text
    members: list[MemberBody] = Field(min_length=1, max_length=60)


class WithdrawalBody(_Body):
    reason: LongText


def _unique(ids: list[str]) -> list[str]:
    seen = [i for n, i in enumerate(ids) if i in ids[:n]]
    if seen:
        raise ValueError(f"product {seen[0]!r} is listed twice")
    return ids


class ProductsBody(_Body):
    product_ids: list[Id] = Field(min_length=1, max_length=500)

    _unique_ids = field_validator("product_ids")(_unique)


class SessionBody(_Body):
    session_id: Id | None = None
    council_id: Id
    cycle_year: int = Field(ge=2018, le=2100)
    round: int = Field(ge=1, le=99, description="Số đợt (provincial round) or session number of the year")
    title: Text
    held_on: date
    product_ids: list[Id] = Field(default_factory=list, max_length=500)

    _unique_ids = field_validator("product_ids")(_unique)


class ScorecardBody(_Body):
    choices: dict[Annotated[str, StringConstraints(max_length=32)], int | str] = Field(
        min_length=1, max_length=200, description="criterion id → option id (or its points when unambiguous)")
    note: LongText | None = None


class FinaliseBody(_Body):
    finalised_on: date | None = None


class DecisionBody(_Body):
    number: Text
    date: date
    issued_by: Text


class InspectionDecisionBody(_Body):
    inspection_id: Id
    action: Literal["revoke", "re_rate", "warning"]
    reason: LongText
    decision: DecisionBody | None = None
    on: date | None = None


class RulingBody(_Body):
    """One product of a decision after inspection: the failed inspection it answers and why."""

    product_id: Id
    inspection_id: Id
    reason: LongText


class DecisionRecordBody(DecisionBody):
    """One decision (quyết định) of any kind: a recognition names the session whose results it approves; a
    revocation, re-rating order or warning names every product it covers (one call for the whole decision)."""

    kind: Literal["recognition", "revocation", "re_rating", "warning"]
    session_id: Id | None = Field(default=None, validate_default=True)
    products: list[RulingBody] = Field(default_factory=list, max_length=500, validate_default=True)

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
        _unique([p.product_id for p in value])
        return value


class ExpiryCheckBody(_Body):
    as_of: date | None = None
