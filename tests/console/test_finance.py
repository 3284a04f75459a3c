"""The finance page in a real browser after a season: budget execution and reward totals equal what finance's API
answers at that moment, and the totals add up; a district officer sees their district's rewards only and finance's
refusal of the reconciliation."""

from __future__ import annotations

import httpx

from console.formatting import money
from shared.contracts.roles import Role
from tests.console.browser import check_page, sign_in
from tests.console.conftest import api_headers

EXECUTION = ("estimated", "approved", "reserved", "committed", "disbursed", "remaining")
REWARDS = ("claimed", "approved", "paid", "waiting", "on_hold", "recovered")


def _api(system, path: str, params: dict | None = None, role: Role = Role.provincial_office,
         district: str | None = None):
    answer = httpx.get(system["finance"] + path, params=params, headers=api_headers(role, district), timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _figures(row, names) -> dict[str, str]:
    return {name: row.locator(f'[data-figure="{name}"]').inner_text() for name in names}


def _vnd(text: str) -> int:
    return int("".join(ch for ch in text if ch.isdigit()) or 0)


def _plan_year(system) -> int:
    budgets = _api(system, "/budgets")
    assert budgets, "the season drafted no budget"
    return max(b["plan_year"] for b in budgets)


def test_finance_figures_equal_the_api_and_add_up(system, season, page, browser_log):
    console = system["console"]
    year = _plan_year(system)
    as_of = f"{year}-12-31"
    sign_in(page, console, "finance_officer")
    page.goto(f"{console}/finance?plan_year={year}&as_of={as_of}")

    execution = _api(system, f"/budgets/{year}/execution", {"as_of": as_of})
    rows = page.locator("#execution-table tbody tr")
    assert [r.get_attribute("data-line") for r in rows.all()] == [f"{x['line']}:{x['source']}" for x in execution["lines"]]
    for n, line in enumerate(execution["lines"]):
        assert _figures(rows.nth(n), EXECUTION) == {name: money(line[name]) for name in EXECUTION}
    for source in execution["sources"]:
        shown = page.locator(f'#execution-table tr.subtotal[data-source="{source["source"]}"]')
        assert _figures(shown, EXECUTION) == {name: money(source[name]) for name in EXECUTION}
    total = page.locator("#execution-total")
    assert _figures(total, EXECUTION) == {name: money(execution["total"][name]) for name in EXECUTION}
    for name in EXECUTION:  # the lines shown add up to the total shown, and so do the sources
        column = [_vnd(t) for t in page.locator(f'#execution-table tbody [data-figure="{name}"]').all_inner_texts()]
        sources = [_vnd(t) for t in page.locator(f'#execution-table tr.subtotal [data-figure="{name}"]').all_inner_texts()]
        assert sum(column) == sum(sources) == _vnd(total.locator(f'[data-figure="{name}"]').inner_text())
    assert execution["total"]["disbursed"] > 0
    assert page.locator('#execution-figures [data-figure="disbursed"]').inner_text() == money(
        execution["total"]["disbursed"])
    assert page.locator("#execution-chart tbody tr").count() == len(execution["lines"])

    for by, table in (("district", "#rewards-by-district"), ("decision", "#rewards-by-round")):
        totals = _api(system, "/rewards/totals", {"by": by, "plan_year": year})["groups"]
        assert totals, f"no rewards by {by}"
        shown = page.locator(f"{table} tbody tr")
        assert [r.get_attribute("data-key") for r in shown.all()] == [g["key"] for g in totals]
        for n, group in enumerate(totals):
            assert _figures(shown.nth(n), REWARDS) == {name: money(group[name]) for name in REWARDS}
        footer = page.locator(f"{table} tfoot tr")
        assert _figures(footer, REWARDS) == {name: money(sum(g[name] for g in totals)) for name in REWARDS}
        assert footer.locator('[data-figure="claims"]').inner_text() == str(sum(g["claims"] for g in totals))
    # Both groupings cover the same claims: their totals are one figure.
    assert _figures(page.locator("#rewards-by-district tfoot tr"), REWARDS) == _figures(
        page.locator("#rewards-by-round tfoot tr"), REWARDS)
    assert page.locator("#rewards-district-chart tbody tr").count() == page.locator(
        "#rewards-by-district tbody tr").count()

    recoveries = _api(system, "/recoveries")
    assert recoveries, "the season's revoked and downgraded products owe recoveries"
    assert [r.get_attribute("data-recovery") for r in page.locator("#recoveries-table tbody tr").all()] == [
        r["recovery_id"] for r in recoveries]
    assert page.locator('#recoveries-table tfoot [data-figure="amount"]').inner_text() == money(
        sum(r["amount"] for r in recoveries))
    waiting = _api(system, "/claims/waiting", {"plan_year": year})
    assert page.locator("#waiting-table tbody tr").count() == waiting["total"]
    if waiting["total"]:  # the footer is finance's total of the waiting claims, equal to the rows when all are shown
        assert page.locator('#waiting-table tfoot [data-figure="amount"]').inner_text() == money(
            sum(c["amount"] for c in waiting["items"]))
    holds = _api(system, "/holds")
    assert page.locator("#holds-table tbody tr").count() == holds["total"]
    check_page(page, browser_log, "finance")

    # The reconciliation replays finance's store: a page of its own, opened from the finance page.
    with page.expect_navigation():
        page.locator("#reconciliation-link").click()
    reconciliation = _api(system, "/reconciliation")
    assert page.locator("#reconciliation-verdict").get_attribute("class") == (
        "alert" if reconciliation["differences"] else "ok")
    assert str(reconciliation["events"]) in page.locator("#reconciliation-verdict").inner_text().replace(".", "")
    check_page(page, browser_log, "finance-reconciliation")
    page.goto(f"{system['console']}/finance?plan_year={year}&as_of={year}-12-31")

    # A round's page: every recognition of the decision, what it earned and what was paid, with the total.
    first = page.locator("#rewards-by-round tbody tr").first
    number = first.get_attribute("data-key")
    with page.expect_navigation():
        first.locator("a").click()
    summary = _api(system, "/rewards/round", {"decision": number})
    rows = page.locator("#round-table tbody tr")
    assert [r.get_attribute("data-product") for r in rows.all()] == [r["product_id"] for r in summary["rewards"]]
    for n, reward in enumerate(summary["rewards"]):
        assert _figures(rows.nth(n), ("amount", "paid")) == {"amount": money(reward["amount"]),
                                                            "paid": money(reward["paid"])}
    # The total is finance's for the round (cancelled claims left out), not a sum the console makes.
    [totals] = [g for g in _api(system, "/rewards/totals", {"by": "decision"})["groups"] if g["key"] == number]
    assert _figures(page.locator("#round-table tfoot tr"), ("claimed", "paid")) == {
        "claimed": money(totals["claimed"]), "paid": money(totals["paid"])}
    check_page(page, browser_log, "finance-round")


def test_a_district_officer_sees_their_district_rewards_only(system, season, page, browser_log):
    console = system["console"]
    year = _plan_year(system)
    recoveries = _api(system, "/recoveries")
    claim = _api(system, f"/claims/{recoveries[0]['claim_id']}")
    mine = claim["district_code"]
    by_district = _api(system, "/rewards/totals", {"by": "district", "plan_year": year})["groups"]
    assert len(by_district) > 1 and mine in {g["key"] for g in by_district}
    group = next(g for g in by_district if g["key"] == mine)
    sign_in(page, console, "district_officer", mine)
    page.goto(f"{console}/finance?plan_year={year}&as_of={year}-12-31")

    rows = page.locator("#rewards-by-district tbody tr")
    assert [r.get_attribute("data-key") for r in rows.all()] == [mine]
    assert _figures(rows.first, REWARDS) == {name: money(group[name]) for name in REWARDS}
    # The rounds are finance's totals of the district's claims: they add up to the district's totals.
    claims = _api(system, "/claims", {"plan_year": year, "district_code": mine, "limit": 500})
    rounds = sorted({c["decision_number"] for c in claims["items"]})
    assert sorted(r.get_attribute("data-key") for r in page.locator("#rewards-by-round tbody tr").all()) == rounds
    footer = page.locator("#rewards-by-round tfoot tr")
    assert _figures(footer, REWARDS) == {name: money(group[name]) for name in REWARDS}
    assert footer.locator('[data-figure="claims"]').inner_text() == str(group["claims"])

    ours = []
    for recovery in recoveries:
        if _api(system, f"/claims/{recovery['claim_id']}")["district_code"] == mine:
            ours.append(recovery["recovery_id"])
    assert ours  # the first recovery's district was chosen
    assert [r.get_attribute("data-recovery") for r in page.locator("#recoveries-table tbody tr").all()] == ours
    # The budget is the province's: the same execution total as anyone sees.
    execution = _api(system, f"/budgets/{year}/execution", {"as_of": f"{year}-12-31"})
    assert page.locator('#execution-total [data-figure="approved"]').inner_text() == money(
        execution["total"]["approved"])
    check_page(page, browser_log, "finance-district-officer")
    # Finance refuses its reconciliation to a district officer: the page says so, nothing breaks.
    refused = httpx.get(system["finance"] + "/reconciliation", headers=api_headers(Role.district_officer, mine))
    assert refused.status_code == 403
    page.goto(f"{console}/finance/reconciliation")
    assert page.locator("#reconciliation .refusal").is_visible()
    check_page(page, browser_log, "finance-reconciliation-district-officer")

    # A round holding another district's product too: the officer's rows only.
    mixed = next(number for number in sorted({c["decision_number"] for c in claims["items"]})
                 if {r["district_code"] for r in _api(system, "/rewards/round", {"decision": number})["rewards"]}
                 - {mine})
    page.goto(f"{console}/finance/rounds/{mixed}")
    expected = [r["product_id"] for r in _api(system, "/rewards/round", {"decision": mixed})["rewards"]
                if r["district_code"] == mine]
    assert expected
    assert [r.get_attribute("data-product") for r in page.locator("#round-table tbody tr").all()] == expected
    [totals] = [g for g in _api(system, "/rewards/totals", {"by": "decision", "district_code": mine})["groups"]
                if g["key"] == mixed]
    assert _figures(page.locator("#round-table tfoot tr"), ("claimed", "paid")) == {
        "claimed": money(totals["claimed"]), "paid": money(totals["paid"])}
    check_page(page, browser_log, "finance-round-district-officer")
