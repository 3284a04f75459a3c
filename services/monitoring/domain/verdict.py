"""The inspection's result (kết luận kiểm tra) from its findings: THE rule of pass/fail and the recommended action.

The worst finding's severity decides, through the policy's table ``action_by_severity`` (data, not branches):
``pass``, or the contract's ``warning`` | ``downgrade`` (a re-rating) | ``revocation``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from services.monitoring.domain.policy import COMPLIANT, SCALE, MonitoringPolicy
from services.monitoring.domain.values import Finding


@dataclass(frozen=True)
class Verdict:
    severity: str
    """The worst finding's severity on the scale ``none`` < minor < major < critical."""
    outcome: str
    """``pass`` | ``warning`` | ``downgrade`` | ``revocation`` (policy.OUTCOMES)."""

    @property
    def passed(self) -> bool:
        return self.outcome == "pass"

    @property
    def recommended_action(self) -> str | None:
        """InspectionFailed.recommended_action, None when the inspection passed."""
        return None if self.passed else self.outcome


def worst_severity(findings: Iterable[Finding]) -> str:
    return max((f.severity for f in findings), key=SCALE.index, default=COMPLIANT)


def judge(findings: Iterable[Finding], policy: MonitoringPolicy) -> Verdict:
    """Pass or fail, and what to recommend, from the findings' worst severity."""
    severity = worst_severity(findings)
    return Verdict(severity, policy.outcome_for(severity))
