"""The rating pages in a real browser after a season: sessions, one session's results table, decisions and
certificates show what rating's API answers at that moment; a district officer sees their district only."""

from __future__ import annotations

import httpx
import pytest

from console.formatting import day
from shared.contracts.roles import Role
from tests.console.browser import check_page, sign_in
from tests.console.conftest import api_headers


def _api(system, path: str, params: dict | None = None, role: Role = Role.provincial_office,
         district: str | None = None):
    answer = httpx.get(system["rating"] + path, params=params, headers=api_headers(role, district), timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _rows(page, selector: str, attribute: str) -> list[str | None]:
    return [row.get_attribute(attribute) for row in page.locator(selector).all()]


def _listed(page, section: str, attribute: str, keys: list[str], products: list[int]) -> None:
    """The rows of ``section`` are ``keys`` in that order, and their products column says ``products``."""
    assert _rows(page, f"{section} tbody tr", attribute) == keys
    assert page.locator(f"{section} tbody tr td.products").all_inner_texts() == [str(n) for n in products]


def _provincial_session(system, cycle_year: int) -> dict:
    """The first decided provincial session of the season (several products, a decision)."""
    sessions = _api(system, "/sessions", {"level": "provincial", "cycle_year": cycle_year, "status": "decided"})
    assert sessions["items"], "the season decided no provincial session"
    return sessions["items"][0]


@pytest.fixture(scope="module")
def year(season) -> int:
    return season.cycle_year


def test_sessions_list_equals_the_api(system, season, year, page, browser_log):
    console = system["console"]
    sign_in(page, console, "provincial_office")
    page.goto(f"{console}/rating?cycle_year={year}")
    expected = _api(system, "/sessions", {"cycle_year": year, "limit": 25})
    assert expected["total"] >= 3
    _listed(page, "#sessions", "data-session", [s["session_id"] for s in expected["items"]],
            [s["products"] for s in expected["items"]])
    shown = page.locator("#sessions .pager span").inner_text()
    assert shown == f"Từ 1 đến {min(25, expected['total'])} trong {expected['total']}"
    councils = _api(system, "/councils")
    assert page.locator("#councils tbody tr").count() == len(councils)
    check_page(page, browser_log, "rating-sessions")


def test_a_session_results_table_equals_the_api(system, season, year, page, browser_log):
    console = system["console"]
    session = _provincial_session(system, year)
    sign_in(page, console, "provincial_office")
    page.goto(f"{console}/rating/sessions/{session['session_id']}")
    results = _api(system, f"/sessions/{session['session_id']}/results")
    rows = results["results"]
    assert len(rows) == session["products"] >= 2
    assert _rows(page, "#results table.results tbody tr", "data-product") == [r["product_id"] for r in rows]
    for n, row in enumerate(rows):
        line = page.locator("#results table.results tbody tr").nth(n)
        assert line.locator("td.score").inner_text() == f"{row['average_score']:.2f}"
        star = row["outcome_stars"] if row["outcome_stars"] is not None else row["stars"]
        assert line.locator("td.star").inner_text() == "★" * star
        assert line.locator("td.product a").get_attribute("href") == f"/products/{row['product_id']}"
        assert row["product_name"] in line.inner_text() and row["district_name"] in line.inner_text()
        if row["certificate_number"]:
            assert row["certificate_number"] in line.locator("td.outcome").inner_text()
    with_result = sum(n for outcome, n in results["outcomes"].items() if outcome != "withdrawn")
    assert page.locator("#results-total").inner_text() == f"Tổng số sản phẩm: {len(rows)}; có kết quả: {with_result}."
    outcomes = {row.get_attribute("data-outcome"): int(row.locator("td").inner_text())
                for row in page.locator("#results-outcomes tbody tr").all()}
    assert outcomes == {k: v for k, v in results["outcomes"].items() if k != "withdrawn"}
    decision = results["decision"]
    assert decision["number"] in page.locator("#results-decision").inner_text()
    assert day(decision["date"]) in page.locator("#results-decision").inner_text()
    check_page(page, browser_log, "rating-session-results")


def test_decisions_and_certificates_equal_the_api(system, season, year, page, browser_log):
    console = system["console"]
    sign_in(page, console, "provincial_office")
    page.goto(f"{console}/rating/decisions?year={year}")
    decisions = _api(system, "/decisions", {"year": year, "limit": 25})
    assert decisions["total"] >= 2
    _listed(page, "#decisions", "data-decision", [d["number"] for d in decisions["items"]],
            [d["products"] for d in decisions["items"]])
    check_page(page, browser_log, "rating-decisions")

    first = decisions["items"][0]
    with page.expect_navigation():
        page.locator("#decisions tbody tr").first.locator("a").first.click()
    detail = _api(system, f"/decisions/{first['number']}", {"year": first["year"]})
    assert page.locator("h1").inner_text().endswith(first["number"])
    assert _rows(page, "#entries tbody tr", "data-product") == [e["product_id"] for e in detail["entries"]]
    assert page.locator("#entries tbody tr td.star").all_inner_texts() == ["★" * e["stars"] for e in detail["entries"]]
    check_page(page, browser_log, "rating-decision")

    as_of = f"{year}-12-31"
    page.goto(f"{console}/rating/certificates?as_of={as_of}")
    held = _api(system, "/certificates", {"as_of": as_of, "limit": 25})
    assert held["total"] >= 1
    assert page.locator("#certificates-heading").inner_text() == (
        f"Còn hiệu lực ngày {day(as_of)}: {held['total']} giấy chứng nhận")
    assert _rows(page, "#certificates tbody tr", "data-certificate") == [c["number"] for c in held["items"]]
    assert page.locator("#certificates tbody tr td.star").all_inner_texts() == [
        "★" * c["stars"] for c in held["items"]]
    check_page(page, browser_log, "rating-certificates")


def test_a_district_officer_sees_their_district_only(system, season, year, page, browser_log):
    console = system["console"]
    session = _provincial_session(system, year)
    results = _api(system, f"/sessions/{session['session_id']}/results")["results"]
    mine = results[0]["district_code"]
    assert any(r["district_code"] != mine for r in results), "the session should hold another district's product"
    sign_in(page, console, "district_officer", mine)

    # Sessions: their council's, whatever the address asks for, and the upper sessions holding their products.
    other = next(r["district_code"] for r in results if r["district_code"] != mine)
    page.goto(f"{console}/rating?district_code={other}&cycle_year={year}")
    own = _api(system, "/sessions", {"district_code": mine, "cycle_year": year, "limit": 25})
    assert own["total"] >= 1
    assert _rows(page, "#sessions tbody tr", "data-session") == [s["session_id"] for s in own["items"]]
    assert page.locator("#district_code").count() == 0  # no district picker for them
    upper = []
    for level in ("provincial", "central"):
        for listed in _api(system, "/sessions", {"level": level, "cycle_year": year, "limit": 100})["items"]:
            examined = _api(system, f"/sessions/{listed['session_id']}")["examined"]
            ours = [p for p in examined if p["district_code"] == mine]
            if ours:
                upper.append((listed["held_on"], listed["session_id"], len(ours)))
    upper.sort()
    assert session["session_id"] in [s for _, s, _ in upper]
    _listed(page, "#upper-sessions", "data-session", [s for _, s, _ in upper], [n for _, _, n in upper])
    check_page(page, browser_log, "rating-sessions-district-officer")

    # A provincial session's table: their district's products only.
    page.goto(f"{console}/rating/sessions/{session['session_id']}")
    assert _rows(page, "#results table.results tbody tr", "data-product") == [
        r["product_id"] for r in results if r["district_code"] == mine]
    assert page.locator("#district-rows-only").is_visible()
    check_page(page, browser_log, "rating-session-results-district-officer")

    # Another district's council session: not theirs.
    theirs = _api(system, "/sessions", {"district_code": other, "cycle_year": year})["items"]
    assert theirs
    page.goto(f"{console}/rating/sessions/{theirs[0]['session_id']}")
    assert page.locator("#not-your-district").is_visible()
    assert page.locator("table.results").count() == 0

    # Certificates: their district's, whatever the address asks for.
    as_of = f"{year}-12-31"
    page.goto(f"{console}/rating/certificates?as_of={as_of}&district_code={other}")
    held = _api(system, "/certificates", {"as_of": as_of, "district_code": mine, "limit": 25})
    assert _rows(page, "#certificates tbody tr", "data-certificate") == [c["number"] for c in held["items"]]
    check_page(page, browser_log, "rating-certificates-district-officer")

    # Decisions: those covering their products, with how many.
    page.goto(f"{console}/rating/decisions?year={year}")
    expected = []
    for decision in _api(system, "/decisions", {"year": year, "limit": 100})["items"]:
        entries = _api(system, f"/decisions/{decision['number']}", {"year": decision["year"],
                                                                    "body": decision["body"]})["entries"]
        ours = [e for e in entries if e["district_code"] == mine]
        if ours:
            expected.append((decision["number"], len(ours)))
    assert expected
    _listed(page, "#decisions", "data-decision", [n for n, _ in expected], [c for _, c in expected])
    check_page(page, browser_log, "rating-decisions-district-officer")
