"""The council's result (hội đồng đánh giá, phân hạng): exact mean, half-open bands, quorum, spread, 781 minimums."""

from __future__ import annotations

from fractions import Fraction

import pytest

from services.rating.domain.catalogue import parse_catalogue
from services.rating.domain.errors import NotReady
from services.rating.domain.levels import centre_outcome, district_forwards, province_outcome, shown_below_centre
from services.rating.domain.policy import DEFAULT_POLICY, RatingPolicy
from services.rating.domain.scoring import council_result, two_decimals
from tests.rating.support import card_with_total, raw_catalogue, shipped

CATALOGUE = shipped()
SET1 = CATALOGUE.sheet(1)
MEMBERS = ("chair", "m1", "m2", "m3")


def council(*totals: int, product_set: int = 1, policy: RatingPolicy = DEFAULT_POLICY, catalogue=CATALOGUE, **fixed):
    """Members chair, m1, m2… score the given totals (the chair first); all members of MEMBERS or more."""
    sheet = catalogue.sheet(product_set)
    names = ("chair", "m1", "m2", "m3", "m4", "m5")[: len(totals)]
    cards = {name: card_with_total(sheet, total, **fixed) for name, total in zip(names, totals)}
    members = names if len(names) >= len(MEMBERS) else MEMBERS[: max(len(names), 1)]
    return council_result(catalogue, product_set, cards, members, "chair", policy)


# ------------------------------------------------------------------------------------------ mean and bands

def test_the_mean_is_exact_so_69_70_70_is_3_stars_not_4():
    result = council(69, 70, 70)
    assert result.mean == Fraction(209, 3) and result.mean_display == "69.67"
    assert result.band_stars == 3 and result.stars == 3


def test_a_mean_of_89_5_is_4_stars():
    result = council(89, 90, 90, 89)
    assert result.mean == Fraction(179, 2) and result.mean_display == "89.50" and result.stars == 4


def test_a_mean_of_exactly_90_is_in_the_5_star_band():
    assert council(90, 91, 89).band_stars == 5


def test_the_shown_mean_is_rounded_half_up_to_two_decimals_only_for_display():
    assert two_decimals(Fraction(69665, 1000)) == "69.67"
    assert two_decimals(Fraction(200, 3)) == "66.67" and two_decimals(Fraction(100)) == "100.00"
    assert two_decimals(Fraction(124, 1000)) == "0.12"


def test_the_result_keeps_each_members_total_for_audit():
    assert council(60, 62, 64).totals == {"chair": 60, "m1": 62, "m2": 64}


# ------------------------------------------------------------------------------------------- quorum and chair

def test_three_of_four_members_including_the_chair_reach_the_quorum():
    cards = {m: card_with_total(SET1, 75) for m in ("chair", "m1", "m2")}
    assert council_result(CATALOGUE, 1, cards, MEMBERS, "chair").stars == 4


def test_fewer_than_three_quarters_of_the_members_cannot_give_a_result():
    cards = {m: card_with_total(SET1, 75) for m in ("chair", "m1", "m2")}
    with pytest.raises(NotReady) as caught:
        council_result(CATALOGUE, 1, cards, MEMBERS + ("m4",), "chair")
    assert caught.value.field == "scorecards"


def test_without_the_chairs_scorecard_there_is_no_result_unless_the_policy_allows_it():
    cards = {m: card_with_total(SET1, 75) for m in ("m1", "m2", "m3")}
    with pytest.raises(NotReady) as caught:
        council_result(CATALOGUE, 1, cards, MEMBERS, "chair")
    assert caught.value.field == "chair_id"
    assert council_result(CATALOGUE, 1, cards, MEMBERS, "chair", RatingPolicy(chair_required=False)).stars == 4


def test_a_scorecard_from_outside_the_council_is_refused():
    cards = {m: card_with_total(SET1, 75) for m in ("chair", "m1", "m2", "stranger")}
    with pytest.raises(NotReady) as caught:
        council_result(CATALOGUE, 1, cards, MEMBERS, "chair")
    assert caught.value.field == "stranger"


def test_a_scorecard_for_another_product_set_is_refused():
    cards = {m: card_with_total(SET1, 75) for m in MEMBERS}
    with pytest.raises(NotReady):
        council_result(CATALOGUE, 7, cards, MEMBERS, "chair")


def test_the_quorum_is_a_setting():
    cards = {m: card_with_total(SET1, 75) for m in ("chair", "m1")}
    assert council_result(CATALOGUE, 1, cards, MEMBERS, "chair", RatingPolicy(quorum=Fraction(1, 2))).stars == 4


# ------------------------------------------------------------------------------------------------------ spread

def test_totals_more_than_10_points_apart_cannot_be_finalised_until_rescored():
    result = council(60, 71, 65)
    assert result.spread == 11 and not result.finalisable and "re-score" in result.blockers[0]


def test_totals_exactly_10_points_apart_can_be_finalised():
    assert council(60, 70, 65).finalisable


def test_the_spread_check_can_be_disabled_or_widened():
    assert council(40, 71, 65, policy=RatingPolicy(spread_check_enabled=False)).finalisable
    assert council(60, 75, 65, policy=RatingPolicy(max_spread=15)).finalisable


# ----------------------------------------------------------------------------------------- minimum criteria (781)

def test_a_missing_declared_standard_lowers_a_4_star_mean_to_2_stars():
    result = council(80, 80, 80, C2_1="dossier")
    assert result.band_stars == 4 and result.stars == 2
    assert result.unmet_minimums == ("m3-declared-standard",)


def test_without_even_a_quality_dossier_the_product_keeps_only_1_star():
    assert council(80, 80, 80, C2_1="none").stars == 1


def test_a_missing_control_plan_lowers_the_star_but_not_for_handicraft():
    assert council(75, 75, 75, C2_3="plan").stars == 2
    assert council(75, 75, 75, product_set=23, C2_3="plan").stars == 4


def test_community_tourism_is_exempt_from_the_minimums():
    assert council(92, 92, 91, product_set=26, C2_1="none", C2_3="none").stars == 5


def test_a_minimum_is_met_when_a_majority_of_the_scorecards_meet_it():
    cards = {"chair": card_with_total(SET1, 80), "m1": card_with_total(SET1, 80),
             "m2": card_with_total(SET1, 80, C2_1="dossier")}
    assert council_result(CATALOGUE, 1, cards, MEMBERS[:3], "chair").stars == 4
    strict = RatingPolicy(minimum_evaluation="all")
    assert council_result(CATALOGUE, 1, cards, MEMBERS[:3], "chair", strict).stars == 2


def test_a_tie_between_scorecards_does_not_meet_a_minimum():
    cards = {m: card_with_total(SET1, 80, C2_1="declared" if m in ("chair", "m1") else "dossier") for m in MEMBERS}
    assert council_result(CATALOGUE, 1, cards, MEMBERS, "chair").stars == 2


def test_unverified_minimums_count_only_when_the_policy_enforces_them():
    assert council(80, 80, 80, C1_7="p2").stars == 4
    assert council(80, 80, 80, C1_7="p2", policy=RatingPolicy(enforce_unverified_minimums=True)).stars == 3


def test_the_not_ranked_policy_gives_0_stars_when_the_bands_minimums_fail():
    assert council(80, 80, 80, C2_1="dossier", policy=RatingPolicy(below_minimum="not_ranked")).stars == 0


def test_a_product_missing_even_the_1_star_minimums_is_not_ranked():
    raw = raw_catalogue()
    raw["minimums"]["rules"].append({"id": "m1-test", "stars": 1, "status": "verified", "product_sets": [1],
                                     "criterion": "A1.6", "at_least": 1})
    catalogue = parse_catalogue(raw)
    assert council(80, 80, 80, catalogue=catalogue, A1_6="p0").stars == 0
    assert council(80, 80, 80, catalogue=catalogue, A1_6="p1").stars == 4


# ------------------------------------------------------------------------------------------------ level gates

LEVELS = CATALOGUE.levels


def province(result, **kwargs):
    return province_outcome(result.mean, result.stars, LEVELS, **kwargs)


def test_the_district_forwards_a_mean_of_50_but_not_49_67():
    assert district_forwards(council(50, 50, 50).mean, LEVELS)
    assert not district_forwards(council(49, 50, 50).mean, LEVELS)


def test_a_result_over_the_spread_cannot_be_acted_on():
    with pytest.raises(NotReady) as refused:
        council(60, 71, 65).final()
    assert refused.value.field == "scorecards" and "re-score" in str(refused.value)
    assert council(60, 70, 65).final().mean == 65


def test_the_province_certifies_3_and_4_stars_and_never_5():
    assert province(council(75, 75, 75), first_time=True).certificate_stars == 4
    assert province(council(55, 55, 55), first_time=True).certificate_stars == 3
    assert province(council(45, 45, 45), first_time=True).certificate_stars is None


def test_a_first_time_product_at_90_is_proposed_to_the_centre_without_a_provincial_certificate_by_default():
    outcome = province(council(92, 92, 92), first_time=True)
    assert outcome.propose_to_centre and outcome.certificate_stars is None
    allowed = RatingPolicy(certify_first_time_90_at_province=True)
    assert province(council(92, 92, 92), first_time=True, policy=allowed).certificate_stars == 4


def test_a_product_already_holding_a_star_keeps_it_while_the_centre_decides_the_upgrade():
    allowed = RatingPolicy(certify_first_time_90_at_province=True)
    outcome = province(council(92, 92, 92), first_time=False, policy=allowed)
    assert outcome.propose_to_centre and outcome.certificate_stars is None


def test_only_the_centre_issues_5_stars():
    assert centre_outcome(council(95, 95, 95).stars, LEVELS) == 5
    assert centre_outcome(council(85, 85, 85).stars, LEVELS) is None
    assert province(council(99, 99, 99), first_time=True,
                    policy=RatingPolicy(certify_first_time_90_at_province=True)).certificate_stars == 4
    assert shown_below_centre(council(95, 95, 95).stars, LEVELS) == 4
