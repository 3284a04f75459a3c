"""Revocation and downgrade: unpaid rewards are held (then released or cancelled), paid ones open a recovery item;
nothing is silently kept or dropped."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from services.finance.domain.errors import AbovePermitted, FinanceError, NotAllowed
from services.finance.domain.product_rewards import ProductRewards
from services.finance.domain.recognitions import Withdrawal
from services.finance.domain.values import Decision, Payment
from tests.finance.test_domain_claims import claimed, fund, line
from tests.finance.test_domain_rewards import M, POLICY, TARIFFS, recognition

REVOCATION = Decision("3763/QĐ-UBND", date(2021, 11, 18), "UBND tỉnh Thanh Hóa")
OFFICER = Decision("90/QĐ-STC", date(2021, 12, 1), "Sở Tài chính Thanh Hóa")


def revoked() -> Withdrawal:
    return Withdrawal("revoked", 0, "ev-r", "vi phạm quy định về an toàn thực phẩm", REVOCATION, "insp-1")


def approved_and_paid(paid: int, stars: int = 4) -> tuple[ProductRewards, str]:
    product, claim_id = claimed(stars)
    fund(product, claim_id, line(200 * M))
    product.approve(claim_id, POLICY, on=date(2021, 4, 7))
    if paid:
        product.record_payment(claim_id, Payment(paid, "PC-1", date(2021, 5, 1)))
    return product, claim_id


def test_a_revocation_before_payment_puts_the_claim_on_hold_and_blocks_payment() -> None:
    product, claim_id = approved_and_paid(0)
    assert product.withdraw(revoked()) == ([claim_id], [])
    assert product.claim(claim_id).status == "on_hold"
    with pytest.raises(NotAllowed):
        product.record_payment(claim_id, Payment(1 * M, "PC-2", date(2021, 12, 2)))


def test_a_released_hold_goes_back_to_where_the_claim_stood() -> None:
    product, claim_id = claimed()
    product.withdraw(revoked())
    product.release_hold(claim_id, decision=OFFICER, decided_by="officer-7", reason="quyết định thu hồi bị hủy")
    assert product.claim(claim_id).status == "waiting_for_budget"


def test_a_cancelled_claim_no_longer_counts_so_a_later_recognition_at_that_star_is_rewarded_again() -> None:
    product, claim_id = approved_and_paid(0)
    product.withdraw(revoked())
    cancelled = product.cancel(claim_id, decision=OFFICER, decided_by="officer-7", reason="sản phẩm bị thu hồi")
    assert cancelled.status == "cancelled" and product.history().kept == {}
    again = product.recognise(recognition(4, product_id=product.id, on=date(2021, 12, 20)), TARIFFS, POLICY)
    assert again is not None and product.claim(again).amount == 20 * M


def test_only_held_claims_can_be_released_or_cancelled() -> None:
    product, claim_id = claimed()
    with pytest.raises(NotAllowed):
        product.cancel(claim_id, decision=OFFICER, decided_by="officer-7", reason="x")
    with pytest.raises(NotAllowed):
        product.release_hold(claim_id, decision=OFFICER, decided_by="officer-7", reason="x")


def test_a_revocation_after_payment_opens_a_recovery_of_what_was_paid() -> None:
    product, claim_id = approved_and_paid(20 * M)
    held, opened = product.withdraw(revoked())
    assert held == [] and len(opened) == 1
    recovery = product.recovery(opened[0])
    assert (recovery.claim_id, recovery.amount, recovery.decision, recovery.status) == (
        claim_id, 20 * M, REVOCATION, "open")
    assert "an toàn thực phẩm" in recovery.reason


def test_a_partly_paid_claim_is_held_for_the_rest_and_recovered_for_what_was_paid() -> None:
    product, claim_id = approved_and_paid(5 * M)
    held, opened = product.withdraw(revoked())
    assert held == [claim_id] and product.recovery(opened[0]).amount == 5 * M


def test_a_recovery_is_paid_back_in_parts_never_above_it_or_waived_by_decision() -> None:
    product, _ = approved_and_paid(20 * M)
    (recovery_id,) = product.withdraw(revoked())[1]
    product.record_recovery(recovery_id, Payment(8 * M, "PT-1", date(2021, 12, 5)))
    with pytest.raises(AbovePermitted):
        product.record_recovery(recovery_id, Payment(12 * M + 1, "PT-2", date(2021, 12, 6)))
    waived = product.waive_recovery(recovery_id, decision=OFFICER, decided_by="officer-7", reason="chủ thể giải thể")
    assert (waived.status, waived.recovered) == ("waived", 8 * M)
    with pytest.raises(NotAllowed):
        product.record_recovery(recovery_id, Payment(1, "PT-3", date(2021, 12, 7)))
    assert product.history().kept == {4: 12 * M}


def test_a_reward_paid_back_in_full_leaves_the_product_without_it() -> None:
    product, _ = approved_and_paid(20 * M)
    (recovery_id,) = product.withdraw(revoked())[1]
    assert product.record_recovery(recovery_id, Payment(20 * M, "PT-1", date(2021, 12, 5))).status == "recovered"
    assert product.history().kept == {}


def test_a_downgrade_touches_only_the_claims_above_the_star_the_product_keeps() -> None:
    product = ProductRewards(str(uuid.uuid4()))
    three = product.recognise(recognition(3, product_id=product.id), TARIFFS, POLICY)
    four = product.recognise(recognition(4, product_id=product.id, on=date(2021, 8, 5)), TARIFFS, POLICY)
    downgrade = Withdrawal("downgraded", 3, "ev-d", "đánh giá lại chỉ đạt 3 sao", REVOCATION, "insp-2")
    assert product.withdraw(downgrade) == ([four], [])
    assert product.claim(three).status == "waiting_for_budget"


def test_the_same_withdrawal_heard_twice_changes_nothing_the_second_time() -> None:
    product, _ = approved_and_paid(20 * M)
    product.withdraw(revoked())
    version = product.version
    assert product.withdraw(revoked()) == ([], []) and product.version == version


def test_a_withdrawal_of_a_product_without_rewards_is_still_recorded() -> None:
    product = ProductRewards("no-claims")
    assert product.withdraw(revoked()) == ([], [])
    assert [type(e).__name__ for e in product.pending] == ["RecognitionWithdrawn"]


def test_a_withdrawal_states_its_status_the_star_kept_and_a_reason() -> None:
    with pytest.raises(FinanceError) as stars:
        Withdrawal("revoked", 3, "ev", "lý do")
    assert stars.value.field == "stars"
    with pytest.raises(FinanceError) as status:
        Withdrawal("expired", 0, "ev", "lý do")
    assert status.value.field == "status"
    with pytest.raises(FinanceError) as reason:
        Withdrawal("downgraded", 3, "ev", "")
    assert reason.value.field == "reason"


def test_holds_and_recoveries_replay_to_the_same_state() -> None:
    product, claim_id = approved_and_paid(5 * M)
    (recovery_id,) = product.withdraw(revoked())[1]
    product.record_recovery(recovery_id, Payment(1 * M, "PT-1", date(2021, 12, 5)))
    product.cancel(claim_id, decision=OFFICER, decided_by="officer-7", reason="thu hồi")
    again = ProductRewards(product.id)
    for event in product.collect():
        again.replay(event)
    assert (again.claims, again.recoveries, again.withdrawn) == (product.claims, product.recoveries, product.withdrawn)
    assert again.history().kept == {4: 4 * M}
