"""The documented shapes of finance's queries and reports: rows of the read models, field by field."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field


class BudgetRow(BaseModel):
    plan_year: int
    status: str
    version: int
    sources: list[dict[str, str]]
    drafted_by: str
    drafted_on: date
    appraised_by: str | None
    appraised_on: date | None
    decision: dict[str, Any] | None
    allocated_by: str | None
    allocated_on: date | None
    pending_amendment: int | None
    updated_at: datetime


class ExecutionRow(BaseModel):
    """Thực hiện dự toán of one line and source (or a total): đồng as of the report's day."""

    line: str | None = None
    source: str | None = None
    estimated: int = Field(description="the estimate as drafted and appraised")
    approved: int = Field(description="as approved by the People's Committee and its amendments")
    reserved: int = Field(description="held for claims not approved yet")
    committed: int = Field(description="approved, not paid yet")
    disbursed: int = Field(description="paid")
    remaining: int = Field(description="approved − reserved − committed − disbursed")


class Execution(BaseModel):
    plan_year: int
    as_of: date
    lines: list[ExecutionRow]
    sources: list[ExecutionRow]
    total: ExecutionRow


class ClaimRow(BaseModel):
    """A reward claim as the read model keeps it, with the product's name and district (from registration)."""

    claim_id: str
    product_id: str
    product_name: str | None
    producer_name: str | None
    district_code: str = Field(description="'' when finance has not heard the product registered")
    evaluation_id: str
    level: str
    stars: int
    cycle_year: int
    certificate_number: str | None
    decision_number: str
    decision_date: date
    decision_issued_by: str
    amount: int
    rule: str
    flags: list[str]
    tariff: dict[str, Any]
    plan_year: int
    line: str
    source: str
    status: str
    requested: int | None
    available: int | None
    approval_decision: dict[str, Any] | None
    approved_on: date | None
    approved_by: str | None
    paid: int
    recovered: int
    held_from: str | None
    hold_reason: str | None
    hold_decision: dict[str, Any] | None
    hold_outcome: dict[str, Any] | None
    opened_at: datetime
    updated_at: datetime


class ClaimPage(BaseModel):
    total: int
    items: list[ClaimRow]


class RewardTotal(BaseModel):
    """The money of one group of claims (a district, a star, a decision, a line)."""

    key: str
    claims: int
    claimed: int = Field(description="amounts of the claims not cancelled")
    approved: int = Field(description="amounts approved (not cancelled)")
    paid: int
    waiting: int = Field(description="amounts waiting for budget")
    on_hold: int = Field(description="unpaid amounts on hold")
    recovered: int = Field(description="paid back")


class RewardTotals(BaseModel):
    by: str
    plan_year: int | None
    district_code: str | None = None
    groups: list[RewardTotal]


class RoundReward(BaseModel):
    product_id: str
    product_name: str | None
    producer_name: str | None
    district_code: str
    level: str
    stars: int
    cycle_year: int
    claim_id: str | None = Field(description="None when the recognition earned nothing (see rule)")
    amount: int
    rule: str
    flags: list[str]
    status: str | None
    paid: int
    plan_year: int | None
    line: str | None
    source: str | None


class RoundRewards(BaseModel):
    """Khen thưởng of one round (đợt), as its recognition decision names it."""

    decision_number: str
    decision_date: date
    issued_by: str
    level: str
    rewards: list[RoundReward]


class RecoveryRow(BaseModel):
    recovery_id: str
    claim_id: str
    product_id: str
    product_name: str | None = None
    producer_name: str | None = None
    district_code: str = Field(description="its claim's district ('' when finance never heard the product)")
    amount: int
    recovered: int
    status: str
    reason: str
    decision: dict[str, Any] | None
    waiver: dict[str, Any] | None
    opened_at: datetime
    updated_at: datetime


class HoldsAndRecoveries(BaseModel):
    holds: list[ClaimRow]
    recoveries: list[RecoveryRow]


class SupportRow(BaseModel):
    item_id: str
    plan_item: str
    purpose: str
    amount: int
    plan_year: int
    line: str
    source: str
    product_id: str
    producer_id: str
    status: str
    paid: int
    proposed_by: str
    proposed_on: date
    decision: dict[str, Any] | None
    approved_by: str | None
    approved_on: date | None
    cancel_reason: str | None
    cancelled_on: date | None
    updated_at: datetime


class SupportPage(BaseModel):
    total: int
    items: list[SupportRow]


class ProductRow(BaseModel):
    product_id: str
    product_name: str
    producer_id: str
    producer_name: str
    district_code: str
    commune_code: str
    cycle_year: int
    registration_id: str


class MoneyFact(BaseModel):
    event_type: str
    reference: str | None
    amount: int | None
    on_date: date | None
    summary: str
    actor: dict[str, Any] | None
    recorded_at: datetime


class ProductMoney(BaseModel):
    """Lịch sử kinh phí of a product: its claims, recoveries, support items and every fact, in order."""

    product_id: str
    product: ProductRow | None
    claims: list[ClaimRow]
    recoveries: list[RecoveryRow]
    support_items: list[SupportRow]
    history: list[MoneyFact]
    totals: RewardTotal = Field(description="its claims counted as /rewards/totals counts them (key: the product)")


class Difference(BaseModel):
    what: str
    key: str
    field: str
    from_events: Any
    found: Any


class RewardReconciliation(BaseModel):
    plan_year: int
    line: str
    source: str
    approved_claims: int
    approved_vnd: int
    paid_vnd: int
    published_events: int
    published_vnd: int
    pending_events: int


class Reconciliation(BaseModel):
    """Đối soát: totals recomputed from the events against the read models and the published RewardApproved."""

    events: int
    outbox_since: datetime = Field(description="approvals before this may have had their published row pruned")
    rewards: list[RewardReconciliation]
    differences: list[Difference] = Field(description="empty when all is well")
