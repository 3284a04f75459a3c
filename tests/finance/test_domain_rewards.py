"""How much a recognition earns (§9.3): one function, every policy option, and the rule each claim records."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.finance.domain.errors import FinanceError, TariffError
from services.finance.domain.policy import FinancePolicy
from services.finance.domain.product_rewards import ProductRewards
from services.finance.domain.recognitions import Recognition
from services.finance.domain.rewards import RewardHistory, decide_reward
from services.finance.domain.tariffs import check_tariff_table, load_tariffs
from services.finance.domain.values import Decision

TARIFFS = load_tariffs()
POLICY = FinancePolicy()
M = 1_000_000


def recognition(stars: int, *, product_id: str = "p", on: date = date(2021, 4, 6), cycle_year: int = 2021,
                number: str | None = None) -> Recognition:
    level = "central" if stars == 5 else "provincial"
    issuer = "Bộ NN&PTNT" if stars == 5 else "UBND tỉnh Thanh Hóa"
    return Recognition(product_id, f"ev-{uuid.uuid4().hex[:6]}", stars, level,
                       Decision(number or f"{uuid.uuid4().hex[:4]}/QĐ-UBND", on, issuer), cycle_year, "380")


def decide(stars: int, kept: dict[int, int] | None = None, policy: FinancePolicy = POLICY, **kwargs: object):
    return decide_reward(recognition(stars, **kwargs), RewardHistory(kept or {}), TARIFFS, policy)


@pytest.mark.parametrize("stars, amount", [(3, 10 * M), (4, 20 * M), (5, 100 * M)])
def test_a_first_reward_is_the_stars_full_tariff(stars: int, amount: int) -> None:
    decided = decide(stars)
    assert (decided.amount, decided.rule, decided.plan_year, decided.flags) == (amount, "first_reward", 2021, ())


@pytest.mark.parametrize("payment, amount, rule", [
    ("difference", 10 * M, "upgrade_difference"),
    ("full_new_tariff", 20 * M, "upgrade_full_new_tariff"),
])
def test_a_3_to_4_star_upgrade_is_paid_as_the_policy_says(payment: str, amount: int, rule: str) -> None:
    decided = decide(4, {3: 10 * M}, FinancePolicy(upgrade_payment=payment))
    assert (decided.amount, decided.rule) == (amount, rule)


def test_a_fixed_sum_upgrade_takes_the_tables_amount_and_fails_loudly_without_one() -> None:
    raw = {"format": "ocop-reward-tariffs/1", "province": "Trà Vinh", "tariffs": [
        {"plan_year": 2021, "valid_from": "2021-01-01", "valid_until": None,
         "stars": {"3": 10 * M, "4": 20 * M, "5": 100 * M}, "upgrades": [{"from": 3, "to": 4, "amount": 5 * M}]}]}
    fixed = FinancePolicy(upgrade_payment="fixed_amount")
    decided = decide_reward(recognition(4), RewardHistory({3: 10 * M}), check_tariff_table(raw, fixed), fixed)
    assert (decided.amount, decided.rule, decided.tariff.province) == (5 * M, "upgrade_fixed_amount", "Trà Vinh")
    with pytest.raises(TariffError) as caught:
        decide(4, {3: 10 * M}, fixed)  # the shipped table has no fixed sum
    assert caught.value.field == "upgrades"


@pytest.mark.parametrize("payment, kept, amount, rule", [
    ("difference", {4: 20 * M}, 80 * M, "five_star_difference"),
    ("full", {4: 20 * M}, 100 * M, "five_star_full"),
    ("difference", {3: 10 * M, 4: 10 * M}, 80 * M, "five_star_difference"),
    ("difference", {3: 10 * M}, 90 * M, "five_star_difference"),
])
def test_a_5_star_after_a_rewarded_lower_star_is_paid_as_the_policy_says_and_flagged(
        payment: str, kept: dict[int, int], amount: int, rule: str) -> None:
    decided = decide(5, kept, FinancePolicy(five_star_payment=payment))
    assert (decided.amount, decided.rule) == (amount, rule)
    assert "five_star_after_lower_reward" in decided.flags


def test_a_re_certification_at_the_same_star_earns_nothing_by_default() -> None:
    assert (decide(3, {3: 10 * M}).amount, decide(3, {3: 10 * M}).rule) == (0, "already_rewarded_at_star")
    again = decide(3, {3: 10 * M}, FinancePolicy(reward_once_per_star=False))
    assert (again.amount, again.rule) == (10 * M, "recertification_full_tariff")


def test_a_star_below_one_already_rewarded_earns_nothing() -> None:
    assert (decide(3, {4: 20 * M}).amount, decide(3, {4: 20 * M}).rule) == (0, "below_rewarded_star")


def test_a_star_the_tariff_marks_as_unrewarded_earns_nothing_with_that_rule() -> None:
    raw = {"format": "ocop-reward-tariffs/1", "province": "Tỉnh khác", "tariffs": [
        {"plan_year": 2021, "valid_from": "2021-01-01", "valid_until": None,
         "stars": {"4": 15 * M, "5": 50 * M}, "no_reward": [3]}]}
    decided = decide_reward(recognition(3), RewardHistory({}), check_tariff_table(raw), POLICY)
    assert (decided.amount, decided.rule) == (0, "no_reward_for_star")
    assert decide_reward(recognition(4), RewardHistory({}), check_tariff_table(raw), POLICY).amount == 15 * M


def test_the_2020_national_round_decided_in_2021_is_paid_at_the_2021_tariff_and_flagged() -> None:
    decided = decide(5, on=date(2021, 5, 26), cycle_year=2020)
    assert (decided.plan_year, decided.amount) == (2021, 100 * M)
    assert decided.flags == ("decided_outside_cycle_year",)
    with pytest.raises(TariffError):
        decide(5, on=date(2021, 5, 26), cycle_year=2020, policy=FinancePolicy(tariff_year_by="cycle_year"))


def test_a_recognition_is_of_a_rewarded_star_at_the_level_that_recognises_it() -> None:
    with pytest.raises(FinanceError) as level:
        Recognition("p", "e", 5, "provincial", Decision("1/QĐ-UBND", date(2021, 4, 6), "UBND tỉnh"), 2021, "380")
    assert level.value.field == "level"
    with pytest.raises(FinanceError) as stars:
        Recognition("p", "e", 2, "provincial", Decision("1/QĐ-UBND", date(2021, 4, 6), "UBND tỉnh"), 2021, "380")
    assert stars.value.field == "stars"


def test_policy_settings_outside_their_options_are_refused() -> None:
    with pytest.raises(ValueError, match="upgrade_payment"):
        FinancePolicy(upgrade_payment="half")
    with pytest.raises(ValueError, match="reward_line"):
        FinancePolicy(reward_line="parties")


# ---------------------------------------------------------------------------------------- on the product's rewards


def rewards() -> tuple[ProductRewards, str]:
    product_id = str(uuid.uuid4())
    return ProductRewards(product_id), product_id


def test_a_product_rated_delivered_twice_opens_one_claim() -> None:
    product, pid = rewards()
    heard = recognition(3, product_id=pid)
    first = product.recognise(heard, TARIFFS, POLICY)
    assert product.recognise(heard, TARIFFS, POLICY) == first == f"{pid}:1"
    assert len(product.pending) == 1 and product.claim(first).amount == 10 * M


def test_the_claim_records_the_rule_the_tariff_entry_and_the_line_it_draws_on() -> None:
    product, pid = rewards()
    product.recognise(recognition(3, product_id=pid), TARIFFS, POLICY)
    claim_id = product.recognise(recognition(4, product_id=pid), TARIFFS, POLICY)
    claim = product.claim(claim_id)
    assert (claim.amount, claim.rule, claim.status) == (10 * M, "upgrade_difference", "waiting_for_budget")
    assert claim.tariff.basis.startswith("Kế hoạch 75/KH-UBND") and claim.line.stream_id == "line:2021:rewards:ntm"


def test_a_second_decision_at_a_rewarded_star_is_recorded_as_earning_nothing() -> None:
    product, pid = rewards()
    product.recognise(recognition(3, product_id=pid), TARIFFS, POLICY)
    product.collect()
    assert product.recognise(recognition(3, product_id=pid, on=date(2021, 8, 5)), TARIFFS, POLICY) is None
    (event,) = product.collect()
    assert (type(event).__name__, event.rule) == ("RecognitionWithoutReward", "already_rewarded_at_star")
    assert product.history().kept == {3: 10 * M}


def test_a_recognition_of_another_product_is_refused() -> None:
    product, _ = rewards()
    with pytest.raises(FinanceError) as caught:
        product.recognise(recognition(3, product_id="other"), TARIFFS, POLICY)
    assert caught.value.field == "product_id"


@given(st.lists(st.tuples(st.sampled_from((3, 4, 5)), st.integers(min_value=1, max_value=4)), min_size=1, max_size=8))
@settings(max_examples=200, deadline=None)
def test_under_the_defaults_a_product_is_paid_exactly_the_tariff_of_its_highest_star(
        heard: list[tuple[int, int]]) -> None:
    """Any order of recognitions, each possibly delivered again: one claim per star at most, and the claims add
    up to the tariff of the highest star reached (upgrades and 5★ are topped up, lower stars earn nothing)."""
    product, pid = rewards()
    for stars, decision in heard:
        heard_once = recognition(stars, product_id=pid, number=f"{stars}-{decision}/QĐ", on=date(2021, decision, 1))
        product.recognise(heard_once, TARIFFS, POLICY)
    claims = list(product.claims.values())
    assert len({c.stars for c in claims}) == len(claims)
    assert sum(c.amount for c in claims) == TARIFFS.tariffs[0].amount(max(s for s, _ in heard))
