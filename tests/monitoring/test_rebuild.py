"""Monitoring's read models are disposable: after a season (register, campaign, decisions, rewards, reports, targets),
dropping and replaying them from the event store gives the same rows and the same answers to every query."""

from __future__ import annotations

from typing import Any

import pytest

from services.monitoring.adapters.projection import MonitoringProjection
from services.monitoring.service import definition
from shared.contracts.roles import Role
from shared.rebuild import rebuild
from tests.monitoring.flow import MonitoringDriver, driver, send  # noqa: F401
from tests.monitoring.public import certified, decision, finding, inspection_body, new_id, rated, registered, reward

pytestmark = pytest.mark.asyncio(loop_scope="module")
DISTRICT = "396"  # Thường Xuân: this module's products
KEYS = {"register_products": "product_id", "register_registrations": "product_id, registration_id",
        "register_ratings": "product_id, version", "register_certificates": "product_id, seq",
        "register_rewards": "reward_id", "inspection_plans": "plan_id", "plan_products": "plan_id, product_id",
        "inspections": "inspection_id", "district_reports": "report_id"}
DATES = ("2021-05-01", "2021-09-20", "2021-12-31", "2024-04-01")


async def a_season(driver: MonitoringDriver) -> tuple[list[str], str]:
    products = await driver.certify(3, DISTRICT)
    (revoked, _, cert), (warned, _, cert_warned), (kept, _, _) = products
    plan = await driver.plan([revoked, warned, kept])
    campaign = await driver.campaign(plan["plan_id"], inspection_body(revoked, finding("food_safety", "critical")),
                                     inspection_body(warned, finding("packaging_labelling", "minor")))
    assert campaign.status_code == 201, campaign.text
    inspection = {i["product_id"]: i["inspection_id"] for i in campaign.json()["inspections"]}
    dropped = await driver.post(f"/inspection-plans/{plan['plan_id']}/products/{kept}/drop",
                                {"reason": "Chủ thể tạm ngừng sản xuất", "on": "2021-09-20"})
    assert dropped.status_code == 200, dropped.text
    await send(driver.bootstrap,
               rated(revoked, status="revoked", stars=0, certificate=cert, reason="Vi phạm",
                     decided=decision("3763/QĐ-UBND", "2021-11-18"), inspection_id=inspection[revoked]),
               rated(warned, status="recognized", stars=4, certificate=cert_warned, reason="warning: nhãn",
                     decided=decision("3764/QĐ-UBND", "2021-11-18"), inspection_id=inspection[warned]),
               reward(kept, amount_vnd=20_000_000))
    await driver.when("/follow-ups", lambda a: len(a["items"]) == 2, "both follow-ups closed", as_of="2021-12-31",
                      district_code=DISTRICT, state="closed")
    await driver.when(f"/register/{kept}", lambda e: e["rewards"], "the reward")
    for kind, on in (("six_month", "2021-06-16"), ("annual", "2021-11-30")):
        filed = await driver.post(f"/reports/2021/{DISTRICT}/{kind}/filing",
                                  {"filed_on": on, "document_ref": f"{kind}/BC"}, Role.district_officer, DISTRICT)
        assert filed.status_code == 201, filed.text
    amended = await driver.post(f"/reports/2021/{DISTRICT}/annual/amendment", {"document_ref": "annual-b/BC"},
                                Role.district_officer, DISTRICT)
    assert amended.status_code == 200, amended.text
    # Rated before its registration is heard: its certificate period takes the district when the product is heard,
    # in a rebuild as live.
    late, late_cert = new_id("sp"), new_id("GCN")
    await send(driver.bootstrap, certified(late, late_cert))
    await driver.when(f"/register/{late}", lambda e: e["certificates"], "the late product's certificate")
    await send(driver.bootstrap, registered(late, district_code=DISTRICT))
    await driver.when(f"/register/{late}", lambda e: e["product"], "the late product's registration")
    return [*(p for p, _, _ in products), late], plan["plan_id"]


async def answers(driver: MonitoringDriver, products: list[str], plan_id: str) -> dict[str, Any]:
    found: dict[str, Any] = {f"product {p}": await driver.get(f"/register/{p}") for p in products}
    found["plan"] = await driver.get(f"/inspection-plans/{plan_id}", as_of="2021-12-31")
    found["plans"] = await driver.get("/inspection-plans", product_id=products[0])
    found["inspections"] = await driver.get("/inspections", district_code=DISTRICT, as_of="2021-12-31", limit=500)
    for on in DATES:
        found[f"register {on}"] = await driver.get("/register", as_of=on, limit=500)
        found[f"district's register {on}"] = await driver.get("/register", as_of=on, district_code=DISTRICT,
                                                              product_set=5, limit=500)
        found[f"ending {on}"] = await driver.get("/register", as_of=on, within_days=1000, limit=500)
        found[f"follow-ups {on}"] = await driver.get("/follow-ups", as_of=on)
        found[f"reports {on}"] = await driver.get("/reports", plan_year=2021, as_of=on)
    found["progress"] = await driver.get("/targets/2021/progress")
    return found


async def tables(driver: MonitoringDriver) -> dict[str, list[tuple]]:
    async with driver.runtime.pool.acquire() as conn:
        return {table: [tuple(r) for r in await conn.fetch(f"SELECT * FROM {table} ORDER BY {key}")]
                for table, key in KEYS.items()}


async def test_rebuilt_read_models_answer_every_query_as_live_processing_did(driver: MonitoringDriver):
    products, plan_id = await a_season(driver)
    live, live_rows = await answers(driver, products, plan_id), await tables(driver)
    assert set(KEYS) == set(MonitoringProjection.tables)
    assert live["register 2021-12-31"]["total"] >= 2 and live["reports 2021-12-31"]["total"] == 54
    assert products[3] in {i["product_id"] for i in live["district's register 2021-12-31"]["items"]}
    assert {i["product_id"] for i in live["follow-ups 2021-09-20"]["items"]} >= set(products[:2])

    async with driver.runtime.pool.acquire() as conn:  # a read model gone wrong: rows lost, others changed
        await conn.execute("DELETE FROM register_certificates WHERE product_id = $1", products[2])
        await conn.execute("UPDATE inspections SET closed_on = NULL WHERE product_id = $1", products[0])
        await conn.execute("DELETE FROM district_reports WHERE district_code = $1", DISTRICT)
    assert await answers(driver, products, plan_id) != live

    await rebuild(driver.runtime.pool, driver.runtime.projections, definition.events, batch_size=100)
    rebuilt = await answers(driver, products, plan_id)
    for key in live:
        assert rebuilt[key] == live[key], key
    rebuilt_rows = await tables(driver)
    for table in KEYS:
        assert rebuilt_rows[table] == live_rows[table], table
