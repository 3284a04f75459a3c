"""A support item of Circular 08/2019/TT-BTC (OCOP-RULES §9.2) for a producer's product; stream id ``support:<id>``.

    proposed ─approve (money reserved and committed on its line in the same unit)→ approved ─pay→ partly_paid → paid
    proposed | approved | partly_paid ─cancel→ cancelled (the line releases what it still holds)

Plan items (Kế hoạch 75/KH-UBND): II.4.4 support for provincially starred products, II.6.1 products with 4★
potential, II.6.2 provincial 3★ products upgrading to 4★. Rewards are not support: they are ``ProductRewards``
claims, so the rewards line is refused here.
"""

from __future__ import annotations

from datetime import date

from services.finance.domain.errors import FinanceError, NotAllowed, OutOfOrder
from services.finance.domain.events import support as ev
from services.finance.domain.money import vnd
from services.finance.domain.payments import check_payment
from services.finance.domain.values import BUDGET_LINES, Decision, LineRef, Payment, text
from shared.aggregate import Aggregate, DomainEvent

PLAN_ITEMS = {
    "II.4.4": "Hỗ trợ sản phẩm được công nhận sao cấp tỉnh và đề nghị công nhận cấp trung ương",
    "II.6.1": "Hỗ trợ sản phẩm có tiềm năng đạt 4 sao",
    "II.6.2": "Hỗ trợ sản phẩm 3 sao cấp tỉnh nâng cấp lên 4 sao",
}
#: The lines a support item is paid from: every budget line but rewards, which reward claims pay.
SUPPORT_LINES = tuple(line for line in BUDGET_LINES if line != "rewards")


def support_id(item_id: str) -> str:
    return f"support:{item_id}"


class SupportItem(Aggregate):
    """Khoản hỗ trợ theo Thông tư 08/2019/TT-BTC."""

    stream_type = "support-item"
    event_types = {e.__name__: e for e in (ev.SupportProposed, ev.SupportApproved, ev.SupportPaid, ev.SupportCancelled)}

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.proposal: ev.SupportProposed | None = None
        self.status = "new"
        self.approved_on: date | None = None
        self.paid = 0
        self.vouchers: tuple[str, ...] = ()

    @classmethod
    def propose(cls, item_id: str, *, plan_item: str, purpose: str, amount: int, line: LineRef, product_id: str,
                producer_id: str, proposed_by: str, on: date) -> SupportItem:
        if plan_item not in PLAN_ITEMS:
            raise FinanceError(f"plan_item must be one of {', '.join(PLAN_ITEMS)}, not {plan_item!r}",
                               field="plan_item")
        if line.line not in SUPPORT_LINES:
            raise FinanceError("rewards are paid through reward claims, not support items", field="budget_line")
        item = cls(support_id(item_id))
        item.record(ev.SupportProposed(plan_item, text(purpose, "purpose"), vnd(amount), line,
                                       text(product_id, "product_id"), text(producer_id, "producer_id"),
                                       text(proposed_by, "proposed_by"), on))
        return item

    @property
    def amount(self) -> int:
        assert self.proposal is not None
        return self.proposal.amount

    @property
    def line(self) -> LineRef:
        assert self.proposal is not None
        return self.proposal.line

    def approve(self, decision: Decision, *, approved_by: str, on: date) -> None:
        """Approve; the application reserves and commits ``amount`` on ``line`` in the same unit (or is refused)."""
        self._in(("proposed",), "approve")
        assert self.proposal is not None
        if on < self.proposal.proposed_on or on < decision.date:
            raise OutOfOrder(f"approved on {on}, before its proposal or decision", field="on")
        self.record(ev.SupportApproved(decision, text(approved_by, "approved_by"), on))

    def record_payment(self, payment: Payment) -> None:
        self._in(("approved", "partly_paid"), "pay")
        check_payment(payment, permitted=self.amount, paid=self.paid, vouchers=self.vouchers, what=self.id,
                      not_before=self.approved_on)
        self.record(ev.SupportPaid(payment))

    def cancel(self, *, reason: str, cancelled_by: str, on: date) -> None:
        self._in(("proposed", "approved", "partly_paid"), "cancel")
        self.record(ev.SupportCancelled(text(reason, "reason"), text(cancelled_by, "cancelled_by"), on))

    def apply(self, event: DomainEvent) -> None:
        match event:
            case ev.SupportProposed():
                self.proposal, self.status = event, "proposed"
            case ev.SupportApproved():
                self.status, self.approved_on = "approved", event.approved_on
            case ev.SupportPaid(payment=payment):
                self.paid += payment.amount
                self.vouchers += (payment.voucher,)
                self.status = "paid" if self.paid == self.amount else "partly_paid"
            case ev.SupportCancelled():
                self.status = "cancelled"

    def _in(self, statuses: tuple[str, ...], step: str) -> None:
        if self.status not in statuses:
            raise NotAllowed(f"cannot {step} {self.id}: it is {self.status}", field="status")
