"""The read side's answers that need a rule: read-model rows in, the domain's reading of them out.

How a follow-up stands (``follow_up.follow_up_on``), how a plan stands (the plan itself), which reports are expected
and how each stands (``deadlines``, ``reporting``), what the ratings count towards (``achievements``) and how far
the targets are (``targets.progress``): each question is asked of the domain, as of the date the caller gives.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from services.monitoring.adapters import queries
from services.monitoring.application.ports import MonitoringPorts
from services.monitoring.domain.achievements import UNKNOWN_DISTRICT, HeardRating, counts, stars_rated
from services.monitoring.domain.deadlines import expected_reports
from services.monitoring.domain.follow_up import FollowUpStatus, follow_up_on
from services.monitoring.domain.plans import InspectionPlan
from services.monitoring.domain.reporting import Filing, ReportStatus, schedule_status
from services.monitoring.domain.target_setting import TargetSetting, setting_id, targets_for
from services.monitoring.domain.targets import Progress, YearTargets, progress
from services.monitoring.domain.values import CertificateRef, DecisionRef, RatingFact

# ------------------------------------------------------------------------------------------- follow-ups


def follow_up_of_row(row: dict[str, Any], as_of: date, ports: MonitoringPorts) -> FollowUpStatus | None:
    """How the follow-up of an inspection row stands as of ``as_of`` (None: it passed, or had not happened)."""
    if row["result"] != "failed":
        return None
    closed = (row["closed_on"], row["closed_outcome"]) if row["closed_on"] is not None else None
    return follow_up_on(row["inspection_id"], row["product_id"], row["inspected_on"], closed, as_of, ports.policy)


async def follow_ups(conn: Any, ports: MonitoringPorts, *, as_of: date, district_code: str | None = None,
                     product_id: str | None = None, state: str | None = None,
                     overdue: bool | None = None) -> list[tuple[dict[str, Any], FollowUpStatus]]:
    """Every failed inspection's follow-up as of ``as_of`` (failures after it are not there yet), filtered."""
    found = []
    for row in await queries.failures(conn, product_id=product_id, district_code=district_code):
        status = follow_up_of_row(row, as_of, ports)
        if status is None or (state is not None and status.state != state):
            continue
        if overdue is None or status.overdue == overdue:
            found.append((row, status))
    return found


async def register(conn: Any, ports: MonitoringPorts, f: queries.RegisterFilter) -> dict[str, Any]:
    """Certificates in force on ``f.as_of``; each says whether its product is under review that day."""
    held = await queries.in_force(conn, f)
    numbers = [item["certificate_number"] for item in held["items"]]
    reviewing = {row["certificate_number"]
                 for row in await queries.failures(conn, product_id=None, district_code=None, certificates=numbers)
                 if (s := follow_up_of_row(row, f.as_of, ports)) is not None and s.state == "under_review"}
    for item in held["items"]:
        item["status"] = "under_review" if item["certificate_number"] in reviewing else "in_force"
    return held


# ------------------------------------------------------------------------------------------- plans


async def plans(ports: MonitoringPorts, f: queries.PlanFilter) -> tuple[int, list[InspectionPlan]]:
    """A page of plans, each as its stream has it (the plan answers what is outstanding and overdue). One unit of
    work (one connection) reads both the page and the streams."""
    async with ports.uow() as uow:
        found = await queries.plan_ids(uow.connection, f)
        repo = uow.repository(InspectionPlan)
        return found["total"], [await repo.get(row["plan_id"]) for row in found["items"]]


async def plan(ports: MonitoringPorts, plan_id: str) -> InspectionPlan:
    async with ports.uow() as uow:
        return await uow.repository(InspectionPlan).get(plan_id)


# ------------------------------------------------------------------------------------------- figures and reports


@dataclass(frozen=True)
class DistrictFigures:
    """What a district's report is pre-filled with (số liệu), from monitoring's own projections."""

    registrations_sent: int
    ratings_by_star: dict[int, int]
    certificates_in_force: int
    rewards_approved: int
    rewards_amount_vnd: int
    inspections: int
    inspection_failures: int


def _heard(row: dict[str, Any]) -> HeardRating:
    decision = (DecisionRef(row["decision_number"], row["decision_date"], row["decision_issued_by"])
                if row["decision_number"] is not None else None)
    certificate = (CertificateRef(row["certificate_number"], row["certificate_valid_from"],
                                  row["certificate_valid_until"]) if row["certificate_number"] is not None else None)
    return HeardRating(row["product_id"], row["district_code"],
                       RatingFact(row["evaluation_id"], row["cycle_year"], row["level"], row["stars"], row["status"],
                                  decision, certificate, row["reason"], row["inspection_id"]))


async def heard_ratings(conn: Any, plan_year: int) -> list[HeardRating]:
    return [_heard(row) for row in await queries.ratings_of_year(conn, plan_year)]


async def district_figures(conn: Any, plan_year: int, as_of: date) -> dict[str, DistrictFigures]:
    """district → its figures for the plan year (certificates as of ``as_of``); a district with nothing is absent."""
    rows = await queries.figures(conn, plan_year, as_of)
    heard = await heard_ratings(conn, plan_year)
    districts = set().union(*rows.values()) | {h.district_code or UNKNOWN_DISTRICT for h in heard}

    def n(figure: str, district: str, column: str = "n") -> int:
        return int(rows[figure].get(district, {}).get(column) or 0)

    return {d: DistrictFigures(
        registrations_sent=n("registrations_sent", d),
        ratings_by_star=dict(stars_rated([h for h in heard if (h.district_code or UNKNOWN_DISTRICT) == d], plan_year)),
        certificates_in_force=n("certificates_in_force", d), rewards_approved=n("rewards_approved", d),
        rewards_amount_vnd=n("rewards_approved", d, "amount"), inspections=n("inspections", d),
        inspection_failures=n("inspections", d, "failed")) for d in districts}


ScheduledReport = tuple[ReportStatus, dict[str, Any] | None, DistrictFigures]
"""An expected report's status, its filing as the read model keeps it (None: not filed), its district's figures."""


def no_figures() -> DistrictFigures:
    return DistrictFigures(0, dict(stars_rated([], 0)), 0, 0, 0, 0, 0)


async def report_schedule(conn: Any, ports: MonitoringPorts, *, plan_year: int, as_of: date,
                          district_code: str | None = None, kind: str | None = None,
                          state: str | None = None) -> list[ScheduledReport]:
    """Every report expected of the plan year (of one district, of one kind, in one state) as of ``as_of``: its
    status, its filing as recorded, and the district's figures it is pre-filled with. An unknown district or kind
    is refused naming it."""
    reference = ports.reference
    expected = expected_reports(plan_year, reference.units, reference.deadlines)
    if district_code is not None:
        reference.units.unit(district_code, plan_year)
        expected = tuple(e for e in expected if e.district_code == district_code)
    if kind is not None:
        reference.deadlines.due_before(plan_year, kind)
        expected = tuple(e for e in expected if e.kind == kind)
    filed = {row["report_id"]: row for row in await queries.filings(conn, plan_year)}
    filings = {rid: Filing(row["filed_on"], row["document_ref"]) for rid, row in filed.items()}
    statuses = [s for s in schedule_status(expected, filings, as_of, ports.policy) if state in (None, s.state)]
    figures = await district_figures(conn, plan_year, as_of)
    return [(s, filed.get(s.expected.report_id), figures.get(s.expected.district_code, no_figures()))
            for s in statuses]


# ------------------------------------------------------------------------------------------- targets


async def year_targets(ports: MonitoringPorts, plan_year: int) -> YearTargets:
    async with ports.uow() as uow:
        setting = await uow.repository(TargetSetting).find(setting_id(plan_year))
    return targets_for(plan_year, ports.reference.targets, setting)


async def target_progress(ports: MonitoringPorts, plan_year: int) -> tuple[YearTargets, Sequence[Progress]]:
    """The plan year's targets and live progress towards each, by round and by district (every unit listed)."""
    units = ports.reference.units.of_year(plan_year)
    async with ports.uow() as uow:
        setting = await uow.repository(TargetSetting).find(setting_id(plan_year))
        heard = await heard_ratings(uow.connection, plan_year)
    targets = targets_for(plan_year, ports.reference.targets, setting)
    # Each target counts its own products (a product upgraded 3★ → 4★ meets "≥ 3★" in the round it got 3★).
    return targets, [progress(replace(targets, targets=(t,)), counts(heard, plan_year, t.min_stars), units)[0]
                     for t in targets.targets]
