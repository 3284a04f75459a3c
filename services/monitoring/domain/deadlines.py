"""District reports' deadlines (hạn báo cáo định kỳ, OCOP-RULES §10): who owes which report, and by when.

Each district PC sends the PPC a 6-month report before 15 June and an annual report before 1 December of every
plan year (Kế hoạch 75/KH-UBND §IV.16). The kinds and days are data (``reference/report-deadlines.json``, an edition
applies from its plan year until the next); whether "before" admits the day itself is the policy's
``report_deadline_inclusive``, read in ONE place: ``last_on_time_day``. Civil dates, Asia/Ho_Chi_Minh. How a
report stands (on time, late, missing) is ``reporting``'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from services.monitoring.domain import parsing as p
from services.monitoring.domain.errors import NotKnown, ReferenceDataError
from services.monitoring.domain.policy import MonitoringPolicy
from services.monitoring.domain.units import DistrictUnits

FORMAT = "ocop-report-deadlines/1"


@dataclass(frozen=True)
class ReportKind:
    kind: str
    """``six_month`` (báo cáo 6 tháng), ``annual`` (báo cáo năm), …"""
    name_vi: str
    due_before: tuple[int, int]
    """(month, day) of the plan year: the report is due *before* that day."""


@dataclass(frozen=True)
class DeadlinesEdition:
    from_plan_year: int
    basis: str
    kinds: Mapping[str, ReportKind]


@dataclass(frozen=True)
class ReportDeadlines:
    editions: tuple[DeadlinesEdition, ...]

    def of_year(self, plan_year: int) -> DeadlinesEdition:
        applying = [e for e in self.editions if e.from_plan_year <= plan_year]
        if not applying:
            raise NotKnown(f"no report deadlines are known for plan year {plan_year}", field="plan_year")
        return applying[-1]

    def due_before(self, plan_year: int, kind: str) -> date:
        kinds = self.of_year(plan_year).kinds
        if kind not in kinds:
            raise NotKnown(f"kind must be one of {', '.join(kinds)} in {plan_year}, not {kind!r}", field="kind")
        month, day = kinds[kind].due_before
        return date(plan_year, month, day)


@dataclass(frozen=True)
class ExpectedReport:
    """One report a district-level unit owes for a plan year."""

    plan_year: int
    district_code: str
    district_name: str
    kind: str
    due_before: date

    @property
    def report_id(self) -> str:
        """The stream id of its ``DistrictReport``."""
        return report_id(self.plan_year, self.district_code, self.kind)


def report_id(plan_year: int, district_code: str, kind: str) -> str:
    return f"{plan_year}/{district_code}/{kind}"


def last_on_time_day(due_before: date, policy: MonitoringPolicy) -> date:
    """"Before 15/6": strictly the 14th; the 15th itself when the policy reads "before" inclusively (§10 [POLICY])."""
    return due_before if policy.report_deadline_inclusive else due_before - timedelta(days=1)


def expected_report(plan_year: int, district_code: str, kind: str, units: DistrictUnits,
                    deadlines: ReportDeadlines) -> ExpectedReport:
    """The report a unit owes; an unknown plan year, unit or kind is refused naming the field."""
    due = deadlines.due_before(plan_year, kind)
    unit = units.unit(district_code, plan_year)
    return ExpectedReport(plan_year, unit.code, unit.name, kind, due)


def expected_reports(plan_year: int, units: DistrictUnits, deadlines: ReportDeadlines) -> tuple[ExpectedReport, ...]:
    """Every report of the plan year: each unit × each kind, by due date then district code (2021: 27 × 2 = 54)."""
    kinds = deadlines.of_year(plan_year).kinds
    reports = [expected_report(plan_year, code, kind, units, deadlines)
               for code in units.of_year(plan_year) for kind in kinds]
    return tuple(sorted(reports, key=lambda r: (r.due_before, r.district_code)))


def _kind(raw: Any, entry: str) -> ReportKind:
    p.only_keys(raw, {"kind", "name_vi", "due_before"}, entry)
    return ReportKind(p.identifier(raw, "kind", entry), p.text(raw, "name_vi", entry),
                      p.month_day(raw, "due_before", entry))


def _edition(raw: Any, entry: str) -> DeadlinesEdition:
    p.only_keys(raw, {"from_plan_year", "basis", "reports"}, entry)
    kinds: dict[str, ReportKind] = {}
    for i, item in enumerate(p.entries(raw, "reports", entry)):
        kind = _kind(item, f"{entry}.reports[{i}]")
        if kind.kind in kinds:
            raise ReferenceDataError(f"{entry}.reports[{i}]: kind {kind.kind} is listed twice",
                                     field=f"{entry}.reports[{i}].kind")
        kinds[kind.kind] = kind
    return DeadlinesEdition(p.plan_year(raw, "from_plan_year", entry), p.text(raw, "basis", entry), kinds)


def parse_deadlines(raw: Any, name: str = "report-deadlines") -> ReportDeadlines:
    """Parsed JSON in, ``ReportDeadlines`` out; refused with the entry named when it does not add up."""
    p.check_format(raw, FORMAT, name)
    p.only_keys(raw, {"format", "source", "editions"}, name)
    editions = tuple(_edition(e, f"{name}.editions[{i}]") for i, e in enumerate(p.entries(raw, "editions", name)))
    p.ascending_editions([e.from_plan_year for e in editions], f"{name}.editions")
    return ReportDeadlines(editions)
