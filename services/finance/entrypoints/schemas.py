"""Request bodies of the finance API (pydantic names the field and the rule of anything malformed: 422).

Amounts are strict integers of đồng: a bool, a float (even 1e7) or a string is refused, so is a negative amount; the
domain checks the rest (unknown funding sources, what fits a line, what may be paid) and names the field too.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.finance.domain.support import PLAN_ITEMS
from services.finance.domain.values import BUDGET_LINES, FUNDING_KINDS

Id = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[\w.:-]+$")]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40, pattern=r"^[\w.-]+$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Vnd = Annotated[int, Field(strict=True, gt=0, description="whole đồng, more than 0")]
VndOrZero = Annotated[int, Field(strict=True, ge=0, description="whole đồng; 0 strikes the line out")]
Year = Annotated[int, Field(strict=True, ge=2018, le=2100)]
Line = Literal[tuple(BUDGET_LINES)]  # type: ignore[valid-type]
FundingKind = Literal[tuple(FUNDING_KINDS)]  # type: ignore[valid-type]
PlanItem = Literal[tuple(PLAN_ITEMS)]  # type: ignore[valid-type]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DecisionBody(_Body):
    """Quyết định: number, civil date, issuing body."""

    number: Text
    date: date
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
    plan_year: Year
    sources: list[SourceBody] = Field(min_length=1, max_length=20)
    allotments: list[AllotmentBody] = Field(max_length=200)
    on: date | None = Field(default=None, description="the day of the estimate (default today)")


class AppraisalBody(_Body):
    changes: list[ChangeBody] = Field(default_factory=list, max_length=200,
                                      description="the appraisal's changes, each with its reason; none = agreed")
    on: date | None = None


class BudgetDecisionBody(_Body):
    decision: SignedDecisionBody


class OnBody(_Body):
    on: date | None = None


class AmendmentBody(_Body):
    changes: list[ChangeBody] = Field(min_length=1, max_length=200)
    new_sources: list[SourceBody] = Field(default_factory=list, max_length=20)
    on: date | None = None


class RejectionBody(_Body):
    reason: LongText
    on: date | None = None


class ClaimApprovalBody(_Body):
    decision: DecisionBody
    on: date | None = Field(default=None, description="the approval's day (default today)")
    budget_line: Line | None = Field(default=None, description="for a waiting claim: pay from this line instead")
    funding_source: Code | None = Field(default=None, description="for a waiting claim: pay from this source instead")


class PaymentBody(_Body):
    amount: Vnd
    voucher: Text
    paid_on: date


class DecidedBody(_Body):
    """An officer's decision on a hold or a recovery, and why."""

    decision: DecisionBody
    reason: LongText


class SupportBody(_Body):
    item_id: Id | None = None
    plan_item: PlanItem
    purpose: LongText
    amount: Vnd
    plan_year: Year
    budget_line: Line
    funding_source: Code
    product_id: Id
    producer_id: Id
    on: date | None = None


class SupportApprovalBody(_Body):
    decision: DecisionBody
    on: date | None = None


TariffTableBody = dict[str, Any]
