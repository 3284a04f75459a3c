"""An inspection record (biên bản kiểm tra sau công nhận) of one product, and the follow-up of a failed one.

Stream id = inspection_id. ``Inspection.conclude`` checks the report, finds the certificate in force on the day
from the product's register entry, judges the findings (``verdict.judge``) and records ProductPassedInspection or
ProductFailedInspection — the fact the application publishes as InspectionFailed, in the same transaction. A failed
one stays under review until rating decides (``close_follow_up``); ``follow_up.follow_up_status`` reads it as of a date.

    conclude ─pass→ ProductPassedInspection
             └fail→ ProductFailedInspection ─ rating's decision → FollowUpClosed (revoked | downgraded | re_rated |
                                                                                   warning | expired)
"""

from __future__ import annotations

from datetime import date

from services.monitoring.domain.checks import check_report
from services.monitoring.domain.errors import InvalidInput, NotAllowed
from services.monitoring.domain.events.inspections import (
    FollowUpClosed,
    InspectionConcluded,
    ProductFailedInspection,
    ProductPassedInspection,
)
from services.monitoring.domain.follow_up import FOLLOW_UP_OUTCOMES
from services.monitoring.domain.policy import MonitoringPolicy
from services.monitoring.domain.register import RegisterEntry
from services.monitoring.domain.units import DistrictUnits
from services.monitoring.domain.values import InspectionReport, ReviewDecision
from services.monitoring.domain.verdict import judge
from shared.aggregate import Aggregate, DomainEvent


class Inspection(Aggregate):
    """Kiểm tra, giám sát sản phẩm OCOP sau công nhận: one product, one visit."""

    stream_type = "inspection"
    event_types = {e.__name__: e for e in (ProductPassedInspection, ProductFailedInspection, FollowUpClosed)}

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.concluded: InspectionConcluded | None = None
        self.closed: FollowUpClosed | None = None

    @classmethod
    def conclude(cls, report: InspectionReport, *, entry: RegisterEntry, units: DistrictUnits,
                 policy: MonitoringPolicy, today: date, plan_id: str | None = None) -> Inspection:
        """Record the result of ``report`` on the product of ``entry`` (its register entry).

        Refused, naming the field: any bad value of the report (``checks.check_report``); a product that held no
        certificate in force on the inspection date (``product_id``, NotAllowed).
        """
        report = check_report(report, units, policy, today)
        if entry.id != report.product_id:
            raise NotAllowed(f"the register entry given is {entry.id!r}, not {report.product_id!r}", field="product_id")
        held = entry.certificate_on(report.inspected_on)
        if held is None:
            raise NotAllowed(f"product {report.product_id!r} held no OCOP certificate in force on "
                             f"{report.inspected_on.isoformat()}: only certified products are inspected after "
                             "recognition", field="product_id")
        verdict = judge(report.findings, policy)
        facts = {"inspection_id": report.inspection_id, "product_id": report.product_id, "plan_id": plan_id,
                 "certificate_number": held.number, "inspected_on": report.inspected_on, "body": report.body,
                 "inspectors": report.inspectors, "findings": report.findings, "severity": verdict.severity,
                 "correlation_id": entry.product.correlation_id if entry.product else None}
        inspection = cls(report.inspection_id)
        if verdict.passed:
            inspection.record(ProductPassedInspection(**facts))
        else:
            inspection.record(ProductFailedInspection(**facts, recommended_action=verdict.outcome))
        return inspection

    def close_follow_up(self, decision: ReviewDecision) -> bool:
        """Rating's decision on this failed inspection ends its review; the same decision again is a no-op (False).

        Refused: an inspection that did not fail, or whose follow-up closed with another decision (``inspection_id``,
        NotAllowed); an unknown outcome (``outcome``); a decision dated before the inspection (``decided_on``).
        """
        failed = self.failed
        if failed is None:
            raise NotAllowed(f"inspection {self.id!r} did not fail: nothing is under review", field="inspection_id")
        if decision.outcome not in FOLLOW_UP_OUTCOMES:
            raise InvalidInput(f"outcome must be one of {', '.join(FOLLOW_UP_OUTCOMES)}, not {decision.outcome!r}",
                               field="outcome")
        if decision.decided_on < failed.inspected_on:
            raise InvalidInput(f"decided_on {decision.decided_on.isoformat()} is before the inspection "
                               f"({failed.inspected_on.isoformat()})", field="decided_on")
        closing = FollowUpClosed(self.id, decision.outcome, decision.decided_on, decision.evaluation_id,
                                 decision.stars, decision.decision_number, decision.reason)
        if self.closed is not None:
            if self.closed == closing:
                return False
            raise NotAllowed(f"the follow-up of inspection {self.id!r} closed on {self.closed.decided_on.isoformat()}"
                             f" ({self.closed.outcome}, {self.closed.evaluation_id})", field="inspection_id")
        self.record(closing)
        return True

    @property
    def failed(self) -> ProductFailedInspection | None:
        return self.concluded if isinstance(self.concluded, ProductFailedInspection) else None

    @property
    def passed(self) -> bool:
        return isinstance(self.concluded, ProductPassedInspection)

    def apply(self, event: DomainEvent) -> None:
        match event:
            case InspectionConcluded():
                self.concluded = event
            case FollowUpClosed():
                self.closed = event
