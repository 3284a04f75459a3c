"""One line per fact of a product's money (lịch sử kinh phí của sản phẩm), in the domain's words, from the typed
event: what the money history answers. Also where each fact's amount, date and reference are read."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from services.finance.domain.events import rewards as rev
from services.finance.domain.events import support as sev
from services.finance.domain.money import format_vnd as vnd
from shared.aggregate import DomainEvent


def _by(decision: Any) -> str:
    return f" by decision {decision.number} of {decision.date}" if decision is not None else ""


def _recognition(r: Any) -> str:
    return f"{r.level} {r.stars}★ recognition, decision {r.decision.number} of {r.decision.date}"


def _approved(e: rev.ClaimApproved) -> str:
    who = f"by {e.approved_by}" if e.approved_by else "automatically"
    return (f"claim {e.claim_id} approved {who} on {e.approved_on}: {vnd(e.amount)} from {e.line.stream_id}"
            f"{_by(e.decision)}")


_LINES: dict[type[DomainEvent], Callable[[Any], str]] = {
    rev.ClaimOpened: lambda e: f"claim {e.claim_id} opened for the {_recognition(e.recognition)}: {vnd(e.amount)}"
                               f" ({e.rule}{', ' + ', '.join(e.flags) if e.flags else ''})",
    rev.RecognitionWithoutReward: lambda e: f"{_recognition(e.recognition)} earns nothing ({e.rule})",
    rev.ClaimAwaitsBudget: lambda e: f"claim {e.claim_id} waits for budget: {vnd(e.requested)} asked of "
                                     f"{e.line.stream_id}, {vnd(e.available)} available",
    rev.ClaimReserved: lambda e: f"claim {e.claim_id}: money held on {e.line.stream_id}",
    rev.ClaimApproved: _approved,
    rev.ClaimPaid: lambda e: f"claim {e.claim_id}: {vnd(e.payment.amount)} paid on {e.payment.paid_on}, voucher "
                             f"{e.payment.voucher}",
    rev.RecognitionWithdrawn: lambda e: f"recognition {e.withdrawal.status} (keeps {e.withdrawal.stars}★)"
                                        f"{_by(e.withdrawal.decision)}: {e.withdrawal.reason}",
    rev.ClaimPutOnHold: lambda e: f"claim {e.claim_id} on hold{_by(e.decision)}: {e.reason}",
    rev.HoldReleased: lambda e: f"claim {e.claim_id} released by {e.decided_by}{_by(e.decision)}: {e.reason}",
    rev.ClaimCancelled: lambda e: f"claim {e.claim_id} cancelled by {e.decided_by}{_by(e.decision)}: {e.reason}",
    rev.RecoveryOpened: lambda e: f"recovery {e.recovery_id} of {vnd(e.amount)} paid on claim {e.claim_id}"
                                  f"{_by(e.decision)}: {e.reason}",
    rev.RecoveryPaid: lambda e: f"recovery {e.recovery_id}: {vnd(e.payment.amount)} paid back on {e.payment.paid_on},"
                                f" voucher {e.payment.voucher}",
    rev.RecoveryWaived: lambda e: f"recovery {e.recovery_id} waived by {e.decided_by}{_by(e.decision)}: {e.reason}",
    sev.SupportProposed: lambda e: f"support ({e.plan_item}) proposed by {e.proposed_by}: {vnd(e.amount)} for "
                                   f"{e.purpose}",
    sev.SupportApproved: lambda e: f"support approved by {e.approved_by} on {e.approved_on}{_by(e.decision)}",
    sev.SupportPaid: lambda e: f"support: {vnd(e.payment.amount)} paid on {e.payment.paid_on}, voucher "
                               f"{e.payment.voucher}",
    sev.SupportCancelled: lambda e: f"support cancelled by {e.cancelled_by} on {e.cancelled_on}: {e.reason}",
}


def summary(event: DomainEvent) -> str:
    line = _LINES.get(type(event))
    return line(event) if line else event.event_type


def reference(event: DomainEvent) -> str | None:
    """The claim or recovery a fact is about."""
    return getattr(event, "claim_id", None) or getattr(event, "recovery_id", None)


def amount(event: DomainEvent) -> int | None:
    payment = getattr(event, "payment", None)
    if payment is not None:
        return payment.amount
    return getattr(event, "amount", None)


def on(event: DomainEvent) -> date | None:
    """The civil date the fact names, if any."""
    if (payment := getattr(event, "payment", None)) is not None:
        return payment.paid_on
    for name in ("approved_on", "proposed_on", "cancelled_on"):
        if (value := getattr(event, name, None)) is not None:
            return value
    carrier = getattr(event, "recognition", None) or getattr(event, "withdrawal", None) or event
    decision = getattr(carrier, "decision", None)
    return decision.date if decision is not None else None
