"""Monitoring's handlers in memory (no PostgreSQL, no broker): the composition root with an in-memory unit of work
and a fixed clock. The same flows run over the real broker and PostgreSQL in ``test_flow_*``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from services.monitoring.application import handlers
from services.monitoring.application.ports import MonitoringPorts
from services.monitoring.bootstrap import bootstrap
from services.monitoring.domain.errors import AlreadyRecorded, InvalidInput, NotAllowed, NotKnown
from services.monitoring.domain.events import FollowUpClosed, ProductFailedInspection
from services.monitoring.domain.inspections import Inspection
from services.monitoring.domain.plans import InspectionPlan
from services.monitoring.domain.register import RegisterEntry
from services.monitoring.domain.targets import Target
from services.monitoring.domain.values import Body, Finding, InspectionReport
from services.monitoring.service import definition
from shared.auth import Actor, DistrictForbiddenError, RoleNotAllowedError
from shared.contracts import InspectionFailedData, parse_event, serialize_event
from shared.contracts.envelope import VIETNAM_TZ
from shared.contracts.roles import Role
from shared.memory import InMemoryStore
from shared.ports import fixed_clock
from shared.publication import Publications
from tests.monitoring import INDUSTRY_AND_TRADE, OFFICE, shipped
from tests.monitoring.public import certified, decision, new_id, rated, registered, reward

pytestmark = pytest.mark.asyncio
PROVINCE = Actor(id="vpdp", role=Role.provincial_office)
YEN_DINH_OFFICER = Actor(id="yd", role=Role.district_officer, district="394")


def open_follow_ups_in(store: InMemoryStore) -> Any:
    """The read model's question, asked of the in-memory store's facts."""
    async def find(uow: Any, product_id: str) -> list[str]:
        facts = [r.event for r in store.recorded()]
        failed = [e.inspection_id for e in facts
                  if isinstance(e, ProductFailedInspection) and e.product_id == product_id]
        closed = {e.inspection_id for e in facts if isinstance(e, FollowUpClosed)}
        return [i for i in failed if i not in closed]
    return find


@pytest.fixture
def store() -> InMemoryStore:
    return InMemoryStore(definition.events, Publications(definition.publishers))


@pytest.fixture
def ports(store: InMemoryStore) -> MonitoringPorts:
    return bootstrap(store.unit_of_work, reference=shipped(),
                     clock=fixed_clock(datetime(2021, 12, 31, 9, tzinfo=VIETNAM_TZ)),
                     follow_ups=open_follow_ups_in(store))


async def deliver(ports: MonitoringPorts, handler: Any, *envelopes: Any) -> None:
    """As the consumer does: one unit of work per delivery, committed after the handler."""
    for envelope in envelopes:
        async with ports.uow() as uow:
            await handler(envelope, uow, ports)
            await uow.commit()


async def load(ports: MonitoringPorts, kind: type, stream_id: str) -> Any:
    async with ports.uow() as uow:
        return await uow.repository(kind).get(stream_id)


async def certified_products(ports: MonitoringPorts, n: int, district: str = "394") -> list[tuple[str, Any]]:
    """``n`` products registered in ``district`` and recognised 4★ in round 1/2021: (product id, its registration)."""
    products = []
    for _ in range(n):
        product_id = new_id("sp")
        registration = registered(product_id, district_code=district)
        await deliver(ports, handlers.note_product, registration)
        await deliver(ports, handlers.note_rating, certified(product_id, new_id("GCN")))
        products.append((product_id, registration))
    return products


def report(product_id: str, *findings: Finding, inspection_id: str | None = None) -> InspectionReport:
    return InspectionReport(inspection_id or new_id("KT"), product_id, date(2021, 9, 15), INDUSTRY_AND_TRADE,
                            ("Lê Văn Hùng",), findings or (Finding("food_safety", "none", ""),))


def failing(severity: str = "critical") -> Finding:
    return Finding("food_safety", severity, "Vượt ngưỡng vi sinh", ("PKQ-112/2021",))


async def a_plan(ports: MonitoringPorts, product_ids: list[str], actor: Actor = PROVINCE,
                 planner: Body = OFFICE) -> str:
    plan = await handlers.plan_inspections(ports, actor, plan_id=new_id("KH"), kind="periodic", planner=planner,
                                           title="Kiểm tra sau công nhận đợt 1/2021", product_ids=product_ids,
                                           planned_on=date(2021, 9, 1), due_on=date(2021, 9, 30))
    return plan.id


# ----------------------------------------------------------------------------------------------- register


async def test_the_register_follows_registration_rating_and_reward_in_whatever_order_they_arrive(ports):
    product_id = new_id("sp")
    await deliver(ports, handlers.note_rating, certified(product_id, "GCN-1"))
    await deliver(ports, handlers.note_reward, reward(product_id, amount_vnd=20_000_000))
    await deliver(ports, handlers.note_product, registered(product_id, district_code="380"))
    entry = await load(ports, RegisterEntry, product_id)
    assert entry.district_code == "380"
    assert entry.certificate_on(date(2021, 5, 1)).number == "GCN-1"
    assert [r.amount_vnd for r in entry.rewards.values()] == [20_000_000]


async def test_the_same_facts_heard_again_record_nothing_new(ports, store):
    product_id = new_id("sp")
    again = [registered(product_id), certified(product_id, "GCN-2"), reward(product_id, reward_id="rw-1")]
    for envelope, handler in zip(again, (handlers.note_product, handlers.note_rating, handlers.note_reward)):
        await deliver(ports, handler, envelope, envelope)
    assert [e.event_type for e in store.events if e.stream_id == product_id] == [
        "ProductNoted", "RatingNoted", "RewardNoted"]


# ----------------------------------------------------------------------------------------------- plans


async def test_a_district_plans_only_its_own_certified_products(ports):
    [(own, _)] = await certified_products(ports, 1, "394")
    [(other, _)] = await certified_products(ports, 1, "380")
    yen_dinh = Body("district", "UBND huyện Yên Định", "394")
    assert (await load(ports, InspectionPlan, await a_plan(ports, [own], YEN_DINH_OFFICER, yen_dinh))).planned
    with pytest.raises(NotAllowed) as refused:
        await a_plan(ports, [own, other], YEN_DINH_OFFICER, yen_dinh)
    assert refused.value.field == "product_ids[1]"
    with pytest.raises(DistrictForbiddenError):
        await a_plan(ports, [other], YEN_DINH_OFFICER, Body("district", "UBND TP Thanh Hóa", "380"))
    with pytest.raises(RoleNotAllowedError):
        await a_plan(ports, [own], YEN_DINH_OFFICER, OFFICE)


async def test_a_product_without_a_certificate_in_force_cannot_be_planned(ports):
    product_id = new_id("sp")
    await deliver(ports, handlers.note_product, registered(product_id))
    with pytest.raises(NotAllowed) as refused:
        await a_plan(ports, [product_id])
    assert refused.value.field == "product_ids[0]"


async def test_a_plan_id_taken_is_refused_naming_it(ports):
    [(product_id, _)] = await certified_products(ports, 1)
    plan_id = await a_plan(ports, [product_id])
    with pytest.raises(AlreadyRecorded) as refused:
        await handlers.plan_inspections(ports, PROVINCE, plan_id=plan_id, kind="periodic", planner=OFFICE, title="x",
                                        product_ids=[product_id], planned_on=date(2021, 9, 1), due_on=date(2021, 9, 2))
    assert refused.value.field == "plan_id"


# ----------------------------------------------------------------------------------------------- inspections


async def test_a_campaign_publishes_one_inspection_failed_per_failed_product_continuing_its_flow(ports, store):
    products = await certified_products(ports, 3)
    plan_id = await a_plan(ports, [p for p, _ in products])
    (revoked, reg_revoked), (downgraded, reg_downgraded), (passed, _) = products
    inspections = await handlers.record_inspections(ports, plan_id, [
        report(revoked, Finding("production_process", "none", ""), failing("critical")),
        report(downgraded, failing("major")),
        report(passed, Finding("packaging_labelling", "none", "")),
    ], campaign=True)
    assert [i.failed is not None for i in inspections] == [True, True, False]

    published = [parse_event(serialize_event(e)) for e in store.published]
    assert [(e.event_type, e.product_id) for e in published] == [("InspectionFailed", revoked),
                                                                 ("InspectionFailed", downgraded)]
    first, second = published
    assert (first.data.severity, first.data.recommended_action) == ("critical", "revocation")
    assert (second.data.severity, second.data.recommended_action) == ("major", "downgrade")
    assert first.data == InspectionFailedData(
        inspection_id=inspections[0].id, inspected_on=date(2021, 9, 15), inspector_org="Sở Công Thương Thanh Hóa",
        certificate_number=first.data.certificate_number, severity="critical", recommended_action="revocation",
        findings=({"criterion": "food_safety", "description": "Vượt ngưỡng vi sinh"},))
    assert (first.correlation_id, second.correlation_id) == (reg_revoked.correlation_id, reg_downgraded.correlation_id)
    plan = await load(ports, InspectionPlan, plan_id)
    assert set(plan.inspected) == {revoked, downgraded, passed} and not plan.outstanding_on(date(2021, 9, 30))


async def test_a_campaign_with_one_bad_entry_records_nothing(ports, store):
    products = await certified_products(ports, 2)
    plan_id = await a_plan(ports, [p for p, _ in products])
    before = len(store.events)
    no_evidence = Finding("food_safety", "major", "Vượt ngưỡng", ())
    with pytest.raises(InvalidInput) as refused:
        await handlers.record_inspections(ports, plan_id, [report(products[0][0], failing()),
                                                           report(products[1][0], no_evidence)], campaign=True)
    assert refused.value.field == "inspections[1].findings[0].evidence"
    assert len(store.events) == before and store.published == []


async def test_an_inspection_id_already_taken_is_refused_naming_the_entry(ports):
    products = await certified_products(ports, 2)
    plan_id = await a_plan(ports, [p for p, _ in products])
    [done] = await handlers.record_inspections(ports, plan_id, [report(products[0][0])], campaign=False)
    with pytest.raises(AlreadyRecorded) as refused:
        await handlers.record_inspections(ports, plan_id, [report(products[1][0], inspection_id=done.id)],
                                          campaign=True)
    assert refused.value.field == "inspections[0].inspection_id"


async def test_a_product_never_certified_cannot_be_inspected_outside_a_plan(ports):
    with pytest.raises(NotAllowed) as refused:
        await handlers.record_unplanned_inspection(ports, report(new_id("sp"), failing()))
    assert refused.value.field == "product_id"


# ----------------------------------------------------------------------------------------------- follow-up


async def _failed(ports: MonitoringPorts) -> tuple[str, Inspection]:
    [(product_id, _)] = await certified_products(ports, 1)
    inspection = await handlers.record_unplanned_inspection(ports, report(product_id, failing("major")))
    return product_id, inspection


@pytest.mark.parametrize("status, stars, reason, outcome", [
    ("revoked", 0, "Vi phạm quy chế", "revoked"),
    ("downgraded", 3, "Đánh giá lại", "downgraded"),
    ("recognized", 4, "warning: nhắc nhở lần 1", "warning"),
    ("recognized", 4, "Đánh giá lại giữ hạng", "re_rated"),
])
async def test_rating_s_decision_naming_the_inspection_closes_its_follow_up(ports, status, stars, reason, outcome):
    product_id, inspection = await _failed(ports)
    certificate = inspection.failed.certificate_number
    await deliver(ports, handlers.note_rating, rated(product_id, status=status, stars=stars, certificate=certificate,
                                                     decided=decision("3763/QĐ-UBND", "2021-11-18"), reason=reason,
                                                     inspection_id=inspection.id))
    closed = (await load(ports, Inspection, inspection.id)).closed
    assert (closed.outcome, closed.decided_on, closed.decision_number) == (outcome, date(2021, 11, 18), "3763/QĐ-UBND")


async def test_a_certificate_expiring_under_review_closes_its_follow_up_the_day_after_its_last_day(ports):
    product_id, inspection = await _failed(ports)
    certificate = inspection.failed.certificate_number
    await deliver(ports, handlers.note_rating, rated(product_id, status="expired", stars=0, certificate=certificate,
                                                     valid_until="2024-04-05", reason="hết hạn"))
    closed = (await load(ports, Inspection, inspection.id)).closed
    assert (closed.outcome, closed.decided_on) == ("expired", date(2024, 4, 6))


async def test_a_decision_naming_an_inspection_never_recorded_is_refused_so_it_is_dead_lettered(ports, store):
    [(product_id, _)] = await certified_products(ports, 1)
    before = len(store.events)
    with pytest.raises(LookupError):
        await deliver(ports, handlers.note_rating, rated(product_id, status="revoked", stars=0, certificate="GCN-x",
                                                         decided=decision(), inspection_id="KT-unknown"))
    assert len(store.events) == before


# ----------------------------------------------------------------------------------------------- reports, targets


async def test_a_report_filed_again_the_same_is_a_no_op_and_with_another_document_is_refused(ports):
    filing = {"plan_year": 2021, "district_code": "394", "kind": "six_month", "filed_on": date(2021, 6, 14)}
    _, first = await handlers.file_report(ports, YEN_DINH_OFFICER, **filing, document_ref="88/BC-UBND")
    _, again = await handlers.file_report(ports, YEN_DINH_OFFICER, **filing, document_ref="88/BC-UBND")
    assert (first, again) == (True, False)
    with pytest.raises(AlreadyRecorded) as refused:
        await handlers.file_report(ports, YEN_DINH_OFFICER, **filing, document_ref="89/BC-UBND")
    assert refused.value.field == "document_ref"
    with pytest.raises(DistrictForbiddenError):
        await handlers.file_report(ports, YEN_DINH_OFFICER, **{**filing, "district_code": "380"}, document_ref="1")
    amended = await handlers.amend_report(ports, PROVINCE, plan_year=2021, district_code="394", kind="six_month",
                                          document_ref="88a/BC-UBND", amended_on=date(2021, 6, 20), note="bổ sung")
    assert amended.filing.document_ref == "88a/BC-UBND" and amended.filing.filed_on == date(2021, 6, 14)


async def test_an_unknown_report_kind_or_unit_is_refused_naming_the_field(ports):
    for district, kind, field in (("394", "quarterly", "kind"), ("999", "annual", "district_code")):
        with pytest.raises(NotKnown) as refused:
            await handlers.file_report(ports, PROVINCE, plan_year=2021, district_code=district, kind=kind,
                                       filed_on=date(2021, 6, 1), document_ref="1/BC")
        assert refused.value.field == field


async def test_targets_set_replace_the_shipped_ones_of_their_year(ports):
    target = Target("provincial_4_stars", "Sản phẩm 4 sao cấp tỉnh", "recognised", "provincial", 4, 20)
    setting = await handlers.set_targets(ports, plan_year=2022, targets=[target], basis="KH 2022",
                                         set_on=date(2021, 12, 1))
    assert setting.year_targets.targets == (target,)
    with pytest.raises(NotKnown) as refused:
        await handlers.set_targets(ports, plan_year=2019, targets=[target], basis="KH", set_on=date(2021, 1, 1))
    assert refused.value.field == "plan_year"
