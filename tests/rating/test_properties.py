"""Properties of the rating arithmetic over generated councils: exact mean, star within its band, no 5★ below the centre."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from services.rating.domain.certificates import valid_until
from services.rating.domain.levels import district_forwards, province_outcome
from services.rating.domain.policy import RatingPolicy
from services.rating.domain.scoring import Scorecard, council_result, validate_scorecard
from tests.rating.support import shipped

CATALOGUE = shipped()
PRODUCT_SETS = st.sampled_from(sorted(CATALOGUE.sheets))
POLICIES = st.builds(RatingPolicy, spread_check_enabled=st.just(False),
                     minimum_evaluation=st.sampled_from(("majority", "all")),
                     below_minimum=st.sampled_from(("lower_star", "not_ranked")),
                     certify_first_time_90_at_province=st.booleans())


@st.composite
def council(draw: st.DrawFn) -> tuple[int, dict[str, Scorecard]]:
    """A product set and 3–9 members' scorecards with any option on every criterion."""
    product_set = draw(PRODUCT_SETS)
    sheet = CATALOGUE.sheet(product_set)
    members = draw(st.integers(min_value=3, max_value=9))
    cards = {}
    for n in range(members):
        choices = {cid: draw(st.sampled_from([o.id for o in c.options])) for cid, c in sheet.criteria.items()}
        cards[f"m{n}"] = validate_scorecard(sheet, choices)
    return product_set, cards


def result(product_set: int, cards: dict[str, Scorecard], policy: RatingPolicy):
    return council_result(CATALOGUE, product_set, cards, list(cards), "m0", policy)


@settings(max_examples=150, deadline=None)
@given(council(), POLICIES)
def test_the_mean_is_exact_and_the_star_never_exceeds_the_band_of_the_mean(drawn, policy):
    product_set, cards = drawn
    r = result(product_set, cards, policy)
    assert r.mean == Fraction(sum(c.total for c in cards.values()), len(cards))
    assert r.band_stars == CATALOGUE.band(r.mean)
    assert 0 <= r.stars <= r.band_stars
    assert r.spread == max(c.total for c in cards.values()) - min(c.total for c in cards.values())


@settings(max_examples=150, deadline=None)
@given(council(), POLICIES, st.booleans())
def test_no_district_or_provincial_outcome_ever_yields_5_stars(drawn, policy, first_time):
    product_set, cards = drawn
    r = result(product_set, cards, policy)
    levels = CATALOGUE.levels
    outcome = province_outcome(r.mean, r.stars, levels, first_time=first_time, policy=policy)
    assert outcome.certificate_stars is None or outcome.certificate_stars in (3, 4)
    assert outcome.propose_to_centre == (r.mean >= 90)
    assert district_forwards(r.mean, levels) == (r.mean >= 50)


@settings(max_examples=60, deadline=None)
@given(council(), st.sampled_from(["district", "provincial"]))
def test_a_dossier_never_records_5_stars_below_the_centre(drawn, level):
    from tests.rating.test_rounds_domain import dossier, published, run  # the pure season helpers

    product_set, cards = drawn
    total = round(sum(c.total for c in cards.values()) / len(cards))
    d = dossier("p")
    run("district", {"p": d}, {"p": (total,) * 4}, held=date(2021, 3, 1), name="d")
    if level == "provincial" and d.stage == "provincial":
        run("provincial", {"p": d}, {"p": (total,) * 4}, held=date(2021, 4, 1), decision=date(2021, 4, 6), name="p")
    stars = [r["stars"] for r in published(d.collect())]
    assert stars and max(stars) <= 4
    assert d.holds is None or d.holds.stars <= 4


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=date(2019, 1, 1), max_value=date(2030, 12, 31)), st.sampled_from(["clamp", "roll_forward"]))
def test_a_certificate_lasts_36_months_to_the_same_day_or_the_month_end_rule(issued, rule):
    last = valid_until(issued, 36, rule)
    months = (last.year - issued.year) * 12 + last.month - issued.month
    if last.day == issued.day:
        assert months == 36
    elif rule == "clamp":
        assert months == 36 and issued.day > last.day
    else:
        assert months == 37 and last.day == 1 and issued.day > 28
