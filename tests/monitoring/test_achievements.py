"""What a plan year's ratings count towards: each product once per target, in the round (the n-th decision of the
level, by date) it first met it; decisions on failed inspections, expiries and other years count for nothing."""

from __future__ import annotations

from datetime import date

from services.monitoring.domain.achievements import UNKNOWN_DISTRICT, HeardRating, counts, rounds, stars_rated
from services.monitoring.domain.targets import Count, Target, YearTargets, progress
from services.monitoring.domain.values import CertificateRef, DecisionRef, RatingFact

APRIL, AUGUST, JUNE = (DecisionRef(n, d, "UBND tỉnh Thanh Hóa") for n, d in (
    ("1114/QĐ-UBND", date(2021, 4, 6)), ("3001/QĐ-UBND", date(2021, 8, 20)), ("2010/QĐ-UBND", date(2021, 6, 15))))
CERT = CertificateRef("GCN-1", date(2021, 4, 6), date(2024, 4, 5))


def heard(product: str, status: str = "recognized", stars: int = 4, decision: DecisionRef | None = APRIL, *,
          district: str | None = "380", level: str = "provincial", year: int = 2021,
          inspection_id: str | None = None) -> HeardRating:
    certificate = CERT if status == "recognized" else None
    return HeardRating(product, district, RatingFact(f"ev-{product}", year, level, stars, status, decision,
                                                     certificate, None, inspection_id))


def test_rounds_are_each_level_s_decisions_of_the_year_numbered_by_date():
    ratings = [heard("a", decision=AUGUST).rating, heard("b", decision=APRIL).rating, heard("c", decision=JUNE).rating,
               heard("d", decision=APRIL, level="central").rating, heard("e", decision=APRIL, year=2020).rating]
    assert rounds(ratings, 2021) == {("provincial", APRIL): 1, ("provincial", JUNE): 2, ("provincial", AUGUST): 3,
                                     ("central", APRIL): 1}


def test_an_upgraded_product_counts_once_in_the_round_it_first_met_each_target():
    upgraded = [heard("a", stars=3, decision=APRIL), heard("a", stars=4, decision=AUGUST)]
    assert counts(upgraded, 2021, min_stars=3) == (Count("recognised", "provincial", 3, 1, "380", 1),)
    assert counts(upgraded, 2021, min_stars=4) == (Count("recognised", "provincial", 4, 2, "380", 1),)


def test_decisions_on_inspections_expiries_refusals_and_other_years_achieve_nothing():
    ignored = [heard("w", inspection_id="KT-1"), heard("x", "expired", 0, None), heard("y", "not_recognized", 2),
               heard("z", year=2022), heard("v", "revoked", 0, inspection_id="KT-2")]
    assert counts(ignored, 2021) == ()


def test_proposals_count_at_their_level_and_a_district_s_forwarding_belongs_to_no_round():
    proposals = [heard("a", "proposed", 4, None, level="district", district=None),
                 heard("b", "proposed", 4, JUNE, district="394")]
    assert set(counts(proposals, 2021)) == {Count("proposed", "district", 4, None, UNKNOWN_DISTRICT, 1),
                                            Count("proposed", "provincial", 4, 1, "394", 1)}


def test_progress_of_a_target_sums_its_counts_by_round_and_district():
    target = Target("t", "Sản phẩm 3 sao trở lên", "recognised", "provincial", 3, 3)
    ratings = [heard("a", decision=APRIL), heard("b", decision=JUNE, district="394"), heard("c", stars=2)]
    [p] = progress(YearTargets(2021, "KH 75", (target,)), counts(ratings, 2021, 3), ("380", "394", "395"))
    assert (p.achieved, p.remaining, p.met) == (2, 1, False)
    assert dict(p.by_round) == {1: 1, 2: 1} and dict(p.by_district) == {"380": 1, "394": 1, "395": 0}


def test_ratings_by_star_take_each_product_s_latest_council_result():
    ratings = [heard("a", "proposed", 3, None, level="district"), heard("a", stars=4), heard("b", "not_recognized", 2),
               heard("c", "revoked", 0, inspection_id="KT-3")]
    assert stars_rated(ratings, 2021) == {0: 0, 1: 0, 2: 1, 3: 0, 4: 1, 5: 0}
