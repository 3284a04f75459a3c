"""One handler per command or inbound event: load, authorise, call one domain operation, commit.

Every failure an inspection records becomes an InspectionFailed in the outbox of the same transaction (the unit of
work derives it through ``translators.PUBLISHER``); a refusal leaves the unit without committing, so nothing of the
command is kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, TypeVar

from services.monitoring.application import translators
from services.monitoring.application.access import may_plan, may_report
from services.monitoring.application.ports import MonitoringPorts
from services.monitoring.domain.deadlines import expected_report
from services.monitoring.domain.errors import AlreadyRecorded, NotAllowed
from services.monitoring.domain.inspections import Inspection
from services.monitoring.domain.plans import CampaignEntry, InspectionPlan
from services.monitoring.domain.register import RegisterEntry
from services.monitoring.domain.reports import DistrictReport
from services.monitoring.domain.target_setting import TargetSetting, setting_id
from services.monitoring.domain.targets import Target
from services.monitoring.domain.values import Body, InspectionReport
from shared.aggregate import Aggregate
from shared.auth import Actor
from shared.ports import UnitOfWorkPort

A = TypeVar("A", bound=Aggregate)


async def _found_or_new(uow: UnitOfWorkPort, kind: type[A], stream_id: str) -> A:
    """The aggregate, or a new one whose first events will open its stream (a register entry the first time any
    public event about the product is heard, a report at its first filing, a year's first targets)."""
    repo = uow.repository(kind)
    found = await repo.find(stream_id)
    if found is None:
        found = kind(stream_id)
        repo.add(found)
    return found


# ----------------------------------------------------------------------------------------- inbound events


async def _entry(uow: UnitOfWorkPort, product_id: str) -> RegisterEntry:
    return await _found_or_new(uow, RegisterEntry, product_id)


async def note_product(envelope: Any, uow: UnitOfWorkPort, ports: MonitoringPorts) -> None:
    """ProductRegistered (the consumer's unit of work is open and commits with the inbox row)."""
    (await _entry(uow, envelope.product_id)).note_product(translators.product_facts(envelope))


async def note_reward(envelope: Any, uow: UnitOfWorkPort, ports: MonitoringPorts) -> None:
    """RewardApproved: counted in the district's figures through the product's register entry."""
    (await _entry(uow, envelope.product_id)).note_reward(translators.reward_fact(envelope))


async def note_rating(envelope: Any, uow: UnitOfWorkPort, ports: MonitoringPorts) -> None:
    """ProductRated: the register follows it; a decision on one of our failed inspections closes its follow-up, and
    a certificate that expired closes the follow-ups still open on it. A decision naming an inspection we never
    recorded raises ``NotFound``, so the event goes to the dead-letter topic, visibly."""
    rating = translators.rating_fact(envelope)
    (await _entry(uow, envelope.product_id)).note_rating(rating)
    inspections = uow.repository(Inspection)
    if rating.inspection_id is not None:
        inspection = await inspections.get(rating.inspection_id)
        inspection.close_follow_up(translators.review_decision(envelope, rating))
    elif rating.status == "expired" and rating.certificate is not None:
        for inspection_id in await ports.open_follow_ups(uow, envelope.product_id):
            inspection = await inspections.get(inspection_id)
            failed = inspection.failed
            if failed is not None and failed.certificate_number == rating.certificate.number:
                inspection.close_follow_up(translators.expiry_decision(rating, rating.certificate))


# ----------------------------------------------------------------------------------------- inspections


async def _certified_districts(uow: UnitOfWorkPort, product_ids: Sequence[str], on: date) -> dict[str, str]:
    """product_id → district of the products holding a certificate in force on ``on`` ("" while the product's
    registration is unheard: province-wide plans may still name it)."""
    repo, districts = uow.repository(RegisterEntry), {}
    for product_id in dict.fromkeys(product_ids):
        entry = await repo.find(product_id)
        if entry is not None and entry.in_force_on(on):
            districts[product_id] = entry.district_code or ""
    return districts


async def _unused(uow: UnitOfWorkPort, stream_id: str, field: str) -> None:
    if await uow.events.stream_version(stream_id):
        raise AlreadyRecorded(f"{field} {stream_id!r} is already taken", field=field)


async def plan_inspections(ports: MonitoringPorts, actor: Actor, *, plan_id: str, kind: str, planner: Body,
                           title: str, product_ids: list[str], planned_on: date, due_on: date) -> InspectionPlan:
    may_plan(actor, planner)
    async with ports.uow() as uow:
        await _unused(uow, plan_id, "plan_id")
        plan = InspectionPlan.plan(plan_id, kind=kind, planner=planner, title=title, product_ids=product_ids,
                                   product_districts=await _certified_districts(uow, product_ids, planned_on),
                                   planned_on=planned_on, due_on=due_on, units=ports.reference.units,
                                   today=ports.today())
        uow.repository(InspectionPlan).add(plan)
        await uow.commit()
    return plan


async def drop_planned_product(ports: MonitoringPorts, actor: Actor, plan_id: str, product_id: str, *, reason: str,
                               on: date) -> InspectionPlan:
    async with ports.uow() as uow:
        plan = await uow.repository(InspectionPlan).get(plan_id)
        assert plan.planned is not None  # a stream's first event plans it
        may_plan(actor, plan.planned.planner)
        plan.drop_product(product_id, reason, on=on, today=ports.today())
        await uow.commit()
    return plan


async def _entries(uow: UnitOfWorkPort, reports: Sequence[InspectionReport], *,
                   campaign: bool = False) -> list[CampaignEntry]:
    """Each report with its product's register entry (an empty one for a product never heard of: the domain then
    refuses it as holding no certificate); an inspection id already taken is refused naming the entry."""
    repo, entries = uow.repository(RegisterEntry), []
    for i, report in enumerate(reports):
        prefix = f"inspections[{i}]." if campaign else ""
        await _unused(uow, report.inspection_id, f"{prefix}inspection_id")
        entries.append(CampaignEntry(report, await repo.find(report.product_id) or RegisterEntry(report.product_id)))
    return entries


async def record_inspections(ports: MonitoringPorts, plan_id: str, reports: Sequence[InspectionReport], *,
                             campaign: bool) -> list[Inspection]:
    """Inspections under a plan: one product's (``campaign`` False, one report) or a campaign's, all or nothing.
    Each failure is an InspectionFailed of its product, derived from its fact in this transaction."""
    async with ports.uow() as uow:
        plan = await uow.repository(InspectionPlan).get(plan_id)
        entries = await _entries(uow, reports, campaign=campaign)
        rules = {"units": ports.reference.units, "policy": ports.policy, "today": ports.today()}
        if campaign:
            inspections = plan.record_campaign(entries, **rules)
        else:
            [only] = entries
            inspections = [plan.record_inspection(only.report, entry=only.entry, **rules)]
        for inspection in inspections:
            uow.repository(Inspection).add(inspection)
        await uow.commit()
    return inspections


async def record_unplanned_inspection(ports: MonitoringPorts, report: InspectionReport) -> Inspection:
    """An inspection outside any plan (a complaint, a market check): judged and published as under a plan."""
    async with ports.uow() as uow:
        [only] = await _entries(uow, [report])
        inspection = Inspection.conclude(report, entry=only.entry, units=ports.reference.units, policy=ports.policy,
                                         today=ports.today())
        uow.repository(Inspection).add(inspection)
        await uow.commit()
    return inspection


# ----------------------------------------------------------------------------------------- reports and targets


async def file_report(ports: MonitoringPorts, actor: Actor, *, plan_year: int, district_code: str, kind: str,
                      filed_on: date, document_ref: str) -> tuple[DistrictReport, bool]:
    """Record a district's report; the same filing again is answered as it was (False: nothing new)."""
    may_report(actor, district_code)
    expected = expected_report(plan_year, district_code, kind, ports.reference.units, ports.reference.deadlines)
    async with ports.uow() as uow:
        report = await _found_or_new(uow, DistrictReport, expected.report_id)
        filed = report.file(expected, filed_on, document_ref, today=ports.today())
        await uow.commit()
    return report, filed


async def amend_report(ports: MonitoringPorts, actor: Actor, *, plan_year: int, district_code: str, kind: str,
                       document_ref: str, amended_on: date, note: str) -> DistrictReport:
    may_report(actor, district_code)
    expected = expected_report(plan_year, district_code, kind, ports.reference.units, ports.reference.deadlines)
    async with ports.uow() as uow:
        report = await uow.repository(DistrictReport).find(expected.report_id)
        if report is None:
            raise NotAllowed(f"report {expected.report_id} has not been filed: file it first", field="document_ref")
        report.amend(document_ref, amended_on, note, today=ports.today())
        await uow.commit()
    return report


async def set_targets(ports: MonitoringPorts, *, plan_year: int, targets: Sequence[Target], basis: str,
                      set_on: date) -> TargetSetting:
    """The provincial office sets (or replaces) a plan year's targets; the plan year must have district-level units."""
    ports.reference.units.of_year(plan_year)
    async with ports.uow() as uow:
        setting = await _found_or_new(uow, TargetSetting, setting_id(plan_year))
        setting.set_targets(plan_year, targets, basis, set_on=set_on, today=ports.today())
        await uow.commit()
    return setting
