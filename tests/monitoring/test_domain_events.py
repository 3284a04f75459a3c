"""Every event of monitoring's aggregates is storable: written through the kernel's registry and read back equal,
and replaying an aggregate's events rebuilds the state its commands left."""

from __future__ import annotations

from datetime import date

from services.monitoring.domain.deadlines import expected_report
from services.monitoring.domain.events import ALL
from services.monitoring.domain.inspections import Inspection
from services.monitoring.domain.plans import InspectionPlan
from services.monitoring.domain.policy import DEFAULT_POLICY
from services.monitoring.domain.register import RegisterEntry
from services.monitoring.domain.reports import DistrictReport
from services.monitoring.domain.target_setting import TargetSetting
from services.monitoring.domain.values import ReviewDecision
from shared.events import EventRegistry
from tests.monitoring import OFFICE, TODAY, certificate, certified, finding, new_id, rating, report, shipped

AGGREGATES = (RegisterEntry, InspectionPlan, Inspection, DistrictReport, TargetSetting)
REGISTRY = EventRegistry.of(*AGGREGATES)


def round_trip(aggregate):
    """The aggregate rebuilt from its events as the store would give them back."""
    events = [REGISTRY.decode(e.event_type, type(e).schema_version, REGISTRY.encode(e, {}).data)
              for e in aggregate.pending]
    assert events == list(aggregate.pending)
    rebuilt = type(aggregate)(aggregate.id)
    for event in events:
        rebuilt.replay(event)
    return rebuilt


def test_every_aggregate_names_its_stream_and_every_event_is_registered_once():
    assert {e.__name__ for a in AGGREGATES for e in a.event_types.values()} == {e.__name__ for e in ALL}
    assert len({a.stream_type for a in AGGREGATES}) == len(AGGREGATES)


def test_register_plan_inspection_and_follow_up_replay_to_the_same_state():
    cert = certificate()
    entry = certified("p1", cert=cert)
    entry.note_rating(rating("downgraded", 3, certificate(valid_from=date(2021, 8, 5), valid_until=date(2024, 8, 5)),
                             inspection_id="i-0"))
    assert round_trip(entry).periods == entry.periods
    plan = InspectionPlan.plan(new_id("plan"), kind="periodic", planner=OFFICE, title="Đợt 1", product_ids=["p1"],
                               product_districts={"p1": "394"}, planned_on=date(2021, 9, 1), due_on=date(2021, 9, 30),
                               units=shipped().units, today=TODAY)
    inspection = plan.record_inspection(report("p1", finding(), finding("food_safety", "critical")), entry=entry,
                                        units=shipped().units, policy=DEFAULT_POLICY, today=TODAY)
    inspection.close_follow_up(ReviewDecision("revoked", date(2021, 11, 18), "e-1", 0, "3763/QĐ-UBND", None))
    assert round_trip(plan).inspected == plan.inspected
    rebuilt = round_trip(inspection)
    assert (rebuilt.failed, rebuilt.closed) == (inspection.failed, inspection.closed)


def test_reports_and_targets_replay_to_the_same_state():
    expected = expected_report(2021, "394", "annual", shipped().units, shipped().deadlines)
    filed = DistrictReport(expected.report_id)
    filed.file(expected, date(2021, 11, 30), "210/BC-UBND", today=TODAY)
    filed.amend("210a/BC-UBND", date(2021, 12, 5), "bổ sung", today=TODAY)
    assert round_trip(filed).filing == filed.filing
    setting = TargetSetting("2021")
    setting.set_targets(2021, shipped().targets[2021].targets, "KH 75", set_on=date(2021, 4, 1), today=TODAY)
    assert round_trip(setting).year_targets == setting.year_targets
