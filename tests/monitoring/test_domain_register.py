"""The certified-product register: ProductRated moves certificate periods; "in force on D" and "ends within N days
of D" are answered as of any date."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.monitoring.domain.certificates import CertificatePeriod, ending_within, in_force_on
from services.monitoring.domain.errors import InvalidInput
from services.monitoring.domain.register import RegisterEntry
from services.monitoring.domain.values import CertificateRef, DecisionRef, ProductFacts
from tests.monitoring import ROUND_1, certificate, certified, new_id, rating

ROUND_3 = DecisionRef("2942/QĐ-UBND", date(2021, 8, 5), "UBND tỉnh Thanh Hóa")
REVOCATION = DecisionRef("3763/QĐ-UBND", date(2021, 11, 18), "UBND tỉnh Thanh Hóa")


def test_a_recognised_product_is_in_force_from_the_decision_date_to_its_last_valid_day():
    entry = certified(stars=3)
    assert not entry.in_force_on(date(2021, 4, 5))
    assert entry.in_force_on(date(2021, 4, 6)) and entry.in_force_on(date(2024, 4, 6))
    assert not entry.in_force_on(date(2024, 4, 7))
    assert entry.certificate_on(date(2022, 1, 1)).stars == 3


def test_a_revoked_certificate_is_no_longer_in_force_from_the_decision_date():
    cert = certificate()
    entry = certified(cert=cert)
    entry.note_rating(rating("revoked", 0, cert, decision=REVOCATION, inspection_id="insp-1"))
    assert entry.in_force_on(date(2021, 11, 17))
    assert not entry.in_force_on(date(2021, 11, 18))
    assert entry.certificate_on(date(2021, 11, 17)).stars == 4  # revocation leaves the past as it was
    assert entry.periods[0].ended_by == "revoked"


def test_a_re_rating_below_3_stars_withdraws_the_certificate_from_the_decision_date():
    cert = certificate()
    entry = certified(cert=cert)
    entry.note_rating(rating("downgraded", 2, cert, decision=ROUND_3, inspection_id="insp-2"))
    assert entry.in_force_on(date(2021, 8, 4)) and not entry.in_force_on(date(2021, 8, 5))


def test_a_lower_certificate_supersedes_the_old_one_from_its_first_day():
    old, new = certificate(), certificate(valid_from=ROUND_3.date, valid_until=date(2024, 8, 5))
    entry = certified(stars=4, cert=old)
    entry.note_rating(rating("downgraded", 3, new, decision=ROUND_3, inspection_id="insp-3"))
    assert entry.certificate_on(date(2021, 8, 4)).number == old.number
    on_the_day = entry.certificate_on(date(2021, 8, 5))
    assert (on_the_day.number, on_the_day.stars) == (new.number, 3)
    assert entry.certificate_on(date(2024, 1, 1)).number == new.number
    assert entry.periods[0].ended_by == "superseded" and entry.periods[0].last_day == date(2021, 8, 4)


def test_a_warning_or_a_proposal_keeps_the_certificate_and_its_star():
    cert = certificate()
    entry = certified(stars=4, cert=cert)
    entry.note_rating(rating("recognized", 4, cert, inspection_id="insp-4", reason="warning: nhãn thiếu"))
    entry.note_rating(rating("proposed", 4, cert, decision=ROUND_3))
    entry.note_rating(rating("not_recognized", 4, cert, decision=ROUND_3))
    assert [(p.number, p.stars, p.ends_on) for p in entry.periods] == [(cert.number, 4, None)]


def test_an_expired_certificate_ends_after_its_last_valid_day_and_an_earlier_revocation_stands():
    cert = certificate()
    entry = certified(cert=cert)
    entry.note_rating(rating("expired", 0, cert, decision=None))
    assert entry.in_force_on(date(2024, 4, 6)) and not entry.in_force_on(date(2024, 4, 7))
    revoked = certified(cert=(other := certificate()))
    revoked.note_rating(rating("revoked", 0, other, decision=REVOCATION))
    revoked.note_rating(rating("expired", 0, other, decision=None))
    assert revoked.periods[0].ended_by == "revoked" and revoked.periods[0].last_day == date(2021, 11, 17)


def test_ratings_without_a_certificate_leave_the_register_as_it_was():
    entry = RegisterEntry(new_id("product"))
    entry.note_rating(rating("proposed", 3, None, decision=None, level="district"))
    entry.note_rating(rating("not_recognized", 2, None, decision=ROUND_1))
    assert entry.periods == () and not entry.in_force_on(date(2021, 6, 1))


def test_a_certificate_ending_within_n_days_is_found_counting_the_nth_day():
    entry = certified()  # last valid day 6 April 2024
    assert entry.ending_within(date(2024, 1, 7), 90) is not None  # 7/1 + 90 days = 6/4
    assert entry.ending_within(date(2024, 1, 6), 90) is None
    assert entry.ending_within(date(2024, 4, 6), 0) is not None
    assert entry.ending_within(date(2024, 4, 7), 365) is None  # no longer in force


def test_a_revocation_brings_the_end_forward_for_ending_within():
    cert = certificate()
    entry = certified(cert=cert)
    entry.note_rating(rating("revoked", 0, cert, decision=REVOCATION))
    assert entry.ending_within(date(2021, 11, 10), 7) is not None


def test_the_registered_product_is_kept_and_the_same_facts_again_change_nothing():
    entry = RegisterEntry(new_id("product"))
    facts = ProductFacts("reg-1", 2021, "Miến gạo Phúc Thịnh", 1, "394", "15100", "hp-1", "HTX Phúc Thịnh")
    assert entry.note_product(facts) and not entry.note_product(facts)
    assert (entry.district_code, entry.product_set, entry.version) == ("394", 1, 1)


def test_the_last_rating_again_is_a_no_op():
    entry = certified()
    again = entry.last_rating
    assert entry.note_rating(again) is False and entry.version == 1


@pytest.mark.parametrize("fact, field", [
    (rating("recognised"), "status"),
    (rating(level="commune"), "level"),
    (rating(stars=6), "stars"),
    (rating(cert=CertificateRef("GCN-1", date(2021, 4, 6), date(2021, 4, 5))), "certificate.valid_until"),
    (rating("revoked", 0, decision=None), "decision"),
    (rating("downgraded", 2, decision=None), "decision"),
])
def test_a_rating_outside_the_contract_is_refused_naming_the_field(fact, field):
    with pytest.raises(InvalidInput) as caught:
        RegisterEntry(new_id("product")).note_rating(fact)
    assert caught.value.field == field


def test_ending_within_a_negative_number_of_days_is_refused():
    with pytest.raises(InvalidInput) as caught:
        certified().ending_within(date(2022, 1, 1), -1)
    assert caught.value.field == "days"


periods = st.builds(
    lambda start, length, cut: CertificatePeriod("GCN", 4, "provincial", start, start + timedelta(days=length),
                                                 None if cut is None else start + timedelta(days=cut)),
    st.dates(min_value=date(2019, 1, 1), max_value=date(2030, 1, 1)), st.integers(0, 1100),
    st.none() | st.integers(0, 1200))


@given(period=periods, offset=st.integers(-50, 1300), days=st.integers(0, 400))
def test_ending_within_finds_exactly_the_certificates_in_force_whose_last_day_is_near(period, offset, days):
    day = period.valid_from + timedelta(days=offset)
    found = ending_within((period,), day, days)
    expected = period.in_force_on(day) and period.last_day <= day + timedelta(days=days)
    assert (found is not None) == expected
    assert (in_force_on((period,), day) is not None) == (period.valid_from <= day <= period.last_day)
