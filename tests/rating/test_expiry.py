"""Certificate validity over HTTP (OCOP-RULES §7): 36 months, last valid day inclusive; the expiry check reports each
expiry once; listings of certificates held on a date and of those about to expire.

The expiry check is province-wide: only this module's 2019 certificate is old enough to be caught by the dates used
here (every other test certifies in 2021 or later), so the check touches nothing of other modules.
"""

from __future__ import annotations

from typing import Any

import pytest
import pytest_asyncio

from shared.contracts.roles import Role
from tests.rating.flow import RatingDriver, ids, rated

pytestmark = pytest.mark.asyncio(loop_scope="module")
LISTED = "396"
EXPIRING = "397"


class Expiry(RatingDriver):
    async def check(self, as_of: str | None, role: Role = Role.provincial_office) -> Any:
        return await self.client.post("/certificates/expiry-check", json={} if as_of is None else {"as_of": as_of},
                                      headers=self.token(role, "office-provincial"))

    async def expiry_events(self, product_id: str) -> int:
        async with self.runtime.pool.acquire() as conn:
            return await conn.fetchval("SELECT count(*) FROM events WHERE stream_id = $1"
                                       " AND event_type = 'CertificateExpired'", product_id)

    async def held(self, as_of: str, **filters: Any) -> set[str]:
        listed = await self.get("/certificates", as_of=as_of, limit=500, **filters)
        assert listed["total"] == len(listed["items"]) and listed["as_of"] == as_of
        return {c["product_id"] for c in listed["items"]}

    async def expiring(self, as_of: str, within_days: int) -> dict[str, Any]:
        listed = await self.get("/certificates/expiring", as_of=as_of, within_days=within_days, limit=500)
        assert listed["total"] == len(listed["items"])
        return {c["product_id"]: c for c in listed["items"]}


DRIVER = Expiry


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def listed(driver, launcher) -> dict[str, Any]:
    """In district 396: a 3★ of set 5 decided 2021-04-06; a 4★ of set 5 and a 4★ of set 7 decided 2021-06-15."""
    early, four, other_set = ids("ex", 3)
    first = await driver.certify(launcher.bootstrap_servers, LISTED, {early: 60}, district_on="2021-03-09",
                                 province_on="2021-04-01", decided_on="2021-04-06", number="1114b/QĐ-UBND")
    second = await driver.certify(launcher.bootstrap_servers, LISTED, {four: 75}, district_on="2021-05-02",
                                  province_on="2021-06-01", decided_on="2021-06-15")
    third = await driver.certify(launcher.bootstrap_servers, LISTED, {other_set: 80}, district_on="2021-05-03",
                                 province_on="2021-06-02", decided_on="2021-06-15", product_set=7)
    return {"early": early, "four": four, "other_set": other_set, **first, **second, **third}


async def test_the_expiry_check_reports_a_certificate_expired_once_from_the_day_after_its_last_valid_day(driver, launcher):
    [product] = ids("ex", 1)
    certified = await driver.certify(launcher.bootstrap_servers, EXPIRING, {product: 65}, cycle_year=2019,
                                     district_on="2019-11-10", province_on="2019-12-10", decided_on="2019-12-23",
                                     number="5445/QĐ-UBND")
    certificate = certified[product].certificate
    assert (str(certificate.valid_from), str(certificate.valid_until)) == ("2019-12-23", "2022-12-23")

    on_last_day = await driver.check("2022-12-23")
    assert on_last_day.status_code == 200, on_last_day.text
    assert product not in on_last_day.json()["expired"] and await driver.expiry_events(product) == 0

    expired = await driver.check("2022-12-24")
    assert expired.status_code == 200, expired.text
    assert expired.json() == {"as_of": "2022-12-24", "expired": [product]}
    out = (await rated(launcher.bootstrap_servers, product, 3))[2].data
    assert (out.status, out.stars, out.certificate.number, out.inspection_id) == ("expired", 0, certificate.number, None)
    assert "2022-12-23" in out.reason

    again = await driver.check("2022-12-24")
    assert again.status_code == 200 and again.json()["expired"] == []
    later = await driver.check("2023-06-01")
    assert later.status_code == 200 and product not in later.json()["expired"]
    assert await driver.expiry_events(product) == 1

    assert product in await driver.held("2022-12-23", district_code=EXPIRING)
    assert product not in await driver.held("2022-12-24", district_code=EXPIRING)
    [record] = (await driver.history(product))["certificates"]
    assert (record["status"], record["ended_on"]) == ("expired", "2022-12-24")
    dossier = await driver.get(f"/dossiers/{product}")
    assert (dossier["status"], dossier["stars"], dossier["certificate_number"]) == ("expired", 0, None)


async def test_the_expiry_check_cannot_report_in_advance_and_is_for_the_province(driver):
    ahead = await driver.check("2099-01-01")
    assert ahead.status_code == 409, "today is state the document cannot know"
    assert ahead.json()["detail"]["field"] == "as_of" and "after today" in ahead.json()["detail"]["message"]
    malformed = await driver.check("24/12/2022")
    assert malformed.status_code == 422 and malformed.json()["detail"]["field"] == "as_of"
    by_district = await driver.client.post("/certificates/expiry-check", json={"as_of": "2022-12-24"},
                                           headers=driver.token(Role.district_officer, "o", EXPIRING))
    assert by_district.status_code == 403 and "district_officer" in by_district.json()["detail"]["message"]


async def test_expiring_lists_certificates_whose_last_valid_day_is_within_the_window(driver, listed):
    early, four, other_set = listed["early"], listed["four"], listed["other_set"]
    assert str(listed[early].certificate.valid_until) == "2024-04-06"

    window = await driver.expiring("2024-04-01", 5)
    assert early in window and window[early]["days_left"] == 5 and window[early]["valid_until"] == "2024-04-06"
    assert four not in window and other_set not in window
    assert early not in await driver.expiring("2024-04-01", 4)

    wide = await driver.expiring("2024-04-01", 80)
    assert {early, four, other_set} <= set(wide)
    mine = [p for p in wide if p in (early, four, other_set)]
    assert mine[0] == early and wide[four]["days_left"] == 75, "soonest first"

    assert early in await driver.expiring("2024-04-06", 0), "the last valid day is still inside the window"
    assert early not in await driver.expiring("2024-04-07", 0)
    assert early not in await driver.expiring("2024-04-07", 100) and four in await driver.expiring("2024-04-07", 100)


async def test_a_certificate_decided_2021_04_06_is_held_on_2024_04_06_and_not_on_2024_04_07(driver, listed):
    early = listed["early"]
    assert early in await driver.held("2024-04-06", district_code=LISTED)
    assert early not in await driver.held("2024-04-07", district_code=LISTED)
    assert early not in await driver.held("2021-04-05", district_code=LISTED), "not before its decision date"
    assert early in await driver.held("2021-04-06", district_code=LISTED)
    [held] = [c for c in (await driver.get("/certificates", as_of="2021-04-06", district_code=LISTED))["items"]
              if c["product_id"] == early]
    assert held["average_score"] == 60.0 and type(held["average_score"]) is float, "a number, as in ProductRated"


async def test_certified_as_of_a_date_filters_by_district_product_set_and_stars(driver, listed):
    early, four, other_set = listed["early"], listed["four"], listed["other_set"]
    on = "2021-07-01"
    assert await driver.held(on, district_code=LISTED) == {early, four, other_set}
    assert await driver.held(on, district_code=LISTED, product_set=7) == {other_set}
    assert await driver.held(on, district_code=LISTED, stars=4) == {four, other_set}
    assert await driver.held(on, district_code=LISTED, stars=3) == {early}
    assert await driver.held(on, district_code=LISTED, product_set=5, stars=4) == {four}
    assert await driver.held(on, district_code=LISTED, stars=5) == set()
    assert not {early, four, other_set} & await driver.held(on, district_code=EXPIRING)
    assert await driver.held("2021-05-01", district_code=LISTED) == {early}
    everywhere = await driver.held(on, stars=4)
    assert {four, other_set} <= everywhere and early not in everywhere
    bad = await driver.client.get("/certificates", params={"stars": 2}, headers=driver.token(Role.provincial_office))
    assert bad.status_code == 422 and bad.json()["detail"]["field"] == "stars"


async def test_certificate_counts_agree_with_the_lists_in_one_call(driver, listed):
    on = "2021-07-01"
    mine = await driver.get("/certificates/counts", as_of=on, district_code=LISTED)
    assert mine["as_of"] == on and mine["district_code"] == LISTED
    # This module's three certificates are the only ones in its district.
    assert mine["total"] == 3
    assert mine["by_stars"] == {"3": 1, "4": 2}
    assert mine["by_product_set"] == {"5": 2, "7": 1}
    assert mine["by_district"] == {LISTED: 3}
    assert (await driver.get("/certificates/counts", as_of="2021-05-01", district_code=LISTED))["total"] == 1
    # Province-wide, every count is what the list of that filter holds.
    everywhere = await driver.get("/certificates/counts", as_of=on)
    assert everywhere["total"] == len(await driver.held(on))
    for stars, count in everywhere["by_stars"].items():
        assert count == len(await driver.held(on, stars=int(stars)))
    assert sum(everywhere["by_district"].values()) == everywhere["total"] == sum(everywhere["by_product_set"].values())


async def test_pages_of_certificates_held_follow_the_list_order_one_page_after_the_other(driver, listed):
    # The page's numbers are chosen first (an index-only scan), then their rows read: the pages must still come in
    # the list's order (stars down, district, name, number), each page after the one before, with the same total.
    on, mine = "2021-07-01", {listed["early"], listed["four"], listed["other_set"]}
    whole = await driver.get("/certificates", as_of=on, district_code=LISTED, limit=500)
    order = [(-c["stars"], c["district_code"], c["product_name"], c["number"]) for c in whole["items"]]
    assert order == sorted(order) and mine <= {c["product_id"] for c in whole["items"]}
    pages = [await driver.get("/certificates", as_of=on, district_code=LISTED, limit=2, offset=offset)
             for offset in range(0, whole["total"], 2)]
    assert {p["total"] for p in pages} == {whole["total"]}
    assert [c["number"] for p in pages for c in p["items"]] == [c["number"] for c in whole["items"]]
    # 2024-04-06 is the 3★'s last valid day, 2024-04-07 the first without it: it leaves the pages, the rest stay.
    last_day = await driver.get("/certificates", as_of="2024-04-06", district_code=LISTED, limit=1, offset=0)
    after = await driver.get("/certificates", as_of="2024-04-07", district_code=LISTED, limit=500)
    assert after["total"] == last_day["total"] - 1 and listed["early"] not in {c["product_id"] for c in after["items"]}
