"""Programme targets of a plan year and progress towards them, by round and by district (OCOP-RULES §9, §12.8)."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.monitoring.domain.errors import InvalidInput, NotAllowed, NotKnown, OutOfOrder
from services.monitoring.domain.target_setting import TargetSetting, setting_id, targets_for
from services.monitoring.domain.targets import Count, Target, progress
from tests.monitoring import TODAY, shipped

YEAR_2021 = shipped().targets[2021]
UNITS_2021 = tuple(shipped().units.of_year(2021))


def recognised(round_: int, district: str, products: int, stars: int = 3, level: str = "provincial") -> Count:
    return Count("recognised", level, stars, round_, district, products)


def by_id(results):
    return {r.target.target_id: r for r in results}


def test_thanh_hoa_2021_rounds_add_up_across_the_year_by_round_and_by_district():
    # Pass counts of the four 2021 provincial rounds (§13): 7, 25 (all assumed), 20, 38 — spread over districts.
    counts = [recognised(1, "394", 4), recognised(1, "380", 3, stars=4), recognised(2, "395", 25),
              recognised(3, "394", 20), recognised(4, "407", 30), recognised(4, "399", 8, stars=4),
              Count("proposed", "provincial", 4, 4, "380", 2)]
    results = by_id(progress(YEAR_2021, counts, UNITS_2021))
    provincial = results["provincial_3_stars_or_more"]
    assert (provincial.achieved, provincial.remaining, provincial.met) == (90, 0, True)
    assert provincial.share == Fraction(90, 80)
    assert provincial.by_round == {1: 7, 2: 25, 3: 20, 4: 38}
    assert provincial.by_district["394"] == 24 and provincial.by_district["384"] == 0
    assert len(provincial.by_district) == 27
    proposed = results["proposed_for_5_stars"]
    assert (proposed.achieved, proposed.remaining, proposed.met) == (2, 1, False)


def test_counts_of_another_measure_level_or_a_lower_star_do_not_count():
    counts = [recognised(1, "394", 5, stars=2), recognised(1, "394", 5, level="district"),
              Count("proposed", "district", 3, 1, "394", 9)]
    results = by_id(progress(YEAR_2021, counts))
    assert results["provincial_3_stars_or_more"].achieved == 0
    assert results["provincial_3_stars_or_more"].remaining == 80
    assert results["proposed_for_5_stars"].achieved == 0


counts = st.lists(st.builds(Count, st.sampled_from(("recognised", "proposed")),
                            st.sampled_from(("district", "provincial", "central")), st.integers(0, 5),
                            st.none() | st.integers(1, 4), st.sampled_from(UNITS_2021), st.integers(0, 40)),
                  max_size=30)


@given(counts)
def test_progress_by_round_and_by_district_both_sum_to_what_was_achieved(given_counts):
    for result in progress(YEAR_2021, given_counts, UNITS_2021):
        t = result.target
        assert result.achieved == sum(c.products for c in given_counts
                                      if (c.measure, c.level) == (t.measure, t.level) and c.stars >= t.min_stars)
        assert sum(result.by_round.values()) == sum(result.by_district.values()) == result.achieved
        assert result.met == (result.achieved >= t.at_least)
        assert result.remaining == max(t.at_least - result.achieved, 0)


def test_targets_set_by_the_province_replace_the_shipped_ones_for_that_year():
    setting = TargetSetting(setting_id(2021))
    assert targets_for(2021, shipped().targets, setting) == YEAR_2021
    setting.set_targets(2021, [Target("provincial_3_stars_or_more", "Sản phẩm 3 sao trở lên", "recognised",
                                      "provincial", 3, 100)], "Nghị quyết HĐND (điều chỉnh)", set_on=date(2021, 7, 1),
                        today=TODAY)
    assert targets_for(2021, shipped().targets, setting).targets[0].at_least == 100


def test_a_year_without_targets_is_refused_until_they_are_set():
    with pytest.raises(NotKnown) as caught:
        targets_for(2022, shipped().targets, TargetSetting(setting_id(2022)))
    assert caught.value.field == "plan_year"


@pytest.mark.parametrize("target, field", [
    (Target("t", "Chỉ tiêu", "certified", "provincial", 3, 80), "targets[0].measure"),
    (Target("t", "Chỉ tiêu", "recognised", "commune", 3, 80), "targets[0].level"),
    (Target("t", "Chỉ tiêu", "recognised", "provincial", 6, 80), "targets[0].min_stars"),
    (Target("t", "Chỉ tiêu", "recognised", "provincial", 3, 0), "targets[0].at_least"),
    (Target(" ", "Chỉ tiêu", "recognised", "provincial", 3, 80), "targets[0].target_id"),
])
def test_a_bad_target_is_refused_naming_the_field(target, field):
    with pytest.raises(InvalidInput) as caught:
        TargetSetting("2021").set_targets(2021, [target], "basis", set_on=date(2021, 7, 1), today=TODAY)
    assert caught.value.field == field


def test_targets_need_a_basis_a_list_and_their_own_year():
    setting, good = TargetSetting("2021"), YEAR_2021.targets
    for call, error, field in (
            (lambda: setting.set_targets(2021, good, " ", set_on=TODAY, today=TODAY), InvalidInput, "basis"),
            (lambda: setting.set_targets(2021, [], "b", set_on=TODAY, today=TODAY), InvalidInput, "targets"),
            (lambda: setting.set_targets(2021, [good[0], good[0]], "b", set_on=TODAY, today=TODAY), InvalidInput,
             "targets[1].target_id"),
            (lambda: setting.set_targets(2021, good, "b", set_on=date(2022, 1, 1), today=TODAY), OutOfOrder,
             "set_on")):
        with pytest.raises(error) as caught:
            call()
        assert caught.value.field == field
    with pytest.raises(NotAllowed) as caught:
        setting.set_targets(2022, good, "b", set_on=TODAY, today=TODAY)
    assert caught.value.field == "plan_year"
