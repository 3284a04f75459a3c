"""Settings of the finance service (``OCOP_FINANCE_*``): the [POLICY] choices of OCOP-RULES §9.3 and the tariff file.

Every default is the one §9.3 recommends (``FinancePolicy`` documents each). Read by ``bootstrap`` when the service
starts, never at import time; a value outside its options stops the service at start.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.finance.domain.policy import FinancePolicy
from services.finance.domain.tariffs import SHIPPED


class FinanceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OCOP_FINANCE_", extra="ignore")

    reward_once_per_star: bool = True
    upgrade_payment: Literal["full_new_tariff", "difference", "fixed_amount"] = "difference"
    five_star_payment: Literal["difference", "full"] = "difference"
    tariff_year_by: Literal["decision_date", "cycle_year"] = "decision_date"
    approval: Literal["automatic", "manual"] = "automatic"
    reward_line: str = Field(default="rewards", min_length=1)
    reward_source: str = Field(default="ntm", min_length=1)
    # The tariff table used until one is installed (PUT /tariffs); checked against the policy at start.
    tariffs: Path = SHIPPED
    # How often claims waiting for budget are tried again by themselves (besides after each allocation or amendment:
    # a claim that began waiting while an amendment was approved is picked up here). 0 turns it off.
    retry_waiting_seconds: float = Field(default=300.0, ge=0)

    def policy(self) -> FinancePolicy:
        return FinancePolicy(
            reward_once_per_star=self.reward_once_per_star, upgrade_payment=self.upgrade_payment,
            five_star_payment=self.five_star_payment, tariff_year_by=self.tariff_year_by, approval=self.approval,
            reward_line=self.reward_line, reward_source=self.reward_source,
        )
