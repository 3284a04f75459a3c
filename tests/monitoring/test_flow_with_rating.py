"""Monitoring and rating together over the real broker and PostgreSQL: a product rating certified is in monitoring's
register; monitoring's InspectionFailed puts its certificate under review at rating; the provincial office's
revocation there comes back as ProductRated naming the inspection and closes monitoring's follow-up."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from services.rating.service import definition as rating
from shared.contracts.roles import Role
from tests.kernel.support import running_service
from tests.monitoring.flow import MonitoringDriver, driver  # noqa: F401
from tests.monitoring.public import finding, inspection_body
from tests.rating.flow import RatingDriver, ids, send_registered
from tests.rating.flow import registered as rating_registered

pytestmark = pytest.mark.asyncio(loop_scope="module")
DISTRICT = "397"  # Triệu Sơn: this module's products


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def councils(launcher: Any) -> AsyncIterator[RatingDriver]:
    async with running_service(launcher, rating) as (client, settings, runtime):
        await runtime.wait_joined()
        yield RatingDriver(client, settings, runtime)


async def test_rating_s_revocation_after_monitoring_s_failed_inspection_closes_the_follow_up(
        driver: MonitoringDriver, councils: RatingDriver):
    [product_id] = ids("e2e", 1)
    registration = rating_registered(product_id, district_code=DISTRICT)
    await send_registered(driver.bootstrap, registration)
    await councils.dossier_when(product_id)
    await councils.season("district", {product_id: 72}, district=DISTRICT, held_on="2021-03-01")
    await councils.season("provincial", {product_id: 78}, held_on="2021-04-01", decided_on="2021-04-06",
                          number=f"{uuid.uuid4().hex[:6]}/QĐ-UBND")
    entry = await driver.when(f"/register/{product_id}", lambda e: e["certificates"] and e["product"],
                              "the certificate in monitoring's register")
    [certificate] = entry["certificates"]
    assert (certificate["stars"], certificate["level"], certificate["valid_from"]) == (4, "provincial", "2021-04-06")

    plan = await driver.plan([product_id])
    response = await driver.post(f"/inspection-plans/{plan['plan_id']}/inspections",
                                 inspection_body(product_id, finding("food_safety", "critical")), Role.inspector)
    assert response.status_code == 201, response.text
    inspection_id = response.json()["inspections"][0]["inspection_id"]
    dossier = await councils.dossier_when(product_id, lambda d: d["status"] == "under_review")
    assert dossier["under_review_inspection"] == inspection_id

    revocation = {"inspection_id": inspection_id, "action": "revoke", "reason": "Mất an toàn thực phẩm",
                  "decision": {"number": f"{uuid.uuid4().hex[:6]}/QĐ-UBND", "date": "2021-11-18",
                               "issued_by": "UBND tỉnh Thanh Hóa"}}
    decided = await councils.client.post(f"/products/{product_id}/inspection-decision", json=revocation,
                                         headers=councils.office("provincial", None))
    assert decided.status_code == 200, decided.text
    closed = await driver.when(f"/inspections/{inspection_id}", lambda i: i["follow_up"]["state"] == "closed",
                               "the follow-up closed by rating's revocation", as_of="2021-12-31")
    assert (closed["follow_up"]["outcome"], closed["decided_on"]) == ("revoked", "2021-11-18")
    held = await driver.get("/register", as_of="2021-12-01", district_code=DISTRICT, limit=500)
    assert product_id not in {i["product_id"] for i in held["items"]}
    [period] = (await driver.get(f"/register/{product_id}"))["certificates"]
    assert (period["ended_by"], period["last_day"]) == ("revoked", "2021-11-17")
