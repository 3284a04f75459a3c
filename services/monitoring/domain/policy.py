"""Settings of the monitoring rules the sources leave open ([POLICY] in OCOP-RULES §8, §10).

Each default is the one the rules file recommends, or the most cautious reading where it is silent; the reason is
given next to it. The application builds one ``MonitoringPolicy`` from its settings and hands it to the domain.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

SEVERITIES = ("minor", "major", "critical")
"""Mức độ vi phạm, mildest first: the contract's values (InspectionFailed.severity)."""
COMPLIANT = "none"
"""The severity of a finding that records an area checked and found compliant (không có tồn tại)."""
SCALE = (COMPLIANT, *SEVERITIES)
OUTCOMES = ("pass", "warning", "downgrade", "revocation")
"""What a worst finding leads to, mildest first: ``pass`` (đạt, remarks kept) or the contract's recommended_action."""

DEFAULT_ACTIONS: Mapping[str, str] = {"minor": "warning", "major": "downgrade", "critical": "revocation"}


@dataclass(frozen=True)
class MonitoringPolicy:
    """Chính sách kiểm tra, giám sát.

    report_deadline_inclusive: whether "before 15/6" admits the 15th — §10 [POLICY]; default false (strict: the
        last on-time day is the 14th), the literal reading of the plan.
    follow_up_overdue_days: a failed inspection's follow-up open longer than this many days is overdue — sources
        silent [POLICY]; default 90, about the gap between two provincial rounds (April, June, August, November
        2021, §13), since a re-rating waits for the next round.
    action_by_severity: the worst finding's severity → outcome (``pass`` or the recommended action); §8 gives none
        [U]. Default minor → warning, major → downgrade (a re-rating), critical → revocation. A worse severity never
        gets a milder outcome.
    evidence_required: a finding that is not compliant must cite at least one evidence reference (biên bản, ảnh,
        phiếu kết quả thử nghiệm) — default true: an InspectionFailed leads to decisions against the producer.
    """

    report_deadline_inclusive: bool = False
    follow_up_overdue_days: int = 90
    action_by_severity: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_ACTIONS), hash=False)
    evidence_required: bool = True

    def __post_init__(self) -> None:
        if self.follow_up_overdue_days < 0:
            raise ValueError("follow_up_overdue_days must be ≥ 0")
        actions = dict(self.action_by_severity)
        if set(actions) != set(SEVERITIES):
            raise ValueError(f"action_by_severity must map exactly {', '.join(SEVERITIES)}, not {sorted(actions)}")
        for severity, outcome in actions.items():
            if outcome not in OUTCOMES:
                raise ValueError(f"action_by_severity[{severity}] must be one of {', '.join(OUTCOMES)}, "
                                 f"not {outcome!r}")
        ranks = [OUTCOMES.index(actions[s]) for s in SEVERITIES]
        if ranks != sorted(ranks):
            raise ValueError("action_by_severity: a worse severity may not get a milder outcome "
                             f"({', '.join(f'{s}→{actions[s]}' for s in SEVERITIES)})")

    def outcome_for(self, severity: str) -> str:
        """The outcome of an inspection whose worst finding has ``severity`` (``none``: pass)."""
        return "pass" if severity == COMPLIANT else self.action_by_severity[severity]


DEFAULT_POLICY = MonitoringPolicy()
