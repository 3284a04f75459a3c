"""Settings of the rating rules that the sources leave open ([U] / [POLICY] in OCOP-RULES).

Each default is the one the rules file recommends; the reason is given next to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

MINIMUM_EVALUATIONS = ("majority", "all")
BELOW_MINIMUM = ("lower_star", "not_ranked")
MONTH_END_RULES = ("clamp", "roll_forward")


@dataclass(frozen=True)
class RatingPolicy:
    """Chính sách đánh giá, phân hạng.

    quorum: share of the council members (chair included) who must have scored — 3/4 [U] §5.3 (Tây Ninh rule).
    chair_required: the chair (chủ tịch hội đồng) must be among the scorers — part of the same quorum rule [U].
    max_spread: the largest allowed gap between two members' totals — 10 points [U] §5.3.
    spread_check_enabled: when true and the spread is exceeded, the result cannot be finalised until re-scored [U].
    minimum_evaluation: how a 781 minimum criterion is judged over the members' scorecards — §5.5 is silent [POLICY]:
        "majority" (default): met when more than half of the scorecards meet it (a tie is not met: the product must
        show it); "all": every scorecard must meet it.
    enforce_unverified_minimums: also enforce minimum rules tagged "unverified" in minimums.json — default false,
        so a star is never withheld on a guessed threshold; the verified rules are always enforced.
    below_minimum: when the band's minimums fail — "lower_star" (default, the issue: highest star whose band is at or
        under the mean and whose minimums are met) or "not_ranked" (§5.5 literal formula: 0).
    certify_first_time_90_at_province: a first-time product scoring ≥ 90 at province also gets a provincial 4★
        certificate while forwarded to the centre — §6 [POLICY]; default false, as Quảng Nam did.
    certificate_months: validity of a certificate (giấy chứng nhận) — 36 months [V*] §7.
    month_end_rule: issue dates 29–31 whose day does not exist in the target month — "clamp" to its last day
        (default, §7 [POLICY]) or "roll_forward" to the 1st of the next month.
    renewal_window_days: a certified product examined by a provincial round held this many days or fewer before its
        certificate's last valid day (or after it) is re-evaluated at the end of its validity (đánh giá lại khi hết
        hạn, §7: "must be rated again to keep the status"; procedure [U]): a result at its star renews the
        certificate for a new period. Earlier, the examination is an upgrade request, and a result at its star
        confirms it: the certificate is kept. Default 180 [U]; 0: never renewed, always confirmed.
    """

    quorum: Fraction = Fraction(3, 4)
    chair_required: bool = True
    max_spread: int = 10
    spread_check_enabled: bool = True
    minimum_evaluation: str = "majority"
    enforce_unverified_minimums: bool = False
    below_minimum: str = "lower_star"
    certify_first_time_90_at_province: bool = False
    certificate_months: int = 36
    month_end_rule: str = "clamp"
    renewal_window_days: int = 180

    def __post_init__(self) -> None:
        if not 0 < self.quorum <= 1:
            raise ValueError(f"quorum must be in (0, 1], not {self.quorum}")
        if self.max_spread < 0 or self.certificate_months <= 0 or self.renewal_window_days < 0:
            raise ValueError("max_spread and renewal_window_days must be ≥ 0, certificate_months > 0")
        for name, allowed in (("minimum_evaluation", MINIMUM_EVALUATIONS), ("below_minimum", BELOW_MINIMUM),
                              ("month_end_rule", MONTH_END_RULES)):
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {getattr(self, name)!r}")


DEFAULT_POLICY = RatingPolicy()
