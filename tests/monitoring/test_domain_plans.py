"""Inspection plans and campaigns: who may plan what, products on the plan, one inspection per product (all or
nothing), overdue plans."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.monitoring.domain.errors import AlreadyRecorded, InvalidInput, NotAllowed, NotKnown, OutOfOrder
from services.monitoring.domain.events import PlannedProductInspected, ProductFailedInspection
from services.monitoring.domain.plans import CampaignEntry, InspectionPlan
from services.monitoring.domain.policy import DEFAULT_POLICY
from services.monitoring.domain.values import Body
from tests.monitoring import INDUSTRY_AND_TRADE, OFFICE, TODAY, YEN_DINH, certified, finding, new_id, report, shipped

PLANNED_ON, DUE_ON = date(2021, 9, 1), date(2021, 10, 31)


def plan(*products: str, planner: Body = OFFICE, kind: str = "periodic", districts: dict | None = None,
         **changes) -> InspectionPlan:
    args = {"kind": kind, "planner": planner, "title": "Kiểm tra sản phẩm OCOP năm 2021", "product_ids": products,
            "product_districts": districts if districts is not None else dict.fromkeys(products, "394"),
            "planned_on": PLANNED_ON, "due_on": DUE_ON, "units": shipped().units, "today": TODAY} | changes
    return InspectionPlan.plan(new_id("plan"), **args)


def refused(error=InvalidInput, *products: str, **changes) -> str:
    with pytest.raises(error) as caught:
        plan(*products, **changes)
    return caught.value.field


def inspect(p: InspectionPlan, product_id: str, *findings, **changes):
    return p.record_inspection(report(product_id, *findings, **changes), entry=certified(product_id),
                               units=shipped().units, policy=DEFAULT_POLICY, today=TODAY)


def test_a_plan_names_its_kind_planner_products_and_due_date():
    p = plan("p1", "p2", planner=INDUSTRY_AND_TRADE, kind="unannounced")
    facts = p.pending[0]
    assert (facts.kind, facts.planner.code, facts.product_ids, facts.due_on) == \
        ("unannounced", "industry_and_trade", ("p1", "p2"), DUE_ON)
    assert p.outstanding_on(TODAY) == ("p1", "p2")


@pytest.mark.parametrize("changes, error, field", [
    ({"kind": "random"}, InvalidInput, "kind"),
    ({"due_on": PLANNED_ON - timedelta(days=1)}, OutOfOrder, "due_on"),
    ({"planned_on": TODAY + timedelta(days=1), "due_on": TODAY + timedelta(days=9)}, OutOfOrder, "planned_on"),
    ({"title": ""}, InvalidInput, "title"),
    ({"planner": Body("district", "UBND huyện Đông Sơn", "383")}, NotKnown, "planner.code"),
    ({"planner": Body("coordination_office", "Văn phòng Điều phối", "vpdp")}, InvalidInput, "planner.code"),
])
def test_a_bad_plan_is_refused_naming_the_field(changes, error, field):
    assert refused(error, "p1", **changes) == field


def test_an_empty_or_repeated_product_list_is_refused():
    assert refused(InvalidInput) == "product_ids"
    assert refused(InvalidInput, "p1", "p2", "p1") == "product_ids[2]"


def test_only_products_of_the_register_are_planned():
    assert refused(NotAllowed, "p1", "p2", districts={"p1": "394"}) == "product_ids[1]"


def test_a_district_plans_only_its_own_products():
    assert plan("p1", planner=YEN_DINH).pending[0].planner == YEN_DINH
    assert refused(NotAllowed, "p1", "p2", planner=YEN_DINH, districts={"p1": "394", "p2": "380"}) == "product_ids[1]"


def test_an_inspection_is_recorded_through_the_plan_and_noted_on_it():
    p = plan("p1", "p2")
    inspection = inspect(p, "p1", finding(severity="major"))
    assert inspection.failed.plan_id == p.id
    noted = p.pending[-1]
    assert isinstance(noted, PlannedProductInspected) and (noted.product_id, noted.passed) == ("p1", False)
    assert p.outstanding_on(TODAY) == ("p2",)


def test_a_product_off_the_plan_twice_inspected_or_before_the_plan_is_refused():
    p = plan("p1")
    with pytest.raises(NotAllowed) as caught:
        inspect(p, "p9")
    assert caught.value.field == "product_id"
    with pytest.raises(OutOfOrder) as caught:
        inspect(p, "p1", inspected_on=PLANNED_ON - timedelta(days=1))
    assert caught.value.field == "inspected_on"
    inspect(p, "p1")
    with pytest.raises(AlreadyRecorded) as caught:
        inspect(p, "p1")
    assert caught.value.field == "product_id"


def test_a_campaign_records_one_inspection_and_one_failure_fact_per_product():
    products = [new_id("product") for _ in range(5)]
    p = plan(*products)
    severities = ["critical", "critical", "major", "none", "minor"]
    entries = [CampaignEntry(report(pid, finding(severity=s)), certified(pid)) for pid, s in zip(products, severities)]
    inspections = p.record_campaign(entries, units=shipped().units, policy=DEFAULT_POLICY, today=TODAY)
    failures = [i.pending[0] for i in inspections if isinstance(i.pending[0], ProductFailedInspection)]
    assert [f.product_id for f in failures] == [products[0], products[1], products[2], products[4]]
    assert [f.recommended_action for f in failures] == ["revocation", "revocation", "downgrade", "warning"]
    assert len({i.id for i in inspections}) == 5 and p.outstanding_on(TODAY) == ()


def test_a_campaign_with_one_bad_report_records_nothing_and_names_the_entry():
    p = plan("p1", "p2", "p3")
    entries = [CampaignEntry(report(pid, finding(severity=s)), certified(pid))
               for pid, s in (("p1", "major"), ("p2", "none"), ("p3", "grave"))]
    with pytest.raises(InvalidInput) as caught:
        p.record_campaign(entries, units=shipped().units, policy=DEFAULT_POLICY, today=TODAY)
    assert caught.value.field == "inspections[2].findings[0].severity"
    assert len(p.pending) == 1 and p.outstanding_on(TODAY) == ("p1", "p2", "p3")


def test_a_campaign_naming_a_product_twice_or_nothing_is_refused():
    p = plan("p1", "p2")
    twice = [CampaignEntry(report("p1"), certified("p1")), CampaignEntry(report("p1"), certified("p1"))]
    with pytest.raises(AlreadyRecorded) as caught:
        p.record_campaign(twice, units=shipped().units, policy=DEFAULT_POLICY, today=TODAY)
    assert caught.value.field == "inspections[1].product_id"
    with pytest.raises(InvalidInput) as caught:
        p.record_campaign([], units=shipped().units, policy=DEFAULT_POLICY, today=TODAY)
    assert caught.value.field == "inspections"


def test_a_plan_is_overdue_after_its_due_date_while_products_are_outstanding():
    p = plan("p1", "p2")
    inspect(p, "p1", inspected_on=date(2021, 10, 20))
    assert not p.is_overdue(DUE_ON)
    assert p.is_overdue(DUE_ON + timedelta(days=1))
    p.drop_product("p2", "chủ thể ngừng sản xuất", on=date(2021, 11, 10), today=TODAY)
    assert p.is_overdue(date(2021, 11, 9)) and not p.is_overdue(date(2021, 11, 10))
    assert p.outstanding_on(date(2021, 10, 19)) == ("p1", "p2")  # as of a date before the inspection


def test_a_dropped_product_is_no_longer_inspected_and_a_drop_needs_its_reason():
    p = plan("p1", "p2")
    with pytest.raises(InvalidInput) as caught:
        p.drop_product("p1", " ", on=date(2021, 9, 10), today=TODAY)
    assert caught.value.field == "reason"
    p.drop_product("p1", "giấy chứng nhận đã bị thu hồi", on=date(2021, 9, 10), today=TODAY)
    with pytest.raises(NotAllowed):
        inspect(p, "p1")
