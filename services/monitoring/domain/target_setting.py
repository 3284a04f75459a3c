"""Programme targets set at run time for one plan year (stream id = the plan year, e.g. ``"2021"``).

``targets_for`` is THE rule of which targets a plan year has: those set last, else the shipped reference data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from services.monitoring.domain.checks import not_after_today, text
from services.monitoring.domain.errors import InvalidInput, NotAllowed, NotKnown
from services.monitoring.domain.events.targets import TargetsSet
from services.monitoring.domain.targets import Target, YearTargets, check_year_targets
from shared.aggregate import Aggregate, DomainEvent


def setting_id(plan_year: int) -> str:
    return str(plan_year)


class TargetSetting(Aggregate):
    """Chỉ tiêu of one plan year, as the provincial office set them."""

    stream_type = "programme-targets"
    event_types = {e.__name__: e for e in (TargetsSet,)}

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.current: TargetsSet | None = None

    def set_targets(self, plan_year: int, targets: Sequence[Target], basis: str, *, set_on: date,
                    today: date) -> None:
        """Replace the year's targets. Refused naming the field: another year's stream (``plan_year``), a blank
        ``basis``, ``set_on`` after today, an empty or repeated list or a bad target (``targets[i].*``)."""
        if setting_id(plan_year) != self.id:
            raise NotAllowed(f"these are the targets of {self.id}, not {plan_year}", field="plan_year")
        if plan_year < 2018:
            raise InvalidInput("plan_year is 2018 or later (OCOP began in 2018)", field="plan_year")
        year = check_year_targets(plan_year, text(basis, "basis"), targets)
        self.record(TargetsSet(plan_year, year.basis, year.targets, not_after_today(set_on, today, "set_on")))

    @property
    def year_targets(self) -> YearTargets | None:
        c = self.current
        return None if c is None else YearTargets(c.plan_year, c.basis, c.targets)

    def apply(self, event: DomainEvent) -> None:
        match event:
            case TargetsSet():
                self.current = event


def targets_for(plan_year: int, shipped: Mapping[int, YearTargets], setting: TargetSetting | None) -> YearTargets:
    """The plan year's targets: as set at run time, else as shipped; a year with neither is refused."""
    if setting is not None and setting.year_targets is not None:
        return setting.year_targets
    if plan_year not in shipped:
        raise NotKnown(f"no programme targets are known for plan year {plan_year}: set them", field="plan_year")
    return shipped[plan_year]
