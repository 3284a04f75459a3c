"""Product search and the product page in a real browser after a season: the search finds names typed without
diacritics, the page shows the product's timeline in the order it happened with each event's actor and trace, its
header what finance paid; a district officer gets a 403 page for another district's product."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import expect

from shared.contracts.roles import Role
from tests.console.browser import accessibility_problems, check_page, sign_in
from tests.console.conftest import api_headers

WAIT_MS = 15_000


def _get(system: dict, service: str, path: str, headers: dict | None = None, **params) -> dict | list:
    answer = httpx.get(system[service] + path, params=params, headers=headers or api_headers(), timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _season_products(system: dict) -> list[dict]:
    return _get(system, "rating", "/dossiers", cycle_year=2021, limit=500)["items"]


def _rewarded_and_inspected(system: dict) -> tuple[dict, dict]:
    """A product of the season that was rated, rewarded and failed an inspection, with its whole timeline."""
    for dossier in _season_products(system):
        timeline = _get(system, "monitoring", f"/timeline/products/{dossier['product_id']}", limit=1000)
        types = {item["event_type"] for item in timeline["items"]}
        if {"ProductRated", "RewardApproved", "InspectionFailed"} <= types:
            return dossier, timeline
    raise AssertionError("the season has no rewarded product that failed an inspection")


def test_search_finds_names_without_diacritics(system, season, page, browser_log):
    console = system["console"]
    sign_in(page, console, "provincial_office")
    page.goto(f"{console}/products")
    check_page(page, browser_log, "products-search-empty")
    product = next(d for d in _season_products(system) if d["product_name"].startswith("Mật ong"))
    page.fill("#q", "mat ong")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    found = _get(system, "registration", "/registrations", q="mat ong", limit=50)
    assert found["total"] >= 1
    expect(page.locator("#results-total")).to_have_attribute("data-total", str(found["total"]))
    rows = page.locator("#results-table tbody tr")
    assert rows.evaluate_all("rows => rows.map(r => r.dataset.product)") == [r["product_id"] for r in found["items"]]
    assert all("Mật ong" in name for name in rows.locator("td:first-child").all_inner_texts())
    check_page(page, browser_log, "products-search")
    with page.expect_navigation():
        page.locator(f"#results-table tr[data-product='{product['product_id']}'] a").click()
    assert page.url == f"{console}/products/{product['product_id']}"
    expect(page.locator("#product-name")).to_have_text(product["product_name"])


def test_searching_a_product_id_opens_its_page(system, season, page):
    console = system["console"]
    product_id = _season_products(system)[0]["product_id"]
    sign_in(page, console, "provincial_office")
    page.goto(f"{console}/products?q={product_id.upper()}")
    assert page.url == f"{console}/products/{product_id}"
    assert page.goto(f"{console}/products/no-such-product").status == 404


def test_product_page_shows_its_life_in_order(system, season, page, browser_log):
    console = system["console"]
    dossier, timeline = _rewarded_and_inspected(system)
    product_id = dossier["product_id"]
    sign_in(page, console, "provincial_office")
    page.goto(f"{console}/products/{product_id}")
    expect(page.locator("#product-name")).to_have_text(dossier["product_name"])

    events = page.locator("#timeline li.event")
    expect(events).to_have_count(timeline["total"], timeout=WAIT_MS)
    expect(page.locator("#timeline-total")).to_have_attribute("data-total", str(timeline["total"]))
    shown = events.evaluate_all("items => items.map(i => ({id: i.dataset.event, time: i.dataset.time,"
                                " service: i.dataset.service, type: i.dataset.type}))")
    assert [e["id"] for e in shown] == [item["event_id"] for item in timeline["items"]]
    times = [e["time"] for e in shown]
    assert times == sorted(times), "the timeline is in the order things happened"
    assert shown[0]["type"] == "ProductRegistered" and shown[0]["service"] == "registration"
    assert {("rating", "ProductRated"), ("finance", "RewardApproved"), ("monitoring", "InspectionFailed")} <= {
        (e["service"], e["type"]) for e in shown}
    for event, item in zip(events.all(), timeline["items"]):
        actor = event.locator(".event-actor").inner_text()
        assert (item["actor"]["id"] in actor) if item["actor"] else actor.strip()
        link = event.locator("a.trace-link")
        assert link.get_attribute("href") == f"/operations/traces/{item['trace']['trace_id']}"
        assert re.fullmatch(r"/operations/traces/[0-9a-f]{32}", link.get_attribute("href"))
        type_words = event.locator(".event-type").inner_text()
        assert type_words and not type_words.startswith("product."), type_words  # words, not a missing text's key
    reward = page.locator("#timeline li.event[data-type=RewardApproved]").first
    money = _get(system, "finance", f"/products/{product_id}/money")
    amount = money["claims"][0]["amount"]
    assert f"{amount:,}".replace(",", ".") + "\u00a0₫" in reward.inner_text()

    received = sum(c["paid"] for c in money["claims"]) - sum(c["recovered"] for c in money["claims"])
    expect(page.locator("#money-received")).to_have_attribute("data-received", str(received))
    history = _get(system, "rating", f"/products/{product_id}/rating-history")
    assert page.locator("#council-results tbody tr").count() == len(history["attempts"])
    check_page(page, browser_log, "product")


def test_district_officer_gets_a_refusal_for_another_districts_product(system, season, page, browser_log):
    console = system["console"]
    products = _season_products(system)
    mine = products[0]
    other = next(p for p in products if p["district_code"] != mine["district_code"])
    sign_in(page, console, "district_officer", district=mine["district_code"])

    refused = page.goto(f"{console}/products/{other['product_id']}")
    assert refused.status == 403
    assert mine["district_code"] in page.locator(".refusal").inner_text()
    assert other["product_name"] not in page.content()
    assert page.locator("#product-name, #timeline, #council-results").count() == 0
    assert not accessibility_problems(page)
    browser_log.errors.clear()  # Chromium logs the 403 document itself as a failed resource

    page.goto(f"{console}/products/{mine['product_id']}")
    expect(page.locator("#product-name")).to_have_text(mine["product_name"])
    expect(page.locator("#product-district")).to_have_attribute("data-district", mine["district_code"])
    # monitoring's audit timeline is not for a district officer: the page says so and shows what they may read
    expect(page.locator("#timeline-forbidden")).to_be_visible()
    assert page.locator("#council-results tbody tr").count() == len(
        _get(system, "rating", f"/products/{mine['product_id']}/rating-history",
             api_headers(Role.district_officer, mine["district_code"]))["attempts"])
    check_page(page, browser_log, "product-district-officer")
    page.goto(f"{console}/products?q=a")
    districts = set(page.locator("#results-table tbody tr").evaluate_all("rows => rows.map(r => r.dataset.product)"))
    theirs = {r["product_id"] for r in _get(system, "registration", "/registrations", q="a",
                                            district_code=mine["district_code"], limit=50)["items"]}
    assert districts == theirs and other["product_id"] not in districts
