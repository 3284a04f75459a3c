"""Monitoring's HTTP answers to bad input and to the wrong person: a documented 4xx naming the field and the rule,
and nothing half-written (a refused campaign leaves the plan and the topic as they were)."""

from __future__ import annotations

from typing import Any

import pytest

from shared.contracts.roles import Role
from tests.monitoring.flow import MonitoringDriver, driver  # noqa: F401
from tests.monitoring.public import finding, inspection_body, new_id

pytestmark = pytest.mark.asyncio(loop_scope="module")
DISTRICT = "395"  # Thọ Xuân: this module's products


def refusal(response: Any, status: int, error: str, field: str) -> str:
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert (detail["error"], detail["field"]) == (error, field), detail
    return detail["message"]


async def test_planning_needs_a_planner_of_the_right_role_and_district(driver: MonitoringDriver):
    [(product_id, _, _)] = await driver.certify(1, DISTRICT)
    body = {"kind": "unannounced", "title": "Kiểm tra đột xuất", "product_ids": [product_id],
            "planned_on": "2021-09-01", "due_on": "2021-09-10",
            "planner": {"kind": "district", "name": "UBND huyện Thọ Xuân", "code": DISTRICT}}
    assert (await driver.client.post("/inspection-plans", json=body)).status_code == 401
    refusal(await driver.post("/inspection-plans", body, Role.inspector), 403, "role_not_allowed", "authorization")
    refusal(await driver.post("/inspection-plans", body, Role.district_officer, "380"), 403, "district_forbidden",
            "district")
    refusal(await driver.post("/inspection-plans", body, Role.provincial_office), 403, "role_not_allowed",
            "planner.kind")
    own = await driver.post("/inspection-plans", body, Role.district_officer, DISTRICT)
    assert own.status_code == 201, own.text
    assert own.json()["planner"] == {"kind": "district", "name": "UBND huyện Thọ Xuân", "code": DISTRICT}


async def test_a_plan_that_breaks_a_rule_is_refused_naming_the_field(driver: MonitoringDriver):
    [(product_id, _, _)] = await driver.certify(1, DISTRICT)
    base = {"kind": "periodic", "title": "Đợt 2", "product_ids": [product_id], "planned_on": "2021-09-01",
            "due_on": "2021-09-30", "planner": {"kind": "coordination_office", "name": "VP Điều phối"}}
    cases = [
        ({"due_on": "2021-08-01"}, 409, "out_of_order", "due_on"),
        ({"product_ids": [product_id, "sp-never-heard"]}, 409, "not_allowed", "product_ids[1]"),
        ({"product_ids": [product_id, product_id]}, 422, "invalid_input", "product_ids[1]"),
        ({"planned_on": "2099-01-01", "due_on": "2099-02-01"}, 409, "out_of_order", "planned_on"),
        ({"kind": "yearly"}, 422, "invalid_request", "kind"),
        ({"planner": {"kind": "department", "name": "Sở Công Thương"}}, 422, "invalid_request",
         "planner.department.code"),
        ({"colour": "red"}, 422, "invalid_request", "colour"),
    ]
    for change, status, error, field in cases:
        refusal(await driver.post("/inspection-plans", {**base, **change}), status, error, field)
    plan = await driver.plan([product_id])
    refusal(await driver.post("/inspection-plans", {**base, "plan_id": plan["plan_id"]}), 409, "already_recorded",
            "plan_id")


async def test_a_refused_campaign_writes_nothing_and_names_the_entry(driver: MonitoringDriver):
    products = [p for p, _, _ in await driver.certify(2, DISTRICT)]
    plan = await driver.plan(products)
    no_evidence = finding("food_safety", "major", evidence=[])
    cases = [
        ((inspection_body(products[0], finding("food_safety", "critical")),
          inspection_body(products[1], no_evidence)), 422, "invalid_request",
         "inspections.1.findings.0.major.evidence"),
        ((inspection_body(products[0], finding("taste", "minor")),), 422, "invalid_request",
         "inspections.0.findings.0.minor.area"),
        ((inspection_body(products[0], inspected_on="2099-01-01"),), 409, "out_of_order",
         "inspections[0].inspected_on"),
        ((inspection_body(products[0], inspected_on="2021-08-01"),), 409, "out_of_order",
         "inspections[0].inspected_on"),
        ((inspection_body("sp-not-on-plan"),), 409, "not_allowed", "inspections[0].product_id"),
        ((inspection_body(products[0]), inspection_body(products[0])), 409, "already_recorded",
         "inspections[1].product_id"),
    ]
    for inspections, status, error, field in cases:
        refusal(await driver.campaign(plan["plan_id"], *inspections), status, error, field)
    unchanged = await driver.get(f"/inspection-plans/{plan['plan_id']}", as_of="2021-12-31")
    assert unchanged["outstanding"] == products and unchanged["version"] == plan["version"]
    assert (await driver.get("/inspections", plan_id=plan["plan_id"]))["total"] == 0

    refusal(await driver.post(f"/inspection-plans/{plan['plan_id']}/campaign",
                              {"inspections": [inspection_body(products[0])]}, Role.district_officer, DISTRICT),
            403, "role_not_allowed", "authorization")
    done = await driver.campaign(plan["plan_id"], inspection_body(products[0]))
    assert done.status_code == 201, done.text
    taken = done.json()["inspections"][0]["inspection_id"]
    again = await driver.post(f"/inspection-plans/{plan['plan_id']}/inspections",
                              inspection_body(products[1], inspection_id=taken), Role.inspector)
    refusal(again, 409, "already_recorded", "inspection_id")


async def test_reports_and_targets_refuse_what_the_reference_does_not_know(driver: MonitoringDriver):
    filing = {"filed_on": "2021-06-10", "document_ref": "12/BC-UBND"}
    refusal(await driver.post("/reports/2021/395/quarterly/filing", filing), 404, "not_known", "kind")
    refusal(await driver.post("/reports/2021/999/annual/filing", filing), 404, "not_known", "district_code")
    refusal(await driver.post("/reports/2019/395/annual/filing", filing), 404, "not_known", "plan_year")
    refusal(await driver.post("/reports/2021/395/annual/filing", {**filing, "filed_on": "2020-12-31"}), 409,
            "out_of_order", "filed_on")
    assert (await driver.post("/reports/2021/395/annual/filing", filing)).status_code == 201
    refusal(await driver.post("/reports/2021/395/annual/filing", {**filing, "document_ref": "13/BC-UBND"}), 409,
            "already_recorded", "document_ref")
    refusal(await driver.post("/reports/2021/398/annual/amendment", {"document_ref": "1/BC"}), 409, "not_allowed",
            "document_ref")
    refusal(await driver.client.get("/reports", params={"plan_year": 2021}, headers=driver.token(Role.inspector)),
            403, "role_not_allowed", "authorization")

    target = {"name_vi": "Chỉ tiêu", "measure": "recognised", "level": "provincial", "at_least": 10}
    refusal(await driver.post("/targets/2019", {"basis": "KH", "targets": {"t": target}}, method="PUT"), 404,
            "not_known", "plan_year")
    refusal(await driver.post("/targets/2024", {"basis": "KH", "targets": {"t": {**target, "measure": "sold"}}},
                              method="PUT"), 422, "invalid_request", "targets.t.measure")
    refusal(await driver.post("/targets/2024", {"basis": "KH", "targets": {"T 1": target}}, method="PUT"), 422,
            "invalid_request", "targets.T 1.[key]")
    refusal(await driver.post("/targets/2024", {"basis": "KH", "targets": {"t": {**target, "at_least": "10"}}},
                              method="PUT"), 422, "invalid_request", "targets.t.at_least")
    refusal(await driver.post("/targets/2024", {"basis": "KH", "targets": {"t": target}}, Role.district_officer,
                              DISTRICT, method="PUT"), 403, "role_not_allowed", "authorization")
    refusal(await driver.client.get("/targets/2020", headers=driver.token()), 404, "not_known", "plan_year")


async def test_unknown_ids_answer_404(driver: MonitoringDriver):
    for path in (f"/register/{new_id('sp')}", f"/inspections/{new_id('KT')}", f"/inspection-plans/{new_id('KH')}"):
        response = await driver.client.get(path, headers=driver.token())
        assert (response.status_code, response.json()["detail"]["error"]) == (404, "not_found"), path
