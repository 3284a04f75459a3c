"""Settings of the monitoring service (``OCOP_MONITORING_*``): the [POLICY] readings of OCOP-RULES §8 and §10 and
the reference data folder. Read by ``bootstrap`` when the service starts, never at import time; a policy that does
not add up (a milder action for a worse severity, an unknown outcome) stops the service at start."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.monitoring.domain.policy import DEFAULT_ACTIONS, MonitoringPolicy
from services.monitoring.domain.reference import SHIPPED

_ACTIONS = ",".join(f"{severity}={action}" for severity, action in DEFAULT_ACTIONS.items())


class MonitoringSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OCOP_MONITORING_", extra="ignore")

    report_deadline_inclusive: bool = Field(default=False, description='"before 15/6" admits the 15th')
    follow_up_overdue_days: int = Field(default=90, ge=0)
    # severity=action for minor, major, critical; an action is pass, warning, downgrade or revocation.
    action_by_severity: str = Field(default=_ACTIONS, pattern=r"^\s*\w+\s*=\s*\w+\s*(,\s*\w+\s*=\s*\w+\s*)*$")
    evidence_required: bool = True
    reference: Path = SHIPPED

    def policy(self) -> MonitoringPolicy:
        pairs = (item.split("=") for item in self.action_by_severity.split(","))
        actions = {severity.strip(): action.strip() for severity, action in pairs}
        return MonitoringPolicy(report_deadline_inclusive=self.report_deadline_inclusive,
                                follow_up_overdue_days=self.follow_up_overdue_days, action_by_severity=actions,
                                evidence_required=self.evidence_required)
