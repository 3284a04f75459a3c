"""Certificate validity (giấy chứng nhận): 36 months from the decision date, boundary dates of OCOP-RULES §7."""

from __future__ import annotations

from datetime import date

import pytest

from services.rating.domain.certificates import expired_from, is_expired_on, issue_certificate, valid_until
from services.rating.domain.errors import RatingError
from services.rating.domain.policy import RatingPolicy
from services.rating.domain.values import Certificate, Decision, ProductResult
from tests.rating.support import shipped

RESULT = ProductResult("qd-5445-product", "S-1/qd-5445-product", 5, "first", "65", "65.00", 3, 3, 0, {"chair": 65})


def issued(stars: int, on: date, policy: RatingPolicy = RatingPolicy()) -> Certificate:
    return issue_certificate("5445/QĐ-UBND#2019-001", stars, level="provincial", decision=Decision("5445/QĐ-UBND", on,
                             "UBND tỉnh Thanh Hóa"), result=RESULT, cycle_year=on.year, levels=shipped().levels,
                             policy=policy)


THANH_HOA_2019 = issued(3, date(2019, 12, 23))  # QĐ 5445/QĐ-UBND of 23/12/2019


def test_the_last_valid_day_is_the_same_day_36_months_later():
    assert valid_until(date(2019, 12, 23)) == date(2022, 12, 23)
    assert valid_until(date(2021, 8, 31)) == date(2024, 8, 31)


def test_a_certificate_of_23_12_2019_is_valid_on_23_12_2022_and_expired_on_24_12_2022():
    assert THANH_HOA_2019.valid_until == date(2022, 12, 23)
    assert not is_expired_on(THANH_HOA_2019, date(2022, 12, 23))
    assert is_expired_on(THANH_HOA_2019, date(2022, 12, 24)) and expired_from(THANH_HOA_2019) == date(2022, 12, 24)


def test_a_certificate_is_valid_from_its_decision_date():
    assert THANH_HOA_2019.valid_from == THANH_HOA_2019.decision.date == date(2019, 12, 23)
    assert (THANH_HOA_2019.evaluation_id, THANH_HOA_2019.average_score) == ("S-1/qd-5445-product", "65.00")


def test_the_validity_and_month_end_rule_are_the_policys():
    assert issued(4, date(2020, 2, 29)).valid_until == date(2023, 2, 28)
    assert issued(4, date(2020, 2, 29), RatingPolicy(month_end_rule="roll_forward")).valid_until == date(2023, 3, 1)
    assert issued(4, date(2021, 4, 6), RatingPolicy(certificate_months=24)).valid_until == date(2023, 4, 6)


@pytest.mark.parametrize("issued_on, clamped, rolled", [
    (date(2020, 2, 29), date(2023, 2, 28), date(2023, 3, 1)),
    (date(2021, 3, 31), date(2024, 3, 31), date(2024, 3, 31)),
    (date(2019, 5, 31), date(2022, 5, 31), date(2022, 5, 31)),
    (date(2018, 11, 30), date(2021, 11, 30), date(2021, 11, 30)),
])
def test_a_month_end_issue_date_is_clamped_by_default_or_rolled_forward_when_chosen(issued_on, clamped, rolled):
    assert valid_until(issued_on) == clamped
    assert valid_until(issued_on, month_end_rule="roll_forward") == rolled


def test_a_day_missing_in_the_target_month_is_clamped_to_its_last_day():
    assert valid_until(date(2021, 1, 31), months=1) == date(2021, 2, 28)
    assert valid_until(date(2023, 1, 31), months=13) == date(2024, 2, 29)


def test_certificates_exist_only_for_3_to_5_stars():
    with pytest.raises(RatingError) as refused:
        issued(2, date(2021, 4, 6))
    assert refused.value.field == "stars" and "3★–5★" in str(refused.value)
    assert {issued(s, date(2021, 4, 6)).stars for s in (3, 4, 5)} == {3, 4, 5}
