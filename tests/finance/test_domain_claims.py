"""A reward claim's life: waiting for budget → reserved → approved (automatically or by a finance officer) →
partly paid → paid; its line's money moves with it in the same unit of work."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from services.finance.domain.budget_line import BudgetLine
from services.finance.domain.claims import product_of
from services.finance.domain.errors import AbovePermitted, FinanceError, InsufficientFunds, NotAllowed, Unknown
from services.finance.domain.policy import FinancePolicy
from services.finance.domain.product_rewards import ProductRewards
from services.finance.domain.values import Decision, LineRef, Payment
from tests.finance.test_domain_rewards import M, POLICY, TARIFFS, recognition

MANUAL = FinancePolicy(approval="manual")
OFFICER_DECISION = Decision("45/QĐ-STC", date(2021, 4, 20), "Sở Tài chính Thanh Hóa")


def claimed(stars: int = 4) -> tuple[ProductRewards, str]:
    product = ProductRewards(str(uuid.uuid4()))
    claim_id = product.recognise(recognition(stars, product_id=product.id), TARIFFS, POLICY)
    assert claim_id is not None
    return product, claim_id


def line(approved: int) -> BudgetLine:
    return BudgetLine.open(LineRef(2021, "rewards", "ntm"), approved, budget_version=1, decision_number="600/QĐ-UBND")


def fund(product: ProductRewards, claim_id: str, budget: BudgetLine) -> None:
    """What the application does in one unit: reserve on the line (or wait), then mark the claim."""
    try:
        budget.reserve(claim_id, product.claim(claim_id).amount)
    except InsufficientFunds as shortfall:
        product.await_budget(claim_id, shortfall)
        return
    product.reserve(claim_id)


def test_a_claim_that_fits_is_reserved_and_approved_automatically_with_the_recognition_decision() -> None:
    product, claim_id = claimed()
    fund(product, claim_id, line(100 * M))
    approved = product.approve(claim_id, POLICY, on=date(2021, 4, 7))
    assert approved.decision == product.claim(claim_id).recognition.decision and approved.approved_by is None
    assert (approved.amount, approved.stars, approved.level, approved.plan_year) == (20 * M, 4, "provincial", 2021)
    assert (approved.line.line, approved.line.source) == ("rewards", "ntm")
    assert product.claim(claim_id).status == "approved"


def test_a_claim_that_does_not_fit_waits_visibly_once_until_the_line_is_raised() -> None:
    product, claim_id = claimed()
    budget = line(15 * M)
    fund(product, claim_id, budget)
    fund(product, claim_id, budget)
    waits = [e for e in product.collect() if type(e).__name__ == "ClaimAwaitsBudget"]
    assert [(w.requested, w.available) for w in waits] == [(20 * M, 15 * M)]
    assert product.waiting() == [product.claim(claim_id)]
    budget.change_amount(40 * M, budget_version=2, decision_number="3500/QĐ-UBND")
    fund(product, claim_id, budget)
    assert product.claim(claim_id).status == "reserved" and budget.reserved == 20 * M


def test_manual_approval_needs_a_finance_officer_and_their_decision() -> None:
    product, claim_id = claimed()
    fund(product, claim_id, line(100 * M))
    with pytest.raises(NotAllowed) as automatic:
        product.approve(claim_id, MANUAL, on=date(2021, 4, 20))
    assert automatic.value.field == "approved_by"
    with pytest.raises(FinanceError) as undecided:
        product.approve(claim_id, MANUAL, on=date(2021, 4, 20), by="officer-7")
    assert undecided.value.field == "decision"
    approved = product.approve(claim_id, MANUAL, on=date(2021, 4, 20), by="officer-7", decision=OFFICER_DECISION)
    assert (approved.approved_by, approved.decision) == ("officer-7", OFFICER_DECISION)


def test_a_claim_is_approved_only_once_its_money_is_reserved() -> None:
    product, claim_id = claimed()
    with pytest.raises(NotAllowed) as caught:
        product.approve(claim_id, POLICY, on=date(2021, 4, 7))
    assert "waiting_for_budget" in str(caught.value)


def test_payments_in_parts_reach_paid_and_never_pass_the_approved_amount() -> None:
    product, claim_id = claimed()
    budget = line(100 * M)
    fund(product, claim_id, budget)
    product.approve(claim_id, POLICY, on=date(2021, 4, 7))
    budget.commit(claim_id)
    first = Payment(5 * M, "PC-001", date(2021, 5, 3))
    product.record_payment(claim_id, first)
    budget.disburse(claim_id, first)
    assert product.claim(claim_id).status == "partly_paid"
    with pytest.raises(AbovePermitted) as caught:
        product.record_payment(claim_id, Payment(15 * M + 1, "PC-002", date(2021, 5, 4)))
    assert caught.value.field == "amount"
    rest = Payment(15 * M, "PC-002", date(2021, 5, 4))
    product.record_payment(claim_id, rest)
    budget.disburse(claim_id, rest)
    assert (product.claim(claim_id).status, product.claim(claim_id).paid, budget.disbursed) == ("paid", 20 * M, 20 * M)
    with pytest.raises(NotAllowed):
        product.record_payment(claim_id, Payment(1, "PC-003", date(2021, 5, 5)))


def test_a_payment_is_not_dated_before_the_approval() -> None:
    product, claim_id = claimed()
    fund(product, claim_id, line(100 * M))
    product.approve(claim_id, POLICY, on=date(2021, 4, 7))
    with pytest.raises(FinanceError) as caught:
        product.record_payment(claim_id, Payment(1 * M, "PC-1", date(2021, 4, 6)))
    assert caught.value.field == "paid_on"


def test_a_finance_officer_may_pay_from_another_source_of_the_same_plan_year_only() -> None:
    product, claim_id = claimed()
    other = LineRef(2021, "rewards", "kc")
    assert product.reserve(claim_id, other).line == other
    product2, claim2 = claimed()
    with pytest.raises(FinanceError) as caught:
        product2.reserve(claim2, LineRef(2022, "rewards", "ntm"))
    assert caught.value.field == "plan_year"


def test_the_claim_id_leads_back_to_the_products_stream_and_an_unknown_one_is_refused() -> None:
    product, claim_id = claimed()
    assert product_of(claim_id) == product.id
    with pytest.raises(Unknown) as caught:
        product.approve(f"{product.id}:9", POLICY, on=date(2021, 4, 7))
    assert caught.value.field == "claim_id"


def test_the_products_rewards_replay_to_the_same_claims() -> None:
    product, claim_id = claimed()
    fund(product, claim_id, line(100 * M))
    product.approve(claim_id, POLICY, on=date(2021, 4, 7))
    product.record_payment(claim_id, Payment(2 * M, "PC-9", date(2021, 5, 1)))
    again = ProductRewards(product.id)
    for event in product.collect():
        again.replay(event)
    assert again.claims == product.claims and again.recognised == product.recognised
