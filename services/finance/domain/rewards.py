"""How much a recognition earns: the ONE function applying the tariff and the policy of OCOP-RULES §9.3.

``decide_reward`` looks at the recognition, what the product already keeps from earlier rewards (``RewardHistory``)
and the tariff in force; it answers an amount (0 = nothing to pay), the name of the rule that decided it, the tariff
entry used and flags for a finance officer. Rule names:

    first_reward               no lower star rewarded: the star's full tariff
    upgrade_difference         3★ → 4★: the new tariff less what the product keeps (policy ``difference``)
    upgrade_full_new_tariff    3★ → 4★: the new star's full tariff
    upgrade_fixed_amount       3★ → 4★: the table's fixed sum for the upgrade
    five_star_difference       5★ after a rewarded lower star: 100 M less what the product keeps
    five_star_full             5★ after a rewarded lower star: the full tariff
    already_rewarded_at_star   re-certification at a star already rewarded: nothing (one reward per star)
    recertification_full_tariff  the same, when the policy pays again
    below_rewarded_star        a star under one already rewarded: nothing
    no_reward_for_star         the tariff marks the star as earning nothing
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from services.finance.domain.errors import TariffError
from services.finance.domain.policy import FinancePolicy
from services.finance.domain.recognitions import Recognition
from services.finance.domain.tariffs import Tariff, TariffRef, TariffTable


@dataclass(frozen=True)
class RewardHistory:
    """What the product keeps from its earlier rewards: star → amount (claims neither cancelled nor recovered)."""

    kept: Mapping[int, int]

    @property
    def highest(self) -> int:
        return max(self.kept, default=0)

    def below(self, stars: int) -> int:
        return sum(amount for star, amount in self.kept.items() if star < stars)


@dataclass(frozen=True)
class RewardDecision:
    amount: int
    rule: str
    tariff: TariffRef
    flags: tuple[str, ...] = ()

    @property
    def plan_year(self) -> int:
        """The plan year whose budget pays: the tariff entry's."""
        return self.tariff.plan_year


def decide_reward(recognition: Recognition, history: RewardHistory, table: TariffTable,
                  policy: FinancePolicy) -> RewardDecision:
    tariff = table.select(policy, recognition.decision.date, recognition.cycle_year)
    flags = ("decided_outside_cycle_year",) if recognition.decision.date.year != recognition.cycle_year else ()
    amount, rule = _amount(recognition.stars, history, tariff, policy)
    if recognition.stars == 5 and rule.startswith("five_star"):
        flags += ("five_star_after_lower_reward",)
    return RewardDecision(amount, rule, tariff.ref, flags)


def _amount(stars: int, history: RewardHistory, tariff: Tariff, policy: FinancePolicy) -> tuple[int, str]:
    full = tariff.amount(stars)
    if stars in history.kept:
        if policy.reward_once_per_star:
            return 0, "already_rewarded_at_star"
        return (0, "no_reward_for_star") if full is None else (full, "recertification_full_tariff")
    if stars < history.highest:
        return 0, "below_rewarded_star"
    if full is None:
        return 0, "no_reward_for_star"
    if not history.kept:
        return full, "first_reward"
    top_up = max(full - history.below(stars), 0)
    if stars == 5:
        return (full, "five_star_full") if policy.five_star_payment == "full" else (top_up, "five_star_difference")
    if policy.upgrade_payment == "full_new_tariff":
        return full, "upgrade_full_new_tariff"
    if policy.upgrade_payment == "difference":
        return top_up, "upgrade_difference"
    fixed = tariff.upgrades.get((history.highest, stars))
    if fixed is None:
        raise TariffError(f"{tariff.entry()}: the policy pays upgrades as fixed_amount but the entry has no sum for "
                          f"{history.highest}★ → {stars}★", field="upgrades")
    return fixed, "upgrade_fixed_amount"
