"""An inspection plan (kế hoạch kiểm tra), which is also the campaign (đợt kiểm tra) its inspections belong to.

Stream id = plan_id. Planned by the Coordination Office, a department (e.g. Industry and Trade) or a district PC
(only its own products), periodic or unannounced (OCOP-RULES §8), naming certified products and a due date.
Inspections are recorded through the plan: ``record_inspection`` for one product, ``record_campaign`` for several
at once (all or nothing; one Inspection — so one InspectionFailed — per product that fails).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from services.monitoring.domain.checks import check_body, check_planned_products, not_after_today, text
from services.monitoring.domain.errors import AlreadyRecorded, InvalidInput, MonitoringError, NotAllowed, OutOfOrder
from services.monitoring.domain.events.plans import InspectionPlanned, PlannedProductDropped, PlannedProductInspected
from services.monitoring.domain.inspections import Inspection
from services.monitoring.domain.policy import MonitoringPolicy
from services.monitoring.domain.register import RegisterEntry
from services.monitoring.domain.units import DistrictUnits
from services.monitoring.domain.values import Body, InspectionReport
from shared.aggregate import Aggregate, DomainEvent

PLAN_KINDS = ("periodic", "unannounced")
"""Kiểm tra định kỳ, kiểm tra đột xuất."""


@dataclass(frozen=True)
class CampaignEntry:
    """One product's report in a campaign, with that product's register entry."""

    report: InspectionReport
    entry: RegisterEntry


class InspectionPlan(Aggregate):
    """Kế hoạch kiểm tra sản phẩm OCOP sau công nhận."""

    stream_type = "inspection-plan"
    event_types = {e.__name__: e for e in (InspectionPlanned, PlannedProductInspected, PlannedProductDropped)}

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.planned: InspectionPlanned | None = None
        self.inspected: dict[str, PlannedProductInspected] = {}
        self.dropped: dict[str, PlannedProductDropped] = {}

    @classmethod
    def plan(cls, plan_id: str, *, kind: str, planner: Body, title: str, product_ids: Sequence[str],
             product_districts: Mapping[str, str], planned_on: date, due_on: date, units: DistrictUnits,
             today: date) -> InspectionPlan:
        """Plan inspections of ``product_ids``, each a certified product of the register (``product_districts``:
        product_id → district_code, from the register). Refused naming the field: ``kind``, ``planner.*``,
        ``title``, ``planned_on`` after today, ``due_on`` before ``planned_on``, an empty or repeated product list,
        a product not in the register or, for a district's plan, of another district (``product_ids[i]``)."""
        if kind not in PLAN_KINDS:
            raise InvalidInput(f"kind must be one of {', '.join(PLAN_KINDS)}, not {kind!r}", field="kind")
        not_after_today(planned_on, today, "planned_on")
        planner = check_body(planner, "planner", units, planned_on.year)
        if due_on < planned_on:
            raise OutOfOrder(f"due_on {due_on.isoformat()} is before planned_on {planned_on.isoformat()}",
                               field="due_on")
        products = check_planned_products(product_ids, product_districts, planner)
        plan = cls(text(plan_id, "plan_id"))
        plan.record(InspectionPlanned(plan.id, kind, planner, text(title, "title"), products, planned_on, due_on))
        return plan

    def record_inspection(self, report: InspectionReport, *, entry: RegisterEntry, units: DistrictUnits,
                          policy: MonitoringPolicy, today: date) -> Inspection:
        """The inspection of one product of the plan (``Inspection.conclude``, then noted on the plan). Refused:
        a product not on the plan or dropped (NotAllowed), already inspected (AlreadyRecorded) — ``product_id``;
        an inspection before the plan (``inspected_on``)."""
        inspection = self._conclude(report, entry, units, policy, today)
        self._note(inspection)
        return inspection

    def record_campaign(self, entries: Sequence[CampaignEntry], *, units: DistrictUnits, policy: MonitoringPolicy,
                        today: date) -> list[Inspection]:
        """Several products' inspections at once: all are checked before any is recorded; a refusal names the entry
        (``inspections[2].findings[0].severity``). One Inspection per product."""
        if not entries:
            raise InvalidInput("a campaign records at least one inspection", field="inspections")
        inspections: list[Inspection] = []
        for i, item in enumerate(entries):
            try:
                if any(item.report.product_id == done.concluded.product_id for done in inspections if done.concluded):
                    raise AlreadyRecorded(f"product {item.report.product_id!r} appears twice", field="product_id")
                if any(item.report.inspection_id == done.id for done in inspections):
                    raise AlreadyRecorded(f"inspection_id {item.report.inspection_id!r} appears twice",
                                          field="inspection_id")
                inspections.append(self._conclude(item.report, item.entry, units, policy, today))
            except MonitoringError as exc:
                raise type(exc)(f"inspections[{i}]: {exc}", field=f"inspections[{i}].{exc.field}") from exc
        for inspection in inspections:
            self._note(inspection)
        return inspections

    def drop_product(self, product_id: str, reason: str, *, on: date, today: date) -> None:
        """Take a product not yet inspected off the plan (its certificate ended, the producer closed…)."""
        self._still_to_inspect(product_id)
        not_after_today(on, today, "on")
        if on < self._facts.planned_on:
            raise OutOfOrder(f"on {on.isoformat()} is before the plan ({self._facts.planned_on.isoformat()})",
                               field="on")
        self.record(PlannedProductDropped(product_id, on, text(reason, "reason")))

    # ------------------------------------------------------------------------------------------- queries

    @property
    def _facts(self) -> InspectionPlanned:
        assert self.planned is not None, "plan not planned"
        return self.planned

    @property
    def due_on(self) -> date:
        return self._facts.due_on

    def outstanding_on(self, as_of: date) -> tuple[str, ...]:
        """Products neither inspected nor dropped on or before ``as_of``."""
        done = {p for p, e in self.inspected.items() if e.inspected_on <= as_of}
        done |= {p for p, e in self.dropped.items() if e.dropped_on <= as_of}
        return tuple(p for p in self._facts.product_ids if p not in done)

    def is_overdue(self, as_of: date) -> bool:
        """Past its due date (the due date itself is on time) with products still outstanding."""
        return as_of > self.due_on and bool(self.outstanding_on(as_of))

    def _still_to_inspect(self, product_id: str) -> None:
        if product_id not in self._facts.product_ids or product_id in self.dropped:
            raise NotAllowed(f"product {product_id!r} is not (or no longer) on plan {self.id}", field="product_id")
        if product_id in self.inspected:
            raise AlreadyRecorded(f"product {product_id!r} was inspected under plan {self.id} "
                                  f"({self.inspected[product_id].inspection_id})", field="product_id")

    def _conclude(self, report: InspectionReport, entry: RegisterEntry, units: DistrictUnits,
                  policy: MonitoringPolicy, today: date) -> Inspection:
        self._still_to_inspect(report.product_id)
        if report.inspected_on < self._facts.planned_on:
            raise OutOfOrder(f"inspected_on {report.inspected_on.isoformat()} is before the plan "
                               f"({self._facts.planned_on.isoformat()})", field="inspected_on")
        return Inspection.conclude(report, entry=entry, units=units, policy=policy, today=today, plan_id=self.id)

    def _note(self, inspection: Inspection) -> None:
        concluded = inspection.concluded
        assert concluded is not None
        self.record(PlannedProductInspected(concluded.product_id, inspection.id, concluded.inspected_on,
                                            inspection.passed))

    def apply(self, event: DomainEvent) -> None:
        match event:
            case InspectionPlanned():
                self.planned = event
            case PlannedProductInspected(product_id=product_id):
                self.inspected[product_id] = event
            case PlannedProductDropped(product_id=product_id):
                self.dropped[product_id] = event

