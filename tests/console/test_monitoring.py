"""The monitoring page in a real browser over the real system: the districts' report schedule and the follow-ups of
failed inspections equal what monitoring's API answers, an overdue follow-up is flagged, and a district officer sees
their district only, whatever the address asks."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from ocop.demo import monitoring_data as md
from shared.contracts.roles import Role
from tests.console.browser import check_page, sign_in
from tests.console.conftest import api_headers
from tests.console.test_operations import until

PLAN_YEAR = 2021


def api(system: dict[str, str], path: str, role: Role = Role.provincial_office, district: str | None = None,
        **params: Any) -> Any:
    answer = httpx.get(system["monitoring"] + path, headers=api_headers(role, district), params=params, timeout=30)
    assert answer.status_code == 200, f"{path}: {answer.status_code} {answer.text[:300]}"
    return answer.json()


@pytest.fixture(scope="module")
def overdue(system, season) -> dict[str, Any]:
    """A failed inspection nobody has decided on since 20/11 of the played year: its follow-up is overdue (the season's
    own failures were all decided within days). Recorded on the product the season's campaign passed."""
    passed = next(i for i in season.monitoring.inspected if i.story == "passed")
    area, severity, said, test = md.DOWNGRADED_FINDING
    body = {"product_id": passed.product_id, "inspected_on": f"{PLAN_YEAR}-11-20", "body": md.INSPECTING_BODY,
            "inspectors": list(md.INSPECTORS[:2]),
            "findings": [{"area": area, "severity": severity, "description": said,
                          "evidence": [md.EVIDENCE_RECORD.format(n=901), test.format(n=902)]}]}
    answer = httpx.post(system["monitoring"] + "/inspections", json=body, headers=api_headers(Role.inspector),
                        timeout=30)
    assert answer.status_code == 201, answer.text
    [inspection] = answer.json()["inspections"]
    assert inspection["result"] == "failed"
    follow_up = until(lambda: next((f for f in api(system, "/follow-ups", overdue="true")["items"]
                                    if f["inspection_id"] == inspection["inspection_id"]), None),
                      "the overdue follow-up")
    return follow_up


def _grid(page: Page) -> dict[tuple[str, str], str]:
    cells = page.locator("#report-grid td.report-cell").evaluate_all(
        "els => els.map(e => [e.closest('tr').dataset.district, e.dataset.kind, e.dataset.state,"
        " e.querySelector('.report-state').textContent.trim()])")
    assert all(text for *_, text in cells), "every cell says its state in words"
    return {(district, kind): state for district, kind, state, _ in cells}


def _follow_ups(page: Page) -> dict[str, bool]:
    rows = page.locator("#follow-ups tr[data-inspection]").evaluate_all(
        "els => els.map(e => [e.dataset.inspection, e.classList.contains('overdue'),"
        " e.querySelector('.follow-up-state').textContent])")
    return {inspection: overdue for inspection, overdue, _ in rows}


def test_monitoring_page_equals_the_api_with_overdue_flagged(system, season, overdue, page, browser_log):
    console = system["console"]
    sign_in(page, console, "provincial_office")
    page.goto(f"{console}/monitoring?plan_year={PLAN_YEAR}")
    expect(page.locator("h1")).to_have_count(1)
    schedule = api(system, "/reports", plan_year=PLAN_YEAR)
    assert _grid(page) == {(r["district_code"], r["kind"]): r["state"] for r in schedule["items"]}
    assert {"late", "missing", "on_time"} <= {r["state"] for r in schedule["items"]}
    expect(page.locator("#figure-late")).to_have_text(str(schedule["counts"]["late"]))
    expect(page.locator("#figure-missing")).to_have_text(str(schedule["counts"]["missing"]))

    follow_ups = api(system, "/follow-ups")
    assert _follow_ups(page) == {f["inspection_id"]: f["overdue"] for f in follow_ups["items"]}
    row = page.locator(f"#follow-ups tr[data-inspection='{overdue['inspection_id']}']")
    expect(row).to_have_class("overdue")
    expect(row.locator(".overdue-flag")).to_have_text("⚠ Quá hạn")
    expect(page.locator("#figure-overdue")).to_have_text(str(sum(f["overdue"] for f in follow_ups["items"])))
    failed = api(system, "/inspections", result="failed", limit=100)
    expect(page.locator("#failed-inspections tr[data-inspection]")).to_have_count(len(failed["items"]))
    plans = api(system, "/inspection-plans", limit=50)
    expect(page.locator("#plans tr[data-plan]")).to_have_count(len(plans["items"]))
    check_page(page, browser_log, "monitoring")


def test_a_district_officer_sees_only_their_district(system, season, overdue, page, browser_log):
    districts = sorted(season.monitoring.districts)
    mine = overdue["district_code"] if overdue["district_code"] in districts else districts[0]
    other = next(d for d in districts if d != mine) if len(districts) > 1 else "380" if mine != "380" else "381"
    console = system["console"]
    sign_in(page, console, "district_officer", mine)
    page.goto(f"{console}/monitoring?plan_year={PLAN_YEAR}&district_code={other}")  # asks for another district
    expect(page.locator("#scoped-district")).to_contain_text(mine)
    assert page.locator("#district_code").count() == 0  # no district picker for them
    grid = _grid(page)
    assert grid and {district for district, _ in grid} == {mine}
    schedule = api(system, "/reports", Role.district_officer, mine, plan_year=PLAN_YEAR)
    assert grid == {(r["district_code"], r["kind"]): r["state"] for r in schedule["items"]}
    follow_ups = api(system, "/follow-ups", Role.district_officer, mine, district_code=mine)
    assert _follow_ups(page) == {f["inspection_id"]: f["overdue"] for f in follow_ups["items"]}
    shown = page.locator("#follow-ups tr[data-inspection] td:nth-child(3)").all_inner_texts()
    assert set(shown) <= {mine}
    check_page(page, browser_log, "monitoring-district-officer")


def test_a_district_officers_district_is_forced_into_every_query():
    """Whatever the address asks, each read of the page carries the officer's own district (mock services)."""
    import re

    from starlette.testclient import TestClient

    from console.app import create_app
    from console.config import ConsoleSettings
    from console.gateway import SERVICES, Gateway

    asked: list[httpx.Request] = []

    def services(request: httpx.Request) -> httpx.Response:
        asked.append(request)
        if request.url.path == "/reference/districts":
            return httpx.Response(200, json=[{"code": "380", "name": "TP Thanh Hóa"}, {"code": "407", "name": "Nghi Sơn"}])
        return httpx.Response(404, json={"detail": "none here"})

    gateway = Gateway({name: f"http://{name}" for name in SERVICES}, 5, transport=httpx.MockTransport(services))
    with TestClient(create_app(ConsoleSettings(), gateway=gateway)) as client:
        key = re.search(r'name="form_key" value="([^"]+)"', client.get("/sign-in").text).group(1)
        client.post("/sign-in/development", data={"role": "district_officer", "district": "407", "form_key": key})
        asked.clear()
        page = client.get("/monitoring?district_code=380&plan_year=2021")
    assert page.status_code == 200 and 'id="district_code"' not in page.text
    reads = {r.url.path: dict(r.url.params) for r in asked if r.url.host == "monitoring"}
    assert reads["/inspections"]["district_code"] == reads["/follow-ups"]["district_code"] == "407"
    assert reads["/reports"]["district_code"] == "407"
    assert (reads["/inspection-plans"]["planner_kind"], reads["/inspection-plans"]["planner_code"]) == ("district", "407")


def test_the_report_grid_has_a_row_per_district_and_a_column_per_period():
    from console.pages.monitoring import report_grid

    item = lambda district, kind, state: {"district_code": district, "district_name": f"D{district}", "kind": kind,
                                          "state": state}
    grid = report_grid({"items": [item("381", "annual", "missing"), item("380", "annual", "on_time"),
                                  item("380", "six_month", "late"), item("380", "quarterly", "not_due")]})
    assert grid["kinds"] == ["six_month", "annual", "quarterly"]
    assert [(r["code"], {k: c["state"] for k, c in r["cells"].items()}) for r in grid["rows"]] == [
        ("380", {"annual": "on_time", "six_month": "late", "quarterly": "not_due"}), ("381", {"annual": "missing"})]
