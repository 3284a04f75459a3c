"""Certificate validity (giấy chứng nhận): 36 months from the decision date, boundary dates of OCOP-RULES §7."""

from __future__ import annotations

from datetime import date

import pytest

from services.rating.domain.certificates import (
    Certificate,
    is_valid,
    status_on,
    valid_until,
)
from services.rating.domain.errors import RatingError

THANH_HOA_2019 = Certificate("qd-5445-product", 3, date(2019, 12, 23))  # QĐ 5445/QĐ-UBND of 23/12/2019


def test_the_last_valid_day_is_the_same_day_36_months_later():
    assert valid_until(date(2019, 12, 23)) == date(2022, 12, 23)
    assert valid_until(date(2021, 8, 31)) == date(2024, 8, 31)


def test_a_certificate_of_23_12_2019_is_valid_on_23_12_2022_and_expired_on_24_12_2022():
    assert is_valid(THANH_HOA_2019, date(2022, 12, 23))
    assert not is_valid(THANH_HOA_2019, date(2022, 12, 24))
    assert status_on(THANH_HOA_2019, date(2022, 12, 24)) == "expired"


def test_a_certificate_is_valid_from_its_decision_date_not_before():
    assert status_on(THANH_HOA_2019, date(2019, 12, 22)) == "not_yet_valid"
    assert is_valid(THANH_HOA_2019, date(2019, 12, 23))


@pytest.mark.parametrize("issued, clamped, rolled", [
    (date(2020, 2, 29), date(2023, 2, 28), date(2023, 3, 1)),
    (date(2021, 3, 31), date(2024, 3, 31), date(2024, 3, 31)),
    (date(2019, 5, 31), date(2022, 5, 31), date(2022, 5, 31)),
    (date(2018, 11, 30), date(2021, 11, 30), date(2021, 11, 30)),
])
def test_a_month_end_issue_date_is_clamped_by_default_or_rolled_forward_when_chosen(issued, clamped, rolled):
    assert valid_until(issued) == clamped
    assert valid_until(issued, month_end_rule="roll_forward") == rolled


def test_a_day_missing_in_the_target_month_is_clamped_to_its_last_day():
    assert valid_until(date(2021, 1, 31), months=1) == date(2021, 2, 28)
    assert valid_until(date(2023, 1, 31), months=13) == date(2024, 2, 29)


def test_a_revoked_certificate_is_not_valid_from_the_revocation_day():
    revoked = Certificate("p", 4, date(2021, 4, 6), revoked_on=date(2022, 1, 10))
    assert is_valid(revoked, date(2022, 1, 9)) and status_on(revoked, date(2022, 1, 10)) == "revoked"


def test_certificates_exist_only_for_3_to_5_stars():
    with pytest.raises(RatingError):
        Certificate("p", 2, date(2021, 4, 6))
