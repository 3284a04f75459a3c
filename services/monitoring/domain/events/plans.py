"""Events of an inspection plan (kế hoạch kiểm tra; an inspection campaign, đợt kiểm tra)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.monitoring.domain.values import Body
from shared.aggregate import DomainEvent


@dataclass(frozen=True)
class InspectionPlanned(DomainEvent):
    """A body planned to inspect certified products by ``due_on`` (inclusive), periodically or unannounced."""

    plan_id: str
    kind: str
    planner: Body
    title: str
    product_ids: tuple[str, ...]
    planned_on: date
    due_on: date


@dataclass(frozen=True)
class PlannedProductInspected(DomainEvent):
    """A product of the plan was inspected: its inspection record and whether it passed."""

    product_id: str
    inspection_id: str
    inspected_on: date
    passed: bool


@dataclass(frozen=True)
class PlannedProductDropped(DomainEvent):
    """A product taken off the plan before inspection, e.g. its certificate ended or the producer closed."""

    product_id: str
    dropped_on: date
    reason: str
