"""Reward tariffs as data: the shipped Thanh Hóa 2021 table, tables of other provinces and years, and refusals that
name the entry."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from services.finance.domain.errors import TariffError
from services.finance.domain.policy import FinancePolicy
from services.finance.domain.tariffs import check_tariff_table, load_tariffs


def entry(plan_year: int = 2021, start: str = "2021-01-01", until: str | None = "2021-12-31", **extra: Any) -> dict:
    return {"plan_year": plan_year, "valid_from": start, "valid_until": until, "basis": "test",
            "stars": {"3": 10_000_000, "4": 20_000_000, "5": 100_000_000}, **extra}


def table(*entries: dict) -> dict:
    return {"format": "ocop-reward-tariffs/1", "province": "Tỉnh thử", "tariffs": list(entries or [entry()])}


def refused(raw: dict, policy: FinancePolicy | None = None) -> TariffError:
    with pytest.raises(TariffError) as caught:
        check_tariff_table(raw, policy)
    return caught.value


def test_the_shipped_table_is_thanh_hoa_2021_at_10_20_and_100_million() -> None:
    shipped = load_tariffs()
    tariff = shipped.in_force_on(date(2021, 4, 6))
    assert shipped.province == "Thanh Hóa"
    assert (tariff.plan_year, dict(tariff.amounts)) == (2021, {3: 10_000_000, 4: 20_000_000, 5: 100_000_000})
    assert "75/KH-UBND" in tariff.ref.basis


def test_a_decision_no_entry_covers_is_refused_naming_the_decision_date() -> None:
    with pytest.raises(TariffError) as caught:
        load_tariffs().in_force_on(date(2022, 1, 3))
    assert caught.value.field == "decision.date" and "2022-01-03" in str(caught.value)


def test_another_province_with_no_3_star_reward_and_two_years_loads_from_its_own_file(tmp_path: Path) -> None:
    other = table(entry(stars={"4": 15_000_000, "5": 50_000_000}, no_reward=[3]),
                  entry(2022, "2022-01-01", None, stars={"3": 5_000_000, "4": 15_000_000, "5": 50_000_000},
                        upgrades=[{"from": 3, "to": 4, "amount": 2_000_000}]))
    other["province"] = "Bắc Ninh"
    path = tmp_path / "bac-ninh.json"
    path.write_text(json.dumps(other, ensure_ascii=False), encoding="utf-8")
    loaded = load_tariffs(path, FinancePolicy(upgrade_payment="fixed_amount"))
    assert loaded.province == "Bắc Ninh"
    assert loaded.in_force_on(date(2021, 6, 1)).amount(3) is None
    assert loaded.in_force_on(date(2030, 6, 1)).upgrades == {(3, 4): 2_000_000}


def test_a_missing_star_is_refused_naming_the_entry_and_the_star() -> None:
    raw = table(entry(), entry(2022, "2022-01-01", "2022-12-31", stars={"3": 10_000_000, "5": 100_000_000}))
    error = refused(raw)
    assert error.field == "tariffs[1].stars.4"
    assert "no amount for 4★" in str(error)


def test_a_star_with_an_amount_cannot_also_be_marked_no_reward() -> None:
    assert refused(table(entry(no_reward=[5]))).field == "tariffs[0].no_reward"


@pytest.mark.parametrize("amount", [-10_000_000, 0, 1e7, 10_000_000.0, "10000000", True, None])
def test_an_amount_that_is_not_a_positive_whole_number_of_vnd_is_refused(amount: Any) -> None:
    raw = table(entry())
    raw["tariffs"][0]["stars"]["4"] = amount
    error = refused(raw)
    assert error.field == "tariffs[0].stars.4"


def test_overlapping_periods_are_refused_naming_both_entries() -> None:
    error = refused(table(entry(), entry(2022, "2021-12-01", "2022-12-31")))
    assert error.field == "tariffs[1].valid_from"
    assert "tariffs[0]" in str(error) and "tariff 2022 from 2021-12-01" in str(error)


def test_an_open_ended_entry_followed_by_another_overlaps_it() -> None:
    assert refused(table(entry(until=None), entry(2022, "2022-01-01", None))).field == "tariffs[1].valid_from"


def test_periods_that_touch_without_overlapping_are_accepted_in_any_order() -> None:
    loaded = check_tariff_table(table(entry(2022, "2022-01-01", None), entry()))
    assert [t.plan_year for t in loaded.tariffs] == [2021, 2022]


@pytest.mark.parametrize("change, field", [
    ({"valid_until": "2020-12-31"}, "tariffs[0].valid_until"),
    ({"valid_from": "01/01/2021"}, "tariffs[0].valid_from"),
    ({"plan_year": "2021"}, "tariffs[0].plan_year"),
    ({"plan_year": 2017}, "tariffs[0].plan_year"),
    ({"no_rewards": [3]}, "tariffs[0].no_rewards"),
    ({"stars": {"3": 1, "4": 2, "5": 3, "6": 4}}, "tariffs[0].stars.6"),
    ({"upgrades": [{"from": 4, "to": 3, "amount": 1}]}, "tariffs[0].upgrades[0]"),
    ({"upgrades": [{"from": 3, "to": 4, "amount": -1}]}, "tariffs[0].upgrades[0].amount"),
    ({"upgrades": [{"from": 3, "amount": 1}]}, "tariffs[0].upgrades[0].to"),
])
def test_each_malformed_entry_is_refused_naming_its_field(change: dict, field: str) -> None:
    raw = table(entry())
    raw["tariffs"][0].update(change)
    assert refused(raw).field == field


def test_a_table_without_entries_or_of_another_format_is_refused() -> None:
    assert refused({**table(), "tariffs": []}).field == "tariffs"
    assert refused({**table(), "format": "v0"}).field == "format"
    assert refused({"format": "ocop-reward-tariffs/1", "tariffs": [entry()]}).field == "province"


def test_a_fixed_amount_policy_refuses_a_table_without_the_3_to_4_sum() -> None:
    raw = table(entry())
    error = refused(raw, FinancePolicy(upgrade_payment="fixed_amount"))
    assert error.field == "tariffs[0].upgrades"
    fixed = copy.deepcopy(raw)
    fixed["tariffs"][0]["upgrades"] = [{"from": 3, "to": 4, "amount": 5_000_000}]
    loaded = check_tariff_table(fixed, FinancePolicy(upgrade_payment="fixed_amount"))
    assert loaded.tariffs[0].upgrades[(3, 4)] == 5_000_000


def test_the_cycle_year_rule_picks_the_plan_years_entry_even_for_a_later_decision() -> None:
    loaded = check_tariff_table(table(entry(), entry(2022, "2022-01-01", "2022-12-31",
                                                     stars={"3": 1_000_000, "4": 2_000_000, "5": 3_000_000})))
    by_cycle = FinancePolicy(tariff_year_by="cycle_year")
    assert loaded.select(by_cycle, date(2022, 3, 1), 2021).plan_year == 2021
    assert loaded.select(FinancePolicy(), date(2022, 3, 1), 2021).plan_year == 2022
    with pytest.raises(TariffError) as caught:
        loaded.select(by_cycle, date(2022, 3, 1), 2020)
    assert caught.value.field == "cycle_year"
