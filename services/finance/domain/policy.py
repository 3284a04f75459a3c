"""Settings of the reward rules the sources leave open (OCOP-RULES §9.3 [POLICY]).

Each default is the one §9.3 recommends, or, where it offers options without choosing, the one given with its
reason below. ``services/finance/config.py`` builds a ``FinancePolicy`` from the service's settings.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.finance.domain.values import BUDGET_LINES

UPGRADE_PAYMENTS = ("full_new_tariff", "difference", "fixed_amount")
FIVE_STAR_PAYMENTS = ("difference", "full")
TARIFF_YEAR_RULES = ("decision_date", "cycle_year")
APPROVALS = ("automatic", "manual")


@dataclass(frozen=True)
class FinancePolicy:
    """Chính sách khen thưởng.

    reward_once_per_star: one reward per (product, star level) ever reached; a re-certification at the same star
        earns nothing (§9.3 default). False pays the star's full tariff again for each new recognition decision.
    upgrade_payment: a provincial upgrade (3★ → 4★ after a 3★ reward) — §9.3 lists the options without choosing:
        "difference" (default: 20 M − 10 M = 10 M, so a product never holds more than its highest star's tariff;
        the plan pays "per product" for reaching a star), "full_new_tariff", or "fixed_amount" (the sum the tariff
        table names for that upgrade; a table without it is refused when checked against this policy).
    five_star_payment: a 5★ product whose lower star was already rewarded — "difference" (default, the first option
        of §9.3, same reasoning) or "full" (100 M on top). Such claims carry the flag ``five_star_after_lower_reward``.
    tariff_year_by: which tariff applies — "decision_date" (default, §9.3: the entry whose effective period holds the
        recognition decision's date) or "cycle_year" (the entry of the rating cycle's year). A decision outside its
        cycle's year is flagged ``decided_outside_cycle_year`` either way.
    approval: "automatic" (default: a claim that fits its line is approved with the recognition decision as its
        reference) or "manual" (a finance officer approves each claim with a decision of their own).
    reward_line / reward_source: the budget line and funding source a reward claim draws on by default.
    """

    reward_once_per_star: bool = True
    upgrade_payment: str = "difference"
    five_star_payment: str = "difference"
    tariff_year_by: str = "decision_date"
    approval: str = "automatic"
    reward_line: str = "rewards"
    reward_source: str = "ntm"

    def __post_init__(self) -> None:
        for name, allowed in (("upgrade_payment", UPGRADE_PAYMENTS), ("five_star_payment", FIVE_STAR_PAYMENTS),
                              ("tariff_year_by", TARIFF_YEAR_RULES), ("approval", APPROVALS)):
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {getattr(self, name)!r}")
        if self.reward_line not in BUDGET_LINES:
            raise ValueError(f"reward_line must be one of {', '.join(BUDGET_LINES)}, not {self.reward_line!r}")
        if not self.reward_source.strip():
            raise ValueError("reward_source must name a funding source")


DEFAULT_POLICY = FinancePolicy()
