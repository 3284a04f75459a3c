"""A budget line never holds more than its approved amount: reserve → commit → disburse (partials) or release."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, invariant, rule

from services.finance.domain.budget_line import BudgetLine
from services.finance.domain.errors import (
    AbovePermitted,
    AlreadyExists,
    InsufficientFunds,
    InvalidAmount,
    NotAllowed,
    Unknown,
)
from services.finance.domain.values import LineRef, Payment

REWARDS = LineRef(2021, "rewards", "ntm")


def opened(approved: int = 30_000_000) -> BudgetLine:
    line = BudgetLine.open(REWARDS, approved, budget_version=1, decision_number="1234/QĐ-UBND")
    line.collect()
    return line


def claim() -> str:
    return f"{uuid.uuid4()}:1"


def paid(amount: int, voucher: str | None = None) -> Payment:
    return Payment(amount, voucher or f"PC-{uuid.uuid4().hex[:8]}", date(2021, 5, 1))


def test_a_claim_moves_from_reserved_to_committed_to_paid_in_parts() -> None:
    line, c = opened(), claim()
    line.reserve(c, 20_000_000)
    assert (line.reserved, line.available) == (20_000_000, 10_000_000)
    assert line.commit(c) == 20_000_000
    line.disburse(c, paid(5_000_000))
    line.disburse(c, paid(15_000_000))
    assert (line.reserved, line.committed, line.disbursed, line.available) == (0, 0, 20_000_000, 10_000_000)


def test_a_reservation_that_does_not_fit_records_nothing_and_says_what_remains() -> None:
    line = opened(25_000_000)
    line.reserve(claim(), 20_000_000)
    version = line.version
    with pytest.raises(InsufficientFunds) as caught:
        line.reserve(claim(), 10_000_000)
    assert (caught.value.requested, caught.value.available, caught.value.field) == (10_000_000, 5_000_000, "amount")
    assert line.version == version and len(line.pending) == 1


def test_the_last_money_of_a_line_goes_to_exactly_one_of_two_claims() -> None:
    line = opened(10_000_000)
    first, second = claim(), claim()
    line.reserve(first, 10_000_000)
    with pytest.raises(InsufficientFunds):
        line.reserve(second, 10_000_000)
    assert line.available == 0 and second not in line.holdings


@pytest.mark.parametrize("amount", [True, -1, 0, 1.5, 10_000_000.0, "10000000"])
def test_amounts_that_are_not_positive_whole_vnd_are_refused(amount: Any) -> None:
    with pytest.raises(InvalidAmount) as caught:
        opened().reserve(claim(), amount)
    assert caught.value.field == "amount"


def test_repeating_the_same_reservation_changes_nothing_but_another_amount_is_refused() -> None:
    line, c = opened(), claim()
    line.reserve(c, 10_000_000)
    line.reserve(c, 10_000_000)
    assert line.reserved == 10_000_000 and len(line.pending) == 1
    with pytest.raises(NotAllowed):
        line.reserve(c, 12_000_000)


def test_paying_more_than_committed_or_a_voucher_twice_is_refused() -> None:
    line, c = opened(), claim()
    line.reserve(c, 10_000_000)
    line.commit(c)
    line.disburse(c, paid(6_000_000, "PC-01"))
    with pytest.raises(AbovePermitted) as caught:
        line.disburse(c, paid(5_000_000))
    assert caught.value.field == "amount" and "4.000.000 đ remain" in str(caught.value)
    with pytest.raises(AlreadyExists) as again:
        line.disburse(c, paid(1_000_000, "PC-01"))
    assert again.value.field == "voucher"


def test_money_reserved_but_not_committed_cannot_be_paid() -> None:
    line, c = opened(), claim()
    line.reserve(c, 10_000_000)
    with pytest.raises(AbovePermitted):
        line.disburse(c, paid(1))


def test_release_gives_back_the_reservation_and_the_unpaid_commitment_only() -> None:
    line, c = opened(), claim()
    line.reserve(c, 20_000_000)
    line.commit(c)
    line.disburse(c, paid(5_000_000))
    assert line.release(c) == 15_000_000
    assert (line.committed, line.disbursed, line.available) == (0, 5_000_000, 25_000_000)
    assert line.release(c) == 0


def test_an_amendment_raises_the_line_so_a_waiting_claim_fits_but_cannot_lower_it_below_its_use() -> None:
    line, c = opened(10_000_000), claim()
    line.reserve(claim(), 10_000_000)
    with pytest.raises(InsufficientFunds):
        line.reserve(c, 20_000_000)
    line.change_amount(30_000_000, budget_version=2, decision_number="2000/QĐ-UBND")
    line.reserve(c, 20_000_000)
    with pytest.raises(InsufficientFunds) as caught:
        line.change_amount(29_999_999, budget_version=3, decision_number="2100/QĐ-UBND")
    assert caught.value.field == "amount" and line.approved == 30_000_000


def test_a_claim_released_may_reserve_again() -> None:
    line, c = opened(), claim()
    line.reserve(c, 10_000_000)
    line.release(c)
    line.reserve(c, 10_000_000)
    assert line.holdings[c].reserved == 10_000_000 and line.reserved == 10_000_000


AMOUNTS = st.integers(min_value=1, max_value=40_000_000)


class BudgetLineMachine(RuleBasedStateMachine):
    """Any sequence of commands keeps reserved + committed + disbursed ≤ approved, the totals equal to the sum of
    the claims' holdings, and the state equal to the one its events replay to. A refused command changes nothing."""

    reserved = Bundle("reserved")
    committed = Bundle("committed")

    def __init__(self) -> None:
        super().__init__()
        self.line = BudgetLine.open(REWARDS, 50_000_000, budget_version=1, decision_number="1/QĐ-UBND")
        self.events: list[Any] = []
        self.vouchers = 0

    def _refused_unchanged(self, command: Any, *errors: type[Exception]) -> None:
        before = self.line.version
        try:
            command()
        except errors:
            assert self.line.version == before

    @rule(target=reserved, amount=AMOUNTS)
    def reserve(self, amount: int) -> str:
        c = claim()
        self._refused_unchanged(lambda: self.line.reserve(c, amount), InsufficientFunds)
        return c

    @rule(target=committed, c=consumes(reserved))
    def commit(self, c: str) -> str:
        self._refused_unchanged(lambda: self.line.commit(c), Unknown, NotAllowed)  # refused, or released
        return c

    @rule(c=committed, amount=AMOUNTS | st.just(0))
    def disburse(self, c: str, amount: int) -> None:
        """Pay ``amount``, or (0) whatever the claim still has committed."""
        held = self.line.holdings.get(c)
        amount = amount or (held.committed if held and held.committed else 1)
        self.vouchers += 1
        payment = Payment(amount, f"PC-{self.vouchers}", date(2021, 6, 1))
        self._refused_unchanged(lambda: self.line.disburse(c, payment), AbovePermitted, Unknown)

    @rule(c=st.one_of(reserved, committed))
    def release(self, c: str) -> None:
        self._refused_unchanged(lambda: self.line.release(c), Unknown)

    @rule(approved=st.integers(min_value=0, max_value=120_000_000), version=st.integers(min_value=2, max_value=9))
    def amend(self, approved: int, version: int) -> None:
        self._refused_unchanged(lambda: self.line.change_amount(approved, budget_version=version,
                                                                decision_number=f"{version}/QĐ-UBND"),
                                InsufficientFunds)

    @invariant()
    def never_above_approved(self) -> None:
        line = self.line
        assert min(line.reserved, line.committed, line.disbursed) >= 0
        assert line.reserved + line.committed + line.disbursed <= line.approved
        for name in ("reserved", "committed", "disbursed"):
            assert getattr(line, name) == sum(getattr(h, name) for h in line.holdings.values())

    @invariant()
    def replays_to_the_same_state(self) -> None:
        self.events.extend(self.line.collect())
        again = BudgetLine(self.line.id)
        for event in self.events:
            again.replay(event)
        assert (again.approved, again.reserved, again.committed, again.disbursed, again.holdings) == (
            self.line.approved, self.line.reserved, self.line.committed, self.line.disbursed, self.line.holdings)


BudgetLineMachine.TestCase.settings = settings(max_examples=100, stateful_step_count=30, deadline=None)
TestBudgetLineInvariant = BudgetLineMachine.TestCase
