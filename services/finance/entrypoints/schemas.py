"""Request bodies of the finance API (pydantic names the field and the rule of anything malformed: 422).

Amounts are whole đồng as JSON Schema's ``integer`` means it (``7`` or ``7.0``; a fraction, a bool or a string is
refused, so is a negative amount), dates civil dates written YYYY-MM-DD (shared/http/params.py); the domain checks the
rest (unknown funding sources, what fits a line, what may be paid) and names the field too.
"""

from __future__ import annotations

from itertools import combinations
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.finance.domain.support import PLAN_ITEMS, SUPPORT_LINES
from services.finance.domain.values import BUDGET_LINES, FUNDING_KINDS, REWARDED_STARS
from shared.http.params import CivilDate, LongText, PlanYear, Text, Vnd, VndOrZero, one_of

Id = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[\w.:-]+$")]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40, pattern=r"^[\w.-]+$")]
Line = Literal[tuple(BUDGET_LINES)]  # type: ignore[valid-type]
SupportLine = Literal[SUPPORT_LINES]  # type: ignore[valid-type]
FundingKind = Literal[tuple(FUNDING_KINDS)]  # type: ignore[valid-type]
PlanItem = Literal[tuple(PLAN_ITEMS)]  # type: ignore[valid-type]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DecisionBody(_Body):
    """Quyết định: number, civil date, issuing body."""

    number: Text
    date: CivilDate
    issued_by: Text


class SignedDecisionBody(DecisionBody):
    """A decision of the provincial People's Committee, with the person who signed it (người ký)."""

    signer: Text


class SourceBody(_Body):
    code: Code
    name: Text
    kind: FundingKind


class AllotmentBody(_Body):
    line: Line
    source: Code
    amount: VndOrZero


class ChangeBody(AllotmentBody):
    reason: LongText


class BudgetBody(_Body):
    plan_year: PlanYear
    sources: list[SourceBody] = Field(min_length=1, max_length=20)
    allotments: list[AllotmentBody] = Field(max_length=200)
    on: CivilDate | None = Field(default=None, description="the day of the estimate (default today)")


class AppraisalBody(_Body):
    changes: list[ChangeBody] = Field(default_factory=list, max_length=200,
                                      description="the appraisal's changes, each with its reason; none = agreed")
    on: CivilDate | None = None


class BudgetDecisionBody(_Body):
    decision: SignedDecisionBody


class OnBody(_Body):
    on: CivilDate | None = None


class AmendmentBody(_Body):
    changes: list[ChangeBody] = Field(min_length=1, max_length=200)
    new_sources: list[SourceBody] = Field(default_factory=list, max_length=20)
    on: CivilDate | None = None


class RejectionBody(_Body):
    reason: LongText
    on: CivilDate | None = None


class ClaimApprovalBody(_Body):
    decision: DecisionBody
    on: CivilDate | None = Field(default=None, description="the approval's day (default today)")
    budget_line: Line | None = Field(default=None, description="for a waiting claim: pay from this line instead")
    funding_source: Code | None = Field(default=None, description="for a waiting claim: pay from this source instead")


class PaymentBody(_Body):
    amount: Vnd
    voucher: Text
    paid_on: CivilDate


class DecidedBody(_Body):
    """An officer's decision on a hold or a recovery, and why."""

    decision: DecisionBody
    reason: LongText


class SupportBody(_Body):
    item_id: Id | None = None
    plan_item: PlanItem
    purpose: LongText
    amount: Vnd
    plan_year: PlanYear
    budget_line: SupportLine = Field(description="any line but rewards (reward claims pay those)")
    funding_source: Code
    product_id: Id
    producer_id: Id
    on: CivilDate | None = None


class SupportApprovalBody(_Body):
    decision: DecisionBody
    on: CivilDate | None = None


Star = Literal[3, 4, 5]


class StarAmountsBody(_Body):
    """Star (``"3"``, ``"4"``, ``"5"``) → amount; a star not here is listed in ``no_reward``."""

    three: Vnd | None = Field(default=None, alias="3")
    four: Vnd | None = Field(default=None, alias="4")
    five: Vnd | None = Field(default=None, alias="5")


class _UpgradeBody(_Body):
    amount: Vnd


class UpgradeFrom3(_UpgradeBody):
    """A fixed sum for an upgrade to a higher star (the policy's ``fixed_amount``)."""

    from_: Literal[3] = Field(alias="from")
    to: Literal[4, 5]


class UpgradeFrom4(_UpgradeBody):
    from_: Literal[4] = Field(alias="from")
    to: Literal[5]


#: An upgrade goes to a higher star: 3 → 4, 3 → 5 or 4 → 5 (each pair once, which the domain checks).
UpgradeBody = Annotated[Union[UpgradeFrom3, UpgradeFrom4], Field(discriminator="from_")]


def _priced_exactly(priced: tuple[int, ...]) -> dict[str, Any]:
    """The branch of an entry whose ``stars`` price exactly ``priced`` and whose ``no_reward`` lists the others."""
    others = [star for star in REWARDED_STARS if star not in priced]
    return {"properties": {
        "stars": {"required": [str(star) for star in priced],
                  "properties": {str(star): {"type": "integer" if star in priced else "null"}
                                 for star in REWARDED_STARS}},
        "no_reward": {"items": {"enum": others}, "minItems": len(others), "maxItems": len(others)}},
        **({"required": ["no_reward"]} if others else {})}


def _once(source: int, target: int) -> dict[str, Any]:
    """An upgrade pair listed at most once."""
    return {"contains": {"properties": {"from": {"const": source}, "to": {"const": target}}},
            "minContains": 0, "maxContains": 1}


#: Every star is priced or listed in ``no_reward``, never both: one branch per set of priced stars.
_STARS_OR_NO_REWARD = one_of(*(_priced_exactly(priced) for size in range(len(REWARDED_STARS) + 1)
                               for priced in combinations(REWARDED_STARS, size)))


class TariffEntryBody(_Body):
    model_config = ConfigDict(json_schema_extra=_STARS_OR_NO_REWARD)

    plan_year: PlanYear
    valid_from: CivilDate
    valid_until: CivilDate | None = Field(default=None, description="inclusive; null = until replaced")
    basis: LongText | None = Field(default=None, description="the document that sets these amounts")
    stars: StarAmountsBody
    no_reward: list[Star] = Field(default_factory=list, max_length=3, json_schema_extra={"uniqueItems": True})
    upgrades: list[UpgradeBody] = Field(default_factory=list, max_length=3, json_schema_extra={
        "allOf": [_once(3, 4), _once(3, 5), _once(4, 5)]})


class TariffTableBody(_Body):
    """A reward tariff table, format services/finance/tariffs/README.md. What no schema can say, as it compares
    values (an entry's period in order, periods that do not overlap), the domain checks, naming the entry (409)."""

    format: Literal["ocop-reward-tariffs/1"]
    province: Text
    title: LongText | None = None
    tariffs: list[TariffEntryBody] = Field(min_length=1, max_length=100)

    def table(self) -> dict[str, Any]:
        """The table as parsed JSON, for the domain's check (absent keys stay absent)."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)
