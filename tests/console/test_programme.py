"""The programme page in a real browser after a season: every figure is what the services' APIs answer at that
moment (targets by round and district, the pipeline by district, certificates in force by star, product set and
district, certificates about to expire); a district officer sees their district only, whatever the address asks."""

from __future__ import annotations

import re

import asyncio
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
from playwright.sync_api import expect

from console.gateway import Gateway
from console.pages.programme import certificates_in_force
from shared.contracts.roles import Role
from tests.console.browser import check_page, sign_in
from tests.console.conftest import api_headers

PLAN_YEAR = 2021
AS_OF = "2021-12-31"  # the season's certificates (2021) are in force that day
WITHIN_DAYS = 1200  # …and all of them end within this many days of it
WAIT_MS = 15_000


def _get(system: dict, service: str, path: str, headers: dict | None = None, **params) -> dict | list:
    answer = httpx.get(system[service] + path, params=params, headers=headers or api_headers(), timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _stages(rows: list[dict], district: str) -> dict[str, int]:
    """What the pipeline columns must say for ``district``, from registration's counts by status."""
    count = Counter({row["status"]: row["count"] for row in rows if row["district_code"] == district})
    return {"submitted": sum(count.values()),
            "proposed": sum(count.values()) - count["submitted"],
            "selected": count["selected"] + count["sent_to_province"],
            "sent": count["sent_to_province"], "returned": count["returned"], "rejected": count["rejected"]}


def _rated(system: dict) -> Counter:
    """District → rating dossiers of the cycle that a council has given a result (not waiting for one)."""
    dossiers = _get(system, "rating", "/dossiers", cycle_year=PLAN_YEAR, limit=500)
    assert dossiers["total"] == len(dossiers["items"])
    waiting = {"new", "awaiting_council", "in_session", "withdrawn_from_session"}
    return Counter(d["district_code"] for d in dossiers["items"] if d["status"] not in waiting)


def _certificates(system: dict, headers: dict | None = None, **filters) -> int:
    return _get(system, "rating", "/certificates", headers, as_of=AS_OF, limit=1, **filters)["total"]


def test_programme_page_shows_what_the_apis_count(system, season, page, browser_log):
    console = system["console"]
    sign_in(page, console, "provincial_office")
    page.goto(f"{console}/?plan_year={PLAN_YEAR}&as_of=31/12/{PLAN_YEAR}&within_days={WITHIN_DAYS}")

    progress = _get(system, "monitoring", f"/targets/{PLAN_YEAR}/progress")
    assert {t["target_id"] for t in progress["targets"]} == {"provincial_3_stars_or_more", "proposed_for_5_stars"}
    for target in progress["targets"]:
        card = page.locator(f"#target-{target['target_id']}")
        expect(card).to_have_attribute("data-achieved", str(target["achieved"]), timeout=WAIT_MS)
        expect(card).to_have_attribute("data-at-least", str(target["at_least"]))
        assert f"{target['achieved']} / {target['at_least']}" in card.inner_text()
        rounds = card.locator(f"#target-{target['target_id']}-rounds tr")
        assert [int(r.locator("td.num").inner_text()) for r in rounds.all()] == [
            r["products"] for r in target["by_round"]]
        for code, achieved in target["by_district"].items():
            cell = page.locator(f"#targets-{code} td[data-target={target['target_id']}]")
            if achieved:
                expect(cell).to_have_text(str(achieved))
    assert progress["targets"][0]["achieved"] > 0  # the season recognised products: the comparison is not of zeros

    summary = _get(system, "registration", "/summary", cycle_year=PLAN_YEAR)
    rated = _rated(system)
    season_districts = sorted({row["district_code"] for row in summary})
    assert len(season_districts) >= 3
    shown = page.locator("#pipeline-table tbody tr[data-district]")
    assert sorted(shown.evaluate_all("rows => rows.map(r => r.dataset.district)")) == season_districts
    for district in season_districts:
        row = page.locator(f"#pipeline-{district}")
        for stage, count in {**_stages(summary, district), "rated": rated.get(district, 0)}.items():
            expect(row.locator(f"td[data-stage={stage}]")).to_have_text(str(count))
    total = page.locator("#pipeline-total")
    expect(total.locator("td[data-stage=submitted]")).to_have_text(str(sum(row["count"] for row in summary)))
    expect(total.locator("td[data-stage=rated]")).to_have_text(str(sum(rated.values())))

    in_force = _certificates(system)
    assert in_force > 0
    expect(page.locator("#certificates-total")).to_have_attribute("data-count", str(in_force))
    for stars in (3, 4, 5):
        expect(page.locator(f"#certificates-stars-{stars}")).to_have_attribute(
            "data-count", str(_certificates(system, stars=stars)))
    sets = page.locator("#certificates-by-set tbody tr[id]")
    shown_sets = {int(row.get_attribute("id").rsplit("-", 1)[1]): int(row.locator("td[data-count]").get_attribute(
        "data-count")) for row in sets.all()}
    assert shown_sets == {n: c for n in range(1, 27) if (c := _certificates(system, product_set=n))}
    assert sum(shown_sets.values()) == in_force
    tiles = page.locator("#certificates-map g.tile")
    assert tiles.count() == 27
    for tile in tiles.all():
        district = tile.get_attribute("data-district")
        assert int(tile.get_attribute("data-count")) == _certificates(system, district_code=district), district

    expiring = _get(system, "monitoring", "/register", as_of=AS_OF, within_days=WITHIN_DAYS, limit=500)
    assert expiring["total"] > 0
    expect(page.locator("#expiring-total")).to_have_attribute("data-count", str(expiring["total"]))
    assert page.locator("#expiring-table tbody tr").evaluate_all("rows => rows.map(r => r.dataset.product)") == [
        item["product_id"] for item in expiring["items"][:50]]

    check_page(page, browser_log, "programme")


def test_district_officer_sees_only_their_district(system, season, page, browser_log):
    console = system["console"]
    summary = _get(system, "registration", "/summary", cycle_year=PLAN_YEAR)
    districts = sorted({row["district_code"] for row in summary})
    mine, other = districts[-1], districts[0]
    sign_in(page, console, "district_officer", district=mine)
    # The address asks for another district: the page still shows the officer's own.
    page.goto(f"{console}/?plan_year={PLAN_YEAR}&as_of={AS_OF}&within_days={WITHIN_DAYS}&district={other}")

    expect(page.locator("#scope-district")).to_have_attribute("data-district", mine)
    assert page.locator("#district").count() == 0  # no district picker
    assert page.locator("#scope-province").count() == 0
    assert page.locator(".card.target").count() == 0  # no province progress against the province's targets
    assert page.locator("#targets-by-district").count() == 0
    assert page.locator("#certificates-map").count() == 0
    assert page.locator("#pipeline-total").count() == 0
    rows = page.locator("#pipeline-table tbody tr[data-district]")
    assert rows.evaluate_all("rows => rows.map(r => r.dataset.district)") == [mine]
    assert page.locator(f"#pipeline-{other}").count() == 0

    officer = api_headers(Role.district_officer, mine)
    progress = _get(system, "monitoring", f"/targets/{PLAN_YEAR}/progress", officer)
    for target in progress["targets"]:
        expect(page.locator(f"#district-target-{target['target_id']}")).to_have_attribute(
            "data-achieved", str(target["by_district"][mine]))
    for stage, count in _stages(summary, mine).items():
        expect(page.locator(f"#pipeline-{mine} td[data-stage={stage}]")).to_have_text(str(count))
    expect(page.locator("#certificates-total")).to_have_attribute(
        "data-count", str(_certificates(system, officer, district_code=mine)))
    assert _certificates(system, officer, district_code=mine) < _certificates(system, officer)
    expiring = _get(system, "monitoring", "/register", officer, as_of=AS_OF, within_days=WITHIN_DAYS,
                    district_code=mine)
    expect(page.locator("#expiring-total")).to_have_attribute("data-count", str(expiring["total"]))
    other_products = {item["product_id"] for item in _get(system, "monitoring", "/register", as_of=AS_OF,
                                                           within_days=WITHIN_DAYS, district_code=other)["items"]}
    shown = set(page.locator("#expiring-table tbody tr").evaluate_all("rows => rows.map(r => r.dataset.product)"))
    assert other_products and not shown & other_products

    check_page(page, browser_log, "programme-district-officer")


def test_programme_filters_refuse_bad_input_with_a_page(system, page):
    console = system["console"]
    sign_in(page, console, "provincial_office")
    not_a_day = page.goto(f"{console}/?as_of=31/02/2021")
    assert not_a_day.status == 400
    assert "31/02/2021" in page.locator(".refusal").inner_text()
    for query in ("as_of=2021-13", "plan_year=1900", "within_days=-1", "district=38"):
        assert 400 <= page.goto(f"{console}/?{query}").status < 500, query


def test_the_figures_are_marked_live(system, page):
    """console.js refreshes the parts marked ``data-live`` with an id: every figure of the page is in one."""
    console = system["console"]
    sign_in(page, console, "provincial_office")
    page.goto(f"{console}/?as_of={AS_OF}")
    live = page.locator("[data-live][id]").evaluate_all("parts => parts.map(p => p.id)")
    assert live == ["targets", "pipeline", "certificates", "expiring"]
    # console.js stamps the body when a refresh came back (a predicate in the page would be eval, which the CSP forbids)
    expect(page.locator("body")).to_have_attribute("data-refreshed", re.compile(r"^\d+$"), timeout=WAIT_MS)
    expect(page.locator("#certificates-total")).to_be_visible()


def _in_a_thread(coroutine):
    """Run ``coroutine`` to its end on a loop of its own (Playwright's sync API may hold this thread's loop)."""
    with ThreadPoolExecutor(1) as worker:
        return worker.submit(asyncio.run, coroutine).result()


def test_certificate_counts_fill_in_what_rating_leaves_out():
    """Rating's counts leave out a star, product set or district holding none: the page shows them at 0, from one
    call that carries the district a district officer is confined to."""
    asked: list[dict] = []

    def rating(request: httpx.Request) -> httpx.Response:
        asked.append(dict(request.url.params))
        return httpx.Response(200, json={"as_of": AS_OF, "district_code": request.url.params.get("district_code"),
                                         "total": 5, "by_stars": {"3": 2, "4": 3}, "by_product_set": {"4": 5},
                                         "by_district": {"407": 5}})

    gateway = Gateway({"rating": "http://rating"}, 5, transport=httpx.MockTransport(rating))
    province = _in_a_thread(certificates_in_force(gateway, "token", AS_OF, None))
    assert province["total"] == 5 and province["by_star"] == {3: 2, 4: 3, 5: 0}
    assert province["by_set"][4] == 5 and sum(province["by_set"].values()) == 5 and len(province["by_set"]) == 26
    assert province["by_district"]["407"] == 5 and len(province["by_district"]) == 27
    district = _in_a_thread(certificates_in_force(gateway, "token", AS_OF, "407"))
    assert district["by_district"] == {}
    assert asked == [{"as_of": AS_OF}, {"as_of": AS_OF, "district_code": "407"}]
