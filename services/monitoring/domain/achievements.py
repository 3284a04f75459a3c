"""What a plan year's ProductRated results count towards: programme targets (``targets.Count``) and the star figures
of a district's report. Pure: a read model hands over the ratings it heard, in the order heard.

- A **council result** is a rating a council decided in the plan year (its ``cycle_year``): recognised, not
  recognised or proposed to the next level, and not a decision on a failed inspection (a warning or a re-rating
  after one is no new recognition).
- A result **achieves** ``recognised`` at its level when it recognised the product with a certificate (3★–5★), or
  ``proposed`` when its level proposed the product to the next level's council.
- A **round** (đợt) of a level is one of its decisions in the plan year, numbered 1, 2, … by date (then number);
  results without a decision (a district council forwarding products) belong to no round.
- A product counts **once** towards a target: in the round its first result meeting the target (measure, level,
  at least its stars) came.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from services.monitoring.domain.certificates import CERTIFIED_STARS
from services.monitoring.domain.targets import Count
from services.monitoring.domain.values import DecisionRef, RatingFact

UNKNOWN_DISTRICT = "unknown"
"""Where a rating counts while the product's ProductRegistered has not been heard (it travels on another topic)."""
COUNCIL_STATUSES = ("recognized", "not_recognized", "proposed")


@dataclass(frozen=True)
class HeardRating:
    """One ProductRated about a product, with the product's district as the register knows it (None: not yet)."""

    product_id: str
    district_code: str | None
    rating: RatingFact


def council_result(rating: RatingFact, plan_year: int) -> bool:
    return rating.cycle_year == plan_year and rating.status in COUNCIL_STATUSES and rating.inspection_id is None


def achievement(rating: RatingFact, plan_year: int) -> str | None:
    """The measure a rating achieves at its level in ``plan_year`` (``recognised`` | ``proposed``), or None."""
    if not council_result(rating, plan_year):
        return None
    if rating.status == "recognized" and rating.certificate is not None and rating.stars in CERTIFIED_STARS:
        return "recognised"
    return "proposed" if rating.status == "proposed" else None


def rounds(ratings: Iterable[RatingFact], plan_year: int) -> Mapping[tuple[str, DecisionRef], int]:
    """(level, decision) → its round: each level's decisions on council results of the year, by date then number."""
    decisions: dict[str, set[DecisionRef]] = {}
    for rating in ratings:
        if rating.decision is not None and council_result(rating, plan_year):
            decisions.setdefault(rating.level, set()).add(rating.decision)
    return {(level, decision): n
            for level, taken in decisions.items()
            for n, decision in enumerate(sorted(taken, key=lambda d: (d.date, d.number)), 1)}


def counts(heard: Sequence[HeardRating], plan_year: int, min_stars: int = 0) -> tuple[Count, ...]:
    """What ``targets.progress`` sums for a target from ``min_stars`` up: each product once per measure and level,
    in the round its first result with at least ``min_stars`` came (results outside rounds after every round)."""
    numbered = rounds((h.rating for h in heard), plan_year)
    first: dict[tuple[str, str, str], tuple[int, int | None, int, str]] = {}  # → (order, round, stars, district)
    for h in heard:
        r, measure = h.rating, achievement(h.rating, plan_year)
        if measure is None or r.stars < min_stars:
            continue
        round_ = numbered.get((r.level, r.decision)) if r.decision is not None else None
        order = round_ if round_ is not None else len(numbered) + 1
        key = (h.product_id, measure, r.level)
        if key not in first or order < first[key][0]:
            first[key] = (order, round_, r.stars, h.district_code or UNKNOWN_DISTRICT)
    tally = Counter((measure, level, stars, round_, district)
                    for (_, measure, level), (_, round_, stars, district) in first.items())
    return tuple(Count(m, lv, s, rd, d, n) for (m, lv, s, rd, d), n in sorted(tally.items(), key=str))


def stars_rated(heard: Sequence[HeardRating], plan_year: int) -> Mapping[int, int]:
    """Star (0–5) → products whose latest council result of the year gave them that star (every star listed)."""
    latest = {h.product_id: h.rating.stars for h in heard if council_result(h.rating, plan_year)}
    tally = Counter(latest.values())
    return {stars: tally.get(stars, 0) for stars in range(6)}
