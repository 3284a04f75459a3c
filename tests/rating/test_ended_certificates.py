"""Certificates that ended — superseded, revoked, expired — listed with the reason and the day, by district, product
set and period: the products whose OCOP logo and star must no longer be printed. Over the real broker and PostgreSQL.

Every certificate here is issued in 2021 or later, so the province-wide expiry check of test_expiry (as of 2022 and
2023) never reports one of them: the one that lapses is listed before any check reports it.
"""

from __future__ import annotations

from typing import Any

import pytest
import pytest_asyncio

from shared.contracts.roles import Role
from tests.rating.flow import RatingDriver, ids, inspection_failed, send_inspections

pytestmark = pytest.mark.asyncio(loop_scope="module")
DISTRICT = "404"


class Ended(RatingDriver):
    async def ended(self, **params: Any) -> list[tuple[str, str, str]]:
        listed = await self.get("/certificates/ended", limit=500, **params)
        assert listed["total"] == len(listed["items"])
        return [(c["product_id"], c["reason"], c["ended_on"]) for c in listed["items"]]


DRIVER = Ended


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def season(driver, launcher) -> dict[str, Any]:
    """Three 3★ of set 5 decided 2021-04-06: one upgraded to 4★ on 2022-06-10, one revoked on 2021-11-18, one left to
    lapse (last valid day 2024-04-06); and a 4★ of set 7 decided 2021-06-15."""
    up, rev, lapse, other = ids("en", 4)
    first = await driver.certify(launcher.bootstrap_servers, DISTRICT, {up: 62, rev: 62, lapse: 62},
                                 district_on="2021-03-10", province_on="2021-04-01", decided_on="2021-04-06")
    second = await driver.certify(launcher.bootstrap_servers, DISTRICT, {other: 75}, product_set=7,
                                  district_on="2021-05-10", province_on="2021-06-01", decided_on="2021-06-15")
    failed = inspection_failed(rev, first[rev].certificate.number, inspected_on="2021-07-01")
    await send_inspections(launcher.bootstrap_servers, failed)
    await driver.dossier_when(rev, lambda d: d["status"] == "under_review")
    revocation = {"kind": "revocation", "number": f"{rev}/QĐ-UBND", "date": "2021-11-18", "issued_by": "UBND tỉnh",
                  "products": [{"product_id": rev, "inspection_id": failed.data.inspection_id,
                                "reason": "Không duy trì chất lượng"}]}
    made = await driver.client.post("/decisions", json=revocation, headers=driver.office("provincial", None))
    assert made.status_code == 201, made.text
    session = await driver.open_session(await driver.council("provincial"), [up], held_on="2022-06-01", round_=4,
                                        cycle_year=2022)
    await driver.score(session, up, [76] * 5)
    await driver.finalise(session, "2022-06-01")
    await driver.decide(session, f"{up}/QĐ-UBND", "2022-06-10")
    return {"up": up, "rev": rev, "lapse": lapse, "other": other, **first, **second}


async def test_ended_certificates_are_listed_with_the_reason_and_the_first_day_they_no_longer_held(driver, season):
    up, rev, lapse = season["up"], season["rev"], season["lapse"]
    assert await driver.ended(district_code=DISTRICT, until="2021-11-17") == []
    assert await driver.ended(district_code=DISTRICT, until="2021-12-31") == [(rev, "revoked", "2021-11-18")]
    assert await driver.ended(district_code=DISTRICT, until="2022-12-31") == [
        (rev, "revoked", "2021-11-18"), (up, "superseded", "2022-06-10")]
    assert await driver.ended(district_code=DISTRICT, since="2022-01-01", until="2024-04-06") == [
        (up, "superseded", "2022-06-10")]
    assert await driver.ended(district_code=DISTRICT, since="2022-01-01", until="2024-04-07") == [
        (up, "superseded", "2022-06-10"), (lapse, "expired", "2024-04-07")]

    listed = {c["product_id"]: c for c in (await driver.get("/certificates/ended", district_code=DISTRICT,
                                                            until="2024-04-07"))["items"]}
    revoked, superseded, lapsed = listed[rev], listed[up], listed[lapse]
    assert (revoked["number"], revoked["ended_by"]["number"], revoked["end_note"]) == (
        season[rev].certificate.number, f"{rev}/QĐ-UBND", "Không duy trì chất lượng")
    assert (superseded["superseded_by"], superseded["ended_by"]["number"]) == (
        f"{up}/QĐ-UBND#2022-001", f"{up}/QĐ-UBND")
    assert "upgraded from 3★" in superseded["end_note"]
    assert (lapsed["reported"], lapsed["valid_until"], lapsed["ended_by"]) == (False, "2024-04-06", None)
    assert revoked["reported"] is True and revoked["producer_name"] == "HTX Nem chua"
    assert revoked["commune_code"] == "14758" and revoked["product_set"] == 5 and revoked["stars"] == 3
    assert revoked["average_score"] == 62.0 and type(revoked["average_score"]) is float


async def test_the_ended_list_filters_by_product_set_reason_and_district(driver, season):
    other, lapse = season["other"], season["lapse"]
    by_set = await driver.ended(district_code=DISTRICT, product_set=7, until="2024-12-31")
    assert by_set == [(other, "expired", "2024-06-16")]
    revoked = await driver.ended(district_code=DISTRICT, reason="revoked", until="2030-01-01")
    assert [p for p, _, _ in revoked] == [season["rev"]]
    expired = await driver.ended(district_code=DISTRICT, reason="expired", until="2024-12-31")
    assert [p for p, _, _ in expired] == [lapse, other]
    assert await driver.ended(district_code="405", until="2030-01-01") == []

    empty = await driver.client.get("/certificates/ended", params={"since": "2022-01-02", "until": "2022-01-01"},
                                    headers=driver.token(Role.inspector))
    assert empty.status_code == 200 and empty.json()["items"] == [], "since after until: an empty period"
    bad = await driver.client.get("/certificates/ended", params={"reason": "lost"},
                                  headers=driver.token(Role.inspector))
    assert bad.status_code == 422 and bad.json()["detail"]["field"] == "reason"
