"""Events of a plan year's programme targets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.monitoring.domain.targets import Target
from shared.aggregate import DomainEvent


@dataclass(frozen=True)
class TargetsSet(DomainEvent):
    """The provincial office set the plan year's targets (they replace the shipped ones and any set before)."""

    plan_year: int
    basis: str
    targets: tuple[Target, ...]
    set_on: date
