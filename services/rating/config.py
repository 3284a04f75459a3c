"""Settings of the rating service (``OCOP_RATING_*``): the [U]/[POLICY] rules and the expiry schedule.

Every default is the one OCOP-RULES recommends; ``RatingPolicy`` documents each. Read by ``bootstrap`` when the
service starts, never at import time.
"""

from __future__ import annotations

from datetime import time
from fractions import Fraction
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.rating.domain.catalogue import SHIPPED
from services.rating.domain.policy import RatingPolicy


class RatingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OCOP_RATING_", extra="ignore")

    quorum: str = Field(default="3/4", pattern=r"^\d+(/\d+)?$", description="share of members (chair included) who must score")
    chair_required: bool = True
    max_spread: int = Field(default=10, ge=0)
    spread_check_enabled: bool = True
    minimum_evaluation: str = "majority"
    enforce_unverified_minimums: bool = False
    below_minimum: str = "lower_star"
    certify_first_time_90_at_province: bool = False
    certificate_months: int = Field(default=36, ge=1)
    month_end_rule: str = "clamp"
    renewal_window_days: int = Field(default=180, ge=0, le=1100)
    catalogue: Path = SHIPPED
    # Local time (Asia/Ho_Chi_Minh) of the daily expiry check; empty turns the schedule off (on-demand still works).
    expiry_check_at: str = Field(default="00:30", pattern=r"^(|([01]\d|2[0-3]):[0-5]\d)$")

    def policy(self) -> RatingPolicy:
        return RatingPolicy(
            quorum=Fraction(self.quorum), chair_required=self.chair_required, max_spread=self.max_spread,
            spread_check_enabled=self.spread_check_enabled, minimum_evaluation=self.minimum_evaluation,
            enforce_unverified_minimums=self.enforce_unverified_minimums, below_minimum=self.below_minimum,
            certify_first_time_90_at_province=self.certify_first_time_90_at_province,
            certificate_months=self.certificate_months, month_end_rule=self.month_end_rule,
            renewal_window_days=self.renewal_window_days,
        )

    @property
    def expiry_time(self) -> time | None:
        return time.fromisoformat(self.expiry_check_at) if self.expiry_check_at else None

