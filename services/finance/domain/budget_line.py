"""A budget line (mục chi) of a plan year paid from one funding source; stream id ``line:<year>:<line>:<source>``.

One aggregate per (plan year, line, source), because every reward or support is paid from one line of one source
(``RewardApproved`` names both) and the ceiling a claim must fit is that pair's approved amount. It guarantees

    reserved + committed + disbursed ≤ approved

per claim and in total: ``reserve`` refuses what does not fit with ``InsufficientFunds`` and records nothing; the
event store's (stream, version) check makes two writers that both saw the last money conflict, so exactly one
succeeds. A claim's money moves reserve → commit (on approval) → disburse (partials), or is released.

Each movement may carry the civil date it counts from (``on``), for budget execution as of a date; ``funded_on`` is
the date of the budget decision that last set the approved amount (allocation or amendment).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from services.finance.domain.errors import InsufficientFunds, NotAllowed, Unknown
from services.finance.domain.events import lines as ev
from services.finance.domain.money import format_vnd, vnd
from services.finance.domain.payments import check_payment
from services.finance.domain.values import LineRef, Payment, text
from shared.aggregate import Aggregate, DomainEvent


@dataclass(frozen=True)
class Holding:
    """What one claim holds on the line."""

    reserved: int = 0
    committed: int = 0
    disbursed: int = 0
    vouchers: tuple[str, ...] = ()


class BudgetLine(Aggregate):
    """Mục chi of the OCOP budget, under one funding source."""

    stream_type = "budget-line"
    event_types = {e.__name__: e for e in (ev.LineOpened, ev.LineAmountChanged, ev.MoneyReserved, ev.MoneyCommitted,
                                           ev.MoneyDisbursed, ev.MoneyReleased)}

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.ref: LineRef | None = None
        self.approved = self.reserved = self.committed = self.disbursed = 0
        self.holdings: dict[str, Holding] = {}
        self.funded_on: date | None = None

    # ------------------------------------------------------------------------------------------- commands

    @classmethod
    def open(cls, ref: LineRef, approved: int, *, budget_version: int, decision_number: str,
             on: date | None = None) -> BudgetLine:
        line = cls(ref.stream_id)
        line.record(ev.LineOpened(ref, vnd(approved, field="approved", zero=True), budget_version,
                                  text(decision_number, "decision.number"), on))
        return line

    def change_amount(self, approved: int, *, budget_version: int, decision_number: str,
                      on: date | None = None) -> None:
        """An amendment's new amount; refused below what the line already holds (``InsufficientFunds``)."""
        vnd(approved, field="approved", zero=True)
        if approved < self.used:
            raise InsufficientFunds(f"{self.id}: {format_vnd(approved)} is below the {format_vnd(self.used)} already "
                                    "reserved, committed or paid", field="amount", requested=self.used,
                                    available=approved)
        self.record(ev.LineAmountChanged(approved, budget_version, text(decision_number, "decision.number"), on))

    def reserve(self, claim_id: str, amount: int, on: date | None = None) -> None:
        """Hold ``amount`` for a claim; a repeat of the same reservation is a no-op, another while the claim still
        holds money is ``NotAllowed`` (after a release it may reserve again); money that does not fit is
        ``InsufficientFunds`` and nothing is recorded."""
        vnd(amount)
        held = self.holdings.get(claim_id, Holding())
        if held.reserved or held.committed:
            if held.reserved == amount and not held.committed:
                return
            raise NotAllowed(f"{claim_id} already holds money on {self.id}", field="claim_id")
        if amount > self.available:
            raise InsufficientFunds(f"{self.id}: {format_vnd(amount)} for {claim_id} does not fit: only "
                                    f"{format_vnd(self.available)} of {format_vnd(self.approved)} remain",
                                    requested=amount, available=self.available)
        self.record(ev.MoneyReserved(claim_id, amount, on))

    def commit(self, claim_id: str, on: date | None = None) -> int:
        """The claim was approved: its whole reservation becomes committed (a repeat is a no-op). Returns it."""
        held = self._holding(claim_id)
        if held.reserved:
            self.record(ev.MoneyCommitted(claim_id, held.reserved, on))
        elif not held.committed and not held.disbursed:
            raise NotAllowed(f"{claim_id} holds nothing on {self.id} to commit", field="claim_id")
        return self.holdings[claim_id].committed + self.holdings[claim_id].disbursed

    def disburse(self, claim_id: str, payment: Payment) -> None:
        """Pay part or all of the claim's commitment (never more, never a voucher twice on this line)."""
        held = self._holding(claim_id)
        vouchers = {v for h in self.holdings.values() for v in h.vouchers}
        check_payment(payment, permitted=held.committed + held.disbursed, paid=held.disbursed, vouchers=vouchers,
                      what=f"{claim_id} on {self.id}")
        self.record(ev.MoneyDisbursed(claim_id, payment))

    def release(self, claim_id: str, on: date | None = None) -> int:
        """Give back what the claim still holds unpaid (its reservation and commitment); returns the amount."""
        held = self._holding(claim_id)
        if held.reserved or held.committed:
            self.record(ev.MoneyReleased(claim_id, held.reserved, held.committed, on))
        return held.reserved + held.committed

    # ------------------------------------------------------------------------------------------- state

    def funded_by(self, day: date) -> date:
        """``day``, or the date of the budget decision that last funded the line when that is later: money held or
        approved automatically for a claim counts from no earlier than the day the money existed."""
        return max(day, self.funded_on) if self.funded_on is not None else day

    @property
    def used(self) -> int:
        return self.reserved + self.committed + self.disbursed

    @property
    def available(self) -> int:
        return self.approved - self.used

    def apply(self, event: DomainEvent) -> None:
        match event:
            case ev.LineOpened():
                self.ref, self.approved, self.funded_on = event.line, event.approved, event.on
            case ev.LineAmountChanged():
                self.approved, self.funded_on = event.approved, event.on or self.funded_on
            case ev.MoneyReserved(claim_id=claim, amount=amount):
                self.reserved += amount
                self.holdings[claim] = replace(self.holdings.get(claim, Holding()), reserved=amount)
            case ev.MoneyCommitted(claim_id=claim, amount=amount):
                self.reserved, self.committed = self.reserved - amount, self.committed + amount
                held = self.holdings[claim]
                self.holdings[claim] = replace(held, reserved=held.reserved - amount, committed=held.committed + amount)
            case ev.MoneyDisbursed(claim_id=claim, payment=payment):
                self.committed, self.disbursed = self.committed - payment.amount, self.disbursed + payment.amount
                held = self.holdings[claim]
                self.holdings[claim] = replace(held, committed=held.committed - payment.amount,
                                               disbursed=held.disbursed + payment.amount,
                                               vouchers=(*held.vouchers, payment.voucher))
            case ev.MoneyReleased(claim_id=claim):
                self.reserved, self.committed = self.reserved - event.reserved, self.committed - event.committed
                self.holdings[claim] = replace(self.holdings[claim], reserved=0, committed=0)

    def _holding(self, claim_id: str) -> Holding:
        if claim_id not in self.holdings:
            raise Unknown(f"{claim_id} holds no money on {self.id}", field="claim_id")
        return self.holdings[claim_id]
