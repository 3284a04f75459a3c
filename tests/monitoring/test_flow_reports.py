"""District reports and programme targets over the real broker and PostgreSQL: which reports are on time, late or
missing as of a date ("before 15/6" read strictly), each pre-filled with its district's figures from monitoring's
own projections; targets set by the provincial office and live progress by round and by district."""

from __future__ import annotations

import pytest

from shared.contracts.roles import Role
from tests.monitoring.flow import MonitoringDriver, driver, send  # noqa: F401
from tests.monitoring.public import decision, finding, inspection_body, new_id, rated, registered, reward

pytestmark = pytest.mark.asyncio(loop_scope="module")
ON_TIME, LATE, MISSING = "403", "404", "405"  # Như Thanh, Nông Cống, Đông Sơn: this module's units


async def file(driver: MonitoringDriver, district: str, kind: str, filed_on: str, document_ref: str,
               as_district: str | None = None) -> tuple[int, dict]:
    response = await driver.post(f"/reports/2021/{district}/{kind}/filing",
                                 {"filed_on": filed_on, "document_ref": document_ref}, Role.district_officer,
                                 as_district or district)
    return response.status_code, response.json()


async def test_reports_are_on_time_late_or_missing_as_of_a_date(driver: MonitoringDriver):
    assert (await file(driver, ON_TIME, "six_month", "2021-06-14", "88/BC-UBND"))[0] == 201
    status, late = await file(driver, LATE, "six_month", "2021-06-15", "101/BC-UBND")  # "before 15/6": the 15th is late
    assert (status, late["state"], late["days_late"], late["last_on_time_day"]) == (201, "late", 1, "2021-06-14")
    assert (await file(driver, ON_TIME, "six_month", "2021-06-14", "88/BC-UBND"))[0] == 200  # the same again

    schedule = await driver.get("/reports", plan_year=2021, as_of="2021-07-01")
    state = {(r["district_code"], r["kind"]): r["state"] for r in schedule["items"]}
    assert schedule["total"] == 54 and schedule["deadline_inclusive"] is False
    assert (state[ON_TIME, "six_month"], state[LATE, "six_month"], state[MISSING, "six_month"]) == (
        "on_time", "late", "missing")
    assert state[ON_TIME, "annual"] == "not_due"
    missing = await driver.get("/reports", plan_year=2021, as_of="2021-07-01", state="missing")
    assert (MISSING, "six_month") in {(r["district_code"], r["kind"]) for r in missing["items"]}
    assert missing["counts"]["missing"] == missing["total"] and missing["counts"]["late"] == 0

    # As of a day before the late filing it was missing; before the deadline, not yet due.
    earlier = await driver.get(f"/reports/2021/{LATE}/six_month", as_of="2021-06-14")
    assert (earlier["state"], earlier["filed_on"]) == ("not_due", None)
    day_after = await driver.get(f"/reports/2021/{LATE}/six_month", as_of="2021-06-15")
    assert day_after["state"] == "late"


async def test_a_district_officer_files_and_reads_only_their_own_district(driver: MonitoringDriver):
    status, refused = await file(driver, MISSING, "annual", "2021-11-20", "7/BC-UBND", as_district=ON_TIME)
    assert status == 403 and refused["detail"]["field"] == "district"
    own = await driver.get("/reports", Role.district_officer, ON_TIME, plan_year=2021, as_of="2021-07-01")
    assert {r["district_code"] for r in own["items"]} == {ON_TIME} and own["total"] == 2
    amended = await driver.post(f"/reports/2021/{ON_TIME}/six_month/amendment",
                                {"document_ref": "88a/BC-UBND", "amended_on": "2021-06-20", "note": "bổ sung số liệu"},
                                Role.district_officer, ON_TIME)
    assert amended.status_code == 200, amended.text
    body = amended.json()
    assert (body["state"], body["document_ref"], body["first_document_ref"], body["amendments"]) == (
        "on_time", "88a/BC-UBND", "88/BC-UBND", 1)


async def test_each_expected_report_is_prefilled_with_its_district_s_figures(driver: MonitoringDriver):
    district = "406"  # Quảng Xương, used by this test only
    before = (await driver.get(f"/reports/2021/{district}/annual", as_of="2021-11-30"))["figures"]
    [(certified, _, number)] = await driver.certify(1, district)
    rejected = new_id("sp")
    await send(driver.bootstrap, registered(rejected, district_code=district),
               rated(rejected, status="not_recognized", stars=2, decided=decision("1500/QĐ-UBND", "2021-08-10")),
               reward(certified, amount_vnd=20_000_000))
    plan = await driver.plan([certified])
    inspected = await driver.post(f"/inspection-plans/{plan['plan_id']}/inspections",
                                  inspection_body(certified, finding("food_safety", "major")), Role.inspector)
    assert inspected.status_code == 201, inspected.text
    after = (await driver.when(f"/reports/2021/{district}/annual",
                               lambda r: r["figures"]["rewards_approved"] > before["rewards_approved"]
                               and r["figures"]["registrations_sent"] == before["registrations_sent"] + 2,
                               "the district's figures", as_of="2021-11-30"))["figures"]
    stars = {int(k): v for k, v in after["ratings_by_star"].items()}
    before_stars = {int(k): v for k, v in before["ratings_by_star"].items()}
    assert {k: stars[k] - before_stars[k] for k in stars if stars[k] != before_stars[k]} == {2: 1, 4: 1}
    assert after["certificates_in_force"] == before["certificates_in_force"] + 1
    assert after["rewards_amount_vnd"] == before["rewards_amount_vnd"] + 20_000_000
    assert (after["inspections"], after["inspection_failures"]) == (before["inspections"] + 1,
                                                                    before["inspection_failures"] + 1)
    assert number


async def test_targets_set_by_the_province_show_live_progress_by_round_and_district(driver: MonitoringDriver):
    year = 2023  # this test's plan year
    targets = {"basis": "Kế hoạch OCOP 2023", "set_on": "2021-12-01", "targets": {
        "provincial_3_stars": {"name_vi": "Sản phẩm đạt 3 sao trở lên cấp tỉnh", "measure": "recognised",
                               "level": "provincial", "min_stars": 3, "at_least": 4},
        "proposed_5_stars": {"name_vi": "Sản phẩm đề nghị 5 sao", "measure": "proposed", "level": "provincial",
                             "min_stars": 0, "at_least": 1}}}
    response = await driver.post(f"/targets/{year}", targets, method="PUT")
    assert response.status_code == 200, response.text
    assert [t["target_id"] for t in (await driver.get(f"/targets/{year}"))["targets"]] == [
        "provincial_3_stars", "proposed_5_stars"]

    round_1, round_2 = decision("100/QĐ-UBND", "2023-04-10"), decision("900/QĐ-UBND", "2023-08-20")
    a, b, c = new_id("sp"), new_id("sp"), new_id("sp")
    await send(driver.bootstrap,
               registered(a, district_code="380", cycle_year=year), registered(b, district_code="380", cycle_year=year),
               registered(c, district_code="394", cycle_year=year),
               rated(a, certificate=new_id("GCN"), decided=round_1, cycle_year=year, stars=3),
               rated(a, certificate=new_id("GCN"), decided=round_2, cycle_year=year, stars=4),  # upgraded: counted once
               rated(b, certificate=new_id("GCN"), decided=round_2, cycle_year=year, stars=4),
               rated(c, status="proposed", stars=4, decided=round_2, cycle_year=year, average_score=91.0))
    progress = await driver.when(f"/targets/{year}/progress",
                                 lambda p: p["targets"][0]["achieved"] == 2 and p["targets"][1]["achieved"] == 1,
                                 "the progress of 2023")
    recognised, proposed = progress["targets"]
    assert (recognised["remaining"], recognised["met"], recognised["share_percent"]) == (2, False, 50.0)
    assert recognised["by_round"] == [{"round": 1, "products": 1}, {"round": 2, "products": 1}]
    assert recognised["by_district"]["380"] == 2 and recognised["by_district"]["394"] == 0
    assert len(recognised["by_district"]) == 27
    assert (proposed["met"], proposed["by_district"]["394"], proposed["by_round"]) == (
        True, 1, [{"round": 2, "products": 1}])


async def test_the_shipped_2021_targets_answer_until_the_province_sets_others(driver: MonitoringDriver):
    shipped = await driver.get("/targets/2021")
    assert [(t["measure"], t["level"], t["min_stars"], t["at_least"]) for t in shipped["targets"]] == [
        ("recognised", "provincial", 3, 80), ("proposed", "provincial", 0, 3)]
