"""Inspections over the real broker and PostgreSQL: a campaign's failures are published as InspectionFailed on their
topic (schema-valid, keyed by the product, continuing its flow), the products show under review, and rating's
decisions (sent as ProductRated naming the inspection) close the follow-ups; the register follows the decisions; an
event delivered twice is counted once."""

from __future__ import annotations

import uuid

import pytest

from shared.contracts import InspectionFailed, parse_event
from shared.contracts.roles import Role
from tests.kernel.support import header
from tests.monitoring.flow import MonitoringDriver, correlation, driver, inspection_failed_records, send  # noqa: F401
from tests.monitoring.public import decision, finding, inspection_body, rated, registered, reward

pytestmark = pytest.mark.asyncio(loop_scope="module")
DISTRICT = "394"  # Yên Định


async def test_a_failed_campaign_is_published_put_under_review_and_closed_by_rating_s_decisions(
        driver: MonitoringDriver):
    (revoked, reg_revoked, cert_revoked), (downgraded, reg_down, cert_down), (passed, _, _) = \
        await driver.certify(3, DISTRICT)
    plan = await driver.plan([revoked, downgraded, passed])
    trace_id = uuid.uuid4().hex
    response = await driver.campaign(
        plan["plan_id"],
        inspection_body(revoked, finding("production_process"), finding("food_safety", "critical",
                                                                         criterion="C2.1")),
        inspection_body(downgraded, finding("quality_vs_standard", "major")),
        inspection_body(passed, finding("packaging_labelling")), trace_id=trace_id)
    assert response.status_code == 201, response.text
    recorded = response.json()
    assert recorded["failed"] == 2
    assert [(i["product_id"], i["result"], i["recommended_action"]) for i in recorded["inspections"]] == [
        (revoked, "failed", "revocation"), (downgraded, "failed", "downgrade"), (passed, "passed", None)]
    inspection_of = {i["product_id"]: i["inspection_id"] for i in recorded["inspections"]}

    records = await inspection_failed_records(driver.bootstrap, {revoked, downgraded})
    events = {r.key.decode(): parse_event(r.value) for r in records}
    assert all(isinstance(e, InspectionFailed) for e in events.values()) and len(records) == 2
    failed = events[revoked]
    assert (failed.product_id, failed.source, correlation(failed)) == (revoked, "monitoring", correlation(reg_revoked))
    assert failed.data.model_dump(mode="json") == {
        "inspection_id": inspection_of[revoked], "inspected_on": "2021-09-15",
        "inspector_org": "Sở Công Thương Thanh Hóa", "certificate_number": cert_revoked,
        "findings": [{"criterion": "C2.1", "description": "food_safety: không đạt yêu cầu"}],
        "severity": "critical", "recommended_action": "revocation"}
    assert correlation(events[downgraded]) == correlation(reg_down)
    assert failed.actor is not None and failed.actor.role == "inspector"
    assert [header(r, "traceparent").split("-")[1] for r in records] == [trace_id, trace_id]

    reviewing = await driver.get("/follow-ups", as_of="2021-09-20", district_code=DISTRICT, state="under_review")
    assert {i["product_id"] for i in reviewing["items"]} >= {revoked, downgraded}
    # Each names its product as the register heard it, so a list needs no read per product.
    names = {i["product_id"]: i["product_name"] for i in reviewing["items"]}
    assert (names[revoked], names[downgraded]) == (f"Chè lam {revoked[-6:]}", f"Chè lam {downgraded[-6:]}")
    listed = await driver.get("/inspections", product_id=passed)
    assert [i["product_name"] for i in listed["items"]] == [f"Chè lam {passed[-6:]}"]
    held = await driver.get("/register", as_of="2021-09-20", district_code=DISTRICT, limit=500)
    status = {i["product_id"]: i["status"] for i in held["items"]}
    assert (status[revoked], status[downgraded], status[passed]) == ("under_review", "under_review", "in_force")

    await send(driver.bootstrap,
               rated(revoked, status="revoked", stars=0, certificate=cert_revoked,
                     decided=decision("3763/QĐ-UBND", "2021-11-18"), reason="Vi phạm quy chế quản lý sản phẩm OCOP",
                     inspection_id=inspection_of[revoked]),
               rated(downgraded, status="downgraded", stars=3, certificate=cert_down,
                     decided=decision("3790/QĐ-UBND", "2021-11-20"), reason="Đánh giá lại: 3 sao",
                     inspection_id=inspection_of[downgraded]))
    closed = await driver.when(
        "/follow-ups", lambda a: {i["product_id"] for i in a["items"]} >= {revoked, downgraded},
        "both follow-ups closed", as_of="2021-12-31", district_code=DISTRICT, state="closed")
    outcome = {i["product_id"]: (i["outcome"], i["decision_number"]) for i in closed["items"]}
    assert outcome[revoked] == ("revoked", "3763/QĐ-UBND") and outcome[downgraded] == ("downgraded", "3790/QĐ-UBND")
    # As of a day between the failure and the decisions, they were under review: the state is read as of a date.
    before = await driver.get(f"/inspections/{inspection_of[revoked]}", as_of="2021-11-17")
    assert before["follow_up"]["state"] == "under_review" and before["decided_on"] == "2021-11-18"

    after = await driver.get("/register", as_of="2021-12-01", district_code=DISTRICT, limit=500)
    stars = {i["product_id"]: (i["stars"], i["status"]) for i in after["items"]}
    assert revoked not in stars and stars[downgraded] == (3, "in_force") and stars[passed] == (4, "in_force")
    plan_now = await driver.get(f"/inspection-plans/{plan['plan_id']}", as_of="2021-10-01")
    assert (plan_now["outstanding"], plan_now["overdue"]) == ([], False)


async def test_a_follow_up_still_open_past_the_setting_is_flagged_overdue(driver: MonitoringDriver):
    [(product_id, _, _)] = await driver.certify(1, DISTRICT)
    response = await driver.post("/inspections", inspection_body(product_id, finding("food_safety", "minor"),
                                                                 inspected_on="2021-05-01"), Role.inspector)
    assert response.status_code == 201, response.text
    within = await driver.get("/follow-ups", as_of="2021-07-30", product_id=product_id)  # 90 days: not yet
    late = await driver.get("/follow-ups", as_of="2021-07-31", product_id=product_id, overdue="true")
    assert [(i["state"], i["overdue"], i["days_open"]) for i in within["items"]] == [("under_review", False, 90)]
    assert [(i["state"], i["overdue"], i["days_open"]) for i in late["items"]] == [("under_review", True, 91)]


async def test_an_event_delivered_twice_is_counted_once(driver: MonitoringDriver):
    [(product_id, registration, number)] = await driver.certify(1, "402")  # Như Xuân
    rewarded = reward(product_id, amount_vnd=20_000_000)
    before = await driver.get("/reports/2021/402/annual", as_of="2021-12-31")
    await send(driver.bootstrap, registration, rewarded, rewarded)
    # A later registration of the product and a later reward come after the repeats on their partitions: once they
    # are in, the repeats were handled (or skipped) before them.
    await send(driver.bootstrap, registered(product_id, district_code="402", cycle_year=2022),
               reward(product_id, amount_vnd=10_000_000, plan_year=2022))
    await driver.when(f"/register/{product_id}",
                      lambda e: len(e["rewards"]) == 2 and e["product"]["cycle_year"] == 2022,
                      "the later registration and reward")
    after = await driver.get("/reports/2021/402/annual", as_of="2021-12-31")
    changed = {k: (before["figures"][k], after["figures"][k]) for k in before["figures"]
               if before["figures"][k] != after["figures"][k]}
    was = before["figures"]
    assert changed == {"rewards_approved": (was["rewards_approved"], was["rewards_approved"] + 1),
                       "rewards_amount_vnd": (was["rewards_amount_vnd"], was["rewards_amount_vnd"] + 20_000_000)}
    async with driver.runtime.pool.acquire() as conn:
        noted = await conn.fetch("SELECT event_type, count(*) AS n FROM events WHERE stream_id = $1"
                                 " GROUP BY event_type", product_id)
    assert {r["event_type"]: r["n"] for r in noted} == {"ProductNoted": 2, "RatingNoted": 1, "RewardNoted": 2}
    entry = await driver.get(f"/register/{product_id}")
    assert [c["number"] for c in entry["certificates"]] == [number]


async def test_a_certificate_heard_before_its_product_joins_the_district_s_register_when_the_product_is_heard(
        driver: MonitoringDriver):
    # The register filters by the district and product set each certificate period keeps of its product: a period
    # written before the product's ProductRegistered is heard must take them when it is.
    product_id, number = f"sp-{uuid.uuid4().hex[:10]}", f"GCN-{uuid.uuid4().hex[:8]}"
    await send(driver.bootstrap, rated(product_id, certificate=number, decided=decision()))
    await driver.when(f"/register/{product_id}", lambda e: e["certificates"], "the certificate, product unheard")

    def listed(answer: dict) -> list[str]:
        return [i["product_id"] for i in answer["items"] if i["product_id"] == product_id]

    everywhere = await driver.get("/register", as_of="2021-09-20", limit=500)
    assert listed(everywhere) == [product_id]  # in force, in no district yet
    assert listed(await driver.get("/register", as_of="2021-09-20", district_code="398", limit=500)) == []
    before = await driver.get("/register", as_of="2021-09-20", district_code="398", product_set=5, limit=500)

    await send(driver.bootstrap, registered(product_id, district_code="398"))
    await driver.when(f"/register/{product_id}", lambda e: e["product"], "the product heard")
    after = await driver.get("/register", as_of="2021-09-20", district_code="398", product_set=5, limit=500)
    assert listed(after) == [product_id]
    assert after["total"] == before["total"] + 1
    [item] = [i for i in after["items"] if i["product_id"] == product_id]
    assert (item["district_code"], item["product_set"], item["certificate_number"]) == ("398", 5, number)
    assert listed(await driver.get("/register", as_of="2021-09-20", district_code="398", product_set=6,
                                   limit=500)) == []
