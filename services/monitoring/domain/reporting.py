"""How district reports stand as of a date: not due yet, missing, filed on time or late (OCOP-RULES §10).

Nothing here is stored: the state is read from the filing (``DistrictReport.filing``), the expected report
(``deadlines.expected_report(s)``) and the policy's reading of "before", so the same question about a past date
gets the same answer whenever it is asked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from services.monitoring.domain.deadlines import ExpectedReport, last_on_time_day
from services.monitoring.domain.policy import MonitoringPolicy

REPORT_STATES = ("not_due", "missing", "on_time", "late")
"""not yet filed and still on time; not filed past its last on-time day; filed on time; filed late."""


@dataclass(frozen=True)
class Filing:
    filed_on: date
    """The civil date the report was received (ngày nhận)."""
    document_ref: str
    """Số văn bản, e.g. ``125/BC-UBND``."""


@dataclass(frozen=True)
class ReportStatus:
    expected: ExpectedReport
    state: str
    """One of REPORT_STATES."""
    last_on_time_day: date
    filing: Filing | None
    days_late: int
    """Days past the last on-time day: of the filing when filed late, as of the date asked when missing; else 0."""


def report_status(expected: ExpectedReport, filing: Filing | None, as_of: date,
                  policy: MonitoringPolicy) -> ReportStatus:
    """How the report stands as of ``as_of``; a filing dated after ``as_of`` was not there yet."""
    last = last_on_time_day(expected.due_before, policy)
    seen = filing if filing is not None and filing.filed_on <= as_of else None
    if seen is not None:
        late = (seen.filed_on - last).days
        return ReportStatus(expected, "late" if late > 0 else "on_time", last, seen, max(late, 0))
    overdue = (as_of - last).days
    return ReportStatus(expected, "missing" if overdue > 0 else "not_due", last, None, max(overdue, 0))


def schedule_status(expected: tuple[ExpectedReport, ...], filings: Mapping[str, Filing], as_of: date,
                    policy: MonitoringPolicy) -> tuple[ReportStatus, ...]:
    """Every expected report's status; ``filings`` maps ``report_id`` → its filing (absent: not filed)."""
    return tuple(report_status(e, filings.get(e.report_id), as_of, policy) for e in expected)
