"""Events of a budget line (mục chi × nguồn kinh phí): its approved amount and the money held, spent or released.

``on`` is the civil date the movement counts from in budget execution "as of" a date (the allocation or amendment
decision, the approval of the claim); None in events stored before it was recorded (then the day of recording).
A disbursement is dated by its payment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.finance.domain.values import LineRef, Payment
from shared.aggregate import DomainEvent


@dataclass(frozen=True)
class LineOpened(DomainEvent):
    """The line's approved amount, from the allocated budget (version ``budget_version``, decision number)."""

    line: LineRef
    approved: int
    budget_version: int
    decision_number: str
    on: date | None = None


@dataclass(frozen=True)
class LineAmountChanged(DomainEvent):
    """An approved amendment set a new approved amount for the line."""

    approved: int
    budget_version: int
    decision_number: str
    on: date | None = None


@dataclass(frozen=True)
class MoneyReserved(DomainEvent):
    """Money held for a claim (a reward claim or a support item) until it is approved or released."""

    claim_id: str
    amount: int
    on: date | None = None


@dataclass(frozen=True)
class MoneyCommitted(DomainEvent):
    """The claim was approved: its reservation became a commitment (cam kết chi)."""

    claim_id: str
    amount: int
    on: date | None = None


@dataclass(frozen=True)
class MoneyDisbursed(DomainEvent):
    """Part or all of a claim's commitment was paid (giải ngân), with its voucher."""

    claim_id: str
    payment: Payment


@dataclass(frozen=True)
class MoneyReleased(DomainEvent):
    """What the claim still held on the line went back to it: its reservation and its unpaid commitment."""

    claim_id: str
    reserved: int
    committed: int
    on: date | None = None
