"""Members' scorecards (phiếu đánh giá) and the council's result (kết quả của hội đồng đánh giá, phân hạng).

The result is the exact mean of the members' totals (a Fraction, never rounded before banding), the band of that
mean, and the star (hạng sao): the highest band at or under the mean whose 781 minimum criteria are met.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from services.rating.domain.catalogue import Catalogue
from services.rating.domain.errors import InvalidScorecard, NotReady
from services.rating.domain.minimums import MinimumRule
from services.rating.domain.policy import DEFAULT_POLICY, RatingPolicy
from services.rating.domain.sheets import Criterion, Option, Sheet


@dataclass(frozen=True)
class Scorecard:
    """One member's checked choices: criterion id → the option ticked."""

    product_set: int
    choices: Mapping[str, Option]

    @property
    def total(self) -> int:
        return sum(o.points for o in self.choices.values())


def _option_for(criterion: Criterion, value: int | str) -> Option:
    """A choice is an option id (str) or its points (int); points shared by several options must name the option."""
    if isinstance(value, str):
        chosen = criterion.option(value)
        if chosen is None:
            ids = ", ".join(o.id for o in criterion.options)
            raise InvalidScorecard(f"criterion {criterion.id}: no option {value!r} (options: {ids})", field=criterion.id)
        return chosen
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidScorecard(f"criterion {criterion.id}: give an option id or its points, not {value!r}", field=criterion.id)
    matches = criterion.worth(value)
    if not matches:
        allowed = ", ".join(str(p) for p in sorted({o.points for o in criterion.options}))
        raise InvalidScorecard(f"criterion {criterion.id}: {value} points is not an option (allowed: {allowed})",
                               field=criterion.id)
    if len(matches) > 1:
        raise InvalidScorecard(f"criterion {criterion.id}: {value} points fits options {', '.join(o.id for o in matches)};"
                               " name the option", field=criterion.id)
    return matches[0]


def validate_scorecard(sheet: Sheet, choices: Mapping[str, int | str]) -> Scorecard:
    """Exactly one option per criterion of the sheet; the error's ``field`` is the criterion at fault."""
    unknown = sorted(set(choices) - set(sheet.criteria))
    if unknown:
        raise InvalidScorecard(f"criterion {unknown[0]} is not on the sheet of {sheet.entry}", field=unknown[0])
    missing = [c for c in sheet.criteria if c not in choices]
    if missing:
        raise InvalidScorecard(f"criterion {missing[0]} has no choice (missing: {', '.join(missing)})", field=missing[0])
    return Scorecard(sheet.product_set, {cid: _option_for(c, choices[cid]) for cid, c in sheet.criteria.items()})


def two_decimals(mean: Fraction) -> str:
    """For showing only: round half up to 2 decimals (69.665 → "69.67"); banding uses the exact mean."""
    hundredths = (mean * 100 + Fraction(1, 2)).__floor__()
    return f"{hundredths // 100}.{hundredths % 100:02d}"


@dataclass(frozen=True)
class CouncilResult:
    product_set: int
    totals: Mapping[str, int]
    mean: Fraction
    band_stars: int
    stars: int
    spread: int
    finalisable: bool
    unmet_minimums: tuple[str, ...] = ()
    blockers: tuple[str, ...] = field(default=())

    @property
    def mean_display(self) -> str:
        return two_decimals(self.mean)

    def final(self) -> CouncilResult:
        """This result, if it may be acted on: members' totals over the spread must be re-scored first (NotReady)."""
        if not self.finalisable:
            raise NotReady("; ".join(self.blockers), field="scorecards")
        return self


def _check_ready(product_set: int, scorecards: Mapping[str, Scorecard], members: Collection[str], chair_id: str,
                 policy: RatingPolicy) -> None:
    if chair_id not in members:
        raise NotReady(f"the chair {chair_id!r} is not a member of the council", field="chair_id")
    for member, card in scorecards.items():
        if member not in members:
            raise NotReady(f"{member!r} is not a member of the council", field=member)
        if card.product_set != product_set:
            raise NotReady(f"{member!r} scored product set {card.product_set}, not {product_set}", field=member)
    if len(scorecards) < policy.quorum * len(members):
        raise NotReady(f"{len(scorecards)} of {len(members)} members scored; the quorum is {policy.quorum} of the members",
                       field="scorecards")
    if policy.chair_required and chair_id not in scorecards:
        raise NotReady("the chair has not scored; the quorum includes the chair", field="chair_id")


def _met(rule: MinimumRule, cards: Collection[Scorecard], how: str) -> bool:
    votes = [rule.met_by(card.choices[rule.criterion]) for card in cards]
    return all(votes) if how == "all" else 2 * sum(votes) > len(votes)


def _unmet(catalogue: Catalogue, product_set: int, stars: int, cards: Collection[Scorecard], policy: RatingPolicy) -> tuple[str, ...]:
    rules = catalogue.minimums(stars, product_set, include_unverified=policy.enforce_unverified_minimums)
    return tuple(r.id for r in rules if not _met(r, cards, policy.minimum_evaluation))


def _star(catalogue: Catalogue, product_set: int, band_stars: int, cards: Collection[Scorecard],
          policy: RatingPolicy) -> tuple[int, tuple[str, ...]]:
    """The star and the minimums the band's star missed; 0 (not ranked) when no allowed star has its minimums."""
    unmet = _unmet(catalogue, product_set, band_stars, cards, policy)
    candidates = range(band_stars, 0, -1) if policy.below_minimum == "lower_star" else (band_stars,)
    for stars in candidates:
        if not _unmet(catalogue, product_set, stars, cards, policy):
            return stars, unmet
    return 0, unmet


def council_result(catalogue: Catalogue, product_set: int, scorecards: Mapping[str, Scorecard], members: Collection[str],
                   chair_id: str, policy: RatingPolicy = DEFAULT_POLICY) -> CouncilResult:
    """Scorecards by member id; refused (NotReady) below quorum or without the chair; not finalisable over the spread."""
    _check_ready(product_set, scorecards, members, chair_id, policy)
    totals = {member: card.total for member, card in scorecards.items()}
    mean = Fraction(sum(totals.values()), len(totals))
    spread = max(totals.values()) - min(totals.values())
    band_stars = catalogue.band(mean)
    stars, unmet = _star(catalogue, product_set, band_stars, list(scorecards.values()), policy)
    blockers: tuple[str, ...] = ()
    if policy.spread_check_enabled and spread > policy.max_spread:
        blockers = (f"members' totals differ by {spread} points, over the maximum {policy.max_spread}: re-score",)
    return CouncilResult(product_set, totals, mean, band_stars, stars, spread, not blockers, unmet, blockers)
