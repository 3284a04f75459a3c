"""Events of a support item of Circular 08/2019/TT-BTC (hỗ trợ chủ thể OCOP, plan items II.4.4, II.6.1, II.6.2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.finance.domain.values import Decision, LineRef, Payment
from shared.aggregate import DomainEvent


@dataclass(frozen=True)
class SupportProposed(DomainEvent):
    """A support item for a producer's product: plan item, what it pays for, the amount and the line it draws on."""

    plan_item: str
    purpose: str
    amount: int
    line: LineRef
    product_id: str
    producer_id: str
    proposed_by: str
    proposed_on: date


@dataclass(frozen=True)
class SupportApproved(DomainEvent):
    """The support was approved by ``decision``; its money is committed on its line."""

    decision: Decision
    approved_by: str
    approved_on: date


@dataclass(frozen=True)
class SupportPaid(DomainEvent):
    """Part or all of the approved support paid, with its voucher."""

    payment: Payment


@dataclass(frozen=True)
class SupportCancelled(DomainEvent):
    """The support will not be paid (further); what its line still holds for it is released."""

    reason: str
    cancelled_by: str
    cancelled_on: date
