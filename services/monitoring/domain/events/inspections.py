"""Events of an inspection record (biên bản kiểm tra of one product) and of its follow-up."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.monitoring.domain.policy import COMPLIANT
from services.monitoring.domain.values import Body, Finding
from shared.aggregate import DomainEvent


@dataclass(frozen=True)
class InspectionConcluded(DomainEvent):
    """What both results record: the product, its certificate, the plan (None for an inspection outside one), the
    date, the inspecting body and team, every finding, the worst severity (``none`` when all complied) and the
    product's flow."""

    inspection_id: str
    product_id: str
    plan_id: str | None
    certificate_number: str
    inspected_on: date
    body: Body
    inspectors: tuple[str, ...]
    findings: tuple[Finding, ...]
    severity: str
    correlation_id: str | None
    """The product's flow, from its register entry (None when the registration was not heard)."""

    @property
    def inspector_org(self) -> str:
        """InspectionFailed.inspector_org: the inspecting body's name."""
        return self.body.name

    @property
    def non_compliant(self) -> tuple[Finding, ...]:
        """The findings InspectionFailed lists (criterion, description): those that are not compliant."""
        return tuple(f for f in self.findings if f.severity != COMPLIANT)


@dataclass(frozen=True)
class ProductPassedInspection(InspectionConcluded):
    """Đạt: the product keeps its quality; minor remarks, if the policy lets them pass, are kept in the findings."""


@dataclass(frozen=True)
class ProductFailedInspection(InspectionConcluded):
    """Không đạt: the application publishes it as InspectionFailed (severity, recommended_action, findings)."""

    recommended_action: str


@dataclass(frozen=True)
class FollowUpClosed(DomainEvent):
    """Rating decided on the failed inspection: ``outcome`` revoked | downgraded | re_rated | warning | expired."""

    inspection_id: str
    outcome: str
    decided_on: date
    evaluation_id: str
    stars: int
    decision_number: str | None
    reason: str | None
