"""Support items of Circular 08/2019/TT-BTC: proposed for a producer's product, approved, paid in parts, cancelled."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from services.finance.domain.budget_line import BudgetLine
from services.finance.domain.errors import AbovePermitted, FinanceError, InsufficientFunds, InvalidAmount, NotAllowed
from services.finance.domain.support import SupportItem
from services.finance.domain.values import Decision, LineRef, Payment

UPGRADE = LineRef(2021, "upgrade_support", "ntm")
DECISION = Decision("120/QĐ-VPĐP", date(2021, 6, 10), "Văn phòng Điều phối NTM tỉnh")


def proposed(amount: int = 30_000_000, line: LineRef = UPGRADE, plan_item: str = "II.6.2") -> SupportItem:
    return SupportItem.propose(str(uuid.uuid4()), plan_item=plan_item, purpose="Thiết kế bao bì, tem truy xuất",
                               amount=amount, line=line, product_id="prod-1", producer_id="htx-1",
                               proposed_by="officer-7", on=date(2021, 6, 1))


def test_a_support_item_is_approved_with_its_money_committed_and_paid_in_parts() -> None:
    item = proposed()
    budget = BudgetLine.open(UPGRADE, 50_000_000, budget_version=1, decision_number="600/QĐ-UBND")
    budget.reserve(item.id, item.amount)
    budget.commit(item.id)
    item.approve(DECISION, approved_by="officer-7", on=date(2021, 6, 10))
    item.record_payment(Payment(10_000_000, "PC-11", date(2021, 7, 1)))
    assert item.status == "partly_paid"
    with pytest.raises(AbovePermitted):
        item.record_payment(Payment(20_000_001, "PC-12", date(2021, 7, 2)))
    item.record_payment(Payment(20_000_000, "PC-12", date(2021, 7, 2)))
    assert (item.status, item.paid, item.proposal.product_id, item.proposal.producer_id) == (
        "paid", 30_000_000, "prod-1", "htx-1")


def test_a_support_larger_than_its_line_cannot_be_approved() -> None:
    item = proposed(60_000_000)
    budget = BudgetLine.open(UPGRADE, 50_000_000, budget_version=1, decision_number="600/QĐ-UBND")
    with pytest.raises(InsufficientFunds):
        budget.reserve(item.id, item.amount)


def test_rewards_are_not_paid_as_support_and_plan_items_are_those_of_the_plan() -> None:
    with pytest.raises(FinanceError) as line:
        proposed(line=LineRef(2021, "rewards", "ntm"))
    assert line.value.field == "budget_line"
    with pytest.raises(FinanceError) as item:
        proposed(plan_item="II.9")
    assert item.value.field == "plan_item"
    with pytest.raises(InvalidAmount):
        proposed(amount=-1)


def test_a_cancelled_support_takes_no_payment() -> None:
    item = proposed()
    item.cancel(reason="chủ thể không thực hiện", cancelled_by="officer-7", on=date(2021, 6, 5))
    with pytest.raises(NotAllowed):
        item.approve(DECISION, approved_by="officer-7", on=date(2021, 6, 10))


def test_payment_waits_for_approval() -> None:
    with pytest.raises(NotAllowed):
        proposed().record_payment(Payment(1, "PC-1", date(2021, 6, 2)))
