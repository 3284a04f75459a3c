"""A district report (báo cáo 6 tháng / báo cáo năm of one district-level unit for one plan year), as filed.

Stream id = ``deadlines.report_id(plan_year, district_code, kind)`` (``ExpectedReport.report_id``). Whether it is
on time, late or missing is not stored: ``reporting.report_status`` reads it from the filing, the due date and the
policy, as of any date.
"""

from __future__ import annotations

from datetime import date

from services.monitoring.domain.checks import not_after_today, text
from services.monitoring.domain.deadlines import ExpectedReport
from services.monitoring.domain.errors import AlreadyRecorded, InvalidInput, NotAllowed, OutOfOrder
from services.monitoring.domain.events.reports import ReportAmended, ReportFiled
from services.monitoring.domain.reporting import Filing
from shared.aggregate import Aggregate, DomainEvent


class DistrictReport(Aggregate):
    """Báo cáo định kỳ of a district PC to the PPC (through the Coordination Office)."""

    stream_type = "district-report"
    event_types = {e.__name__: e for e in (ReportFiled, ReportAmended)}

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.filed: ReportFiled | None = None
        self.document_ref: str | None = None  # the latest document, after amendments

    def file(self, expected: ExpectedReport, filed_on: date, document_ref: str, *, today: date) -> bool:
        """Record the filing of ``expected`` (from ``deadlines.expected_report``); the same filing again is a no-op.

        Refused: a date after today or before the plan year began (``filed_on``), a blank document (``document_ref``),
        a second filing with another document or date (``document_ref``: amend it instead).
        """
        if expected.report_id != self.id:
            raise NotAllowed(f"report {self.id} is not {expected.report_id}", field="report_id")
        document_ref = text(document_ref, "document_ref")
        not_after_today(filed_on, today, "filed_on")
        if filed_on < date(expected.plan_year, 1, 1):
            raise OutOfOrder(f"filed_on {filed_on.isoformat()} is before plan year {expected.plan_year} began",
                               field="filed_on")
        if self.filed is not None:
            if (self.filed.filed_on, self.filed.document_ref) == (filed_on, document_ref):
                return False
            raise AlreadyRecorded(f"report {self.id} was filed on {self.filed.filed_on.isoformat()} as "
                                  f"{self.filed.document_ref}; amend it instead", field="document_ref")
        self.record(ReportFiled(expected.plan_year, expected.district_code, expected.kind, filed_on, document_ref))
        return True

    def amend(self, document_ref: str, amended_on: date, note: str, *, today: date) -> None:
        """A replacement document (văn bản bổ sung, thay thế); the report stays as timely as its first filing."""
        if self.filed is None:
            raise NotAllowed(f"report {self.id} has not been filed: file it first", field="document_ref")
        document_ref = text(document_ref, "document_ref")
        not_after_today(amended_on, today, "amended_on")
        if amended_on < self.filed.filed_on:
            raise OutOfOrder(f"amended_on {amended_on.isoformat()} is before the filing "
                               f"({self.filed.filed_on.isoformat()})", field="amended_on")
        self.record(ReportAmended(amended_on, document_ref, note.strip()))

    @property
    def filing(self) -> Filing | None:
        """What ``report_status`` judges: the first filing's date, the latest document."""
        if self.filed is None or self.document_ref is None:
            return None
        return Filing(self.filed.filed_on, self.document_ref)

    def apply(self, event: DomainEvent) -> None:
        match event:
            case ReportFiled():
                self.filed, self.document_ref = event, event.document_ref
            case ReportAmended(document_ref=document_ref):
                self.document_ref = document_ref
