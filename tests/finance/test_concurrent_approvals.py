"""Many finance officers approving at once against the real PostgreSQL never overspend a budget line: the line's
stream takes one writer per version, the others run again on fresh state and find what is left."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from shared.contracts import parse_event
from tests.finance.flow import FinanceDriver
from tests.finance.support import M, SOURCES, decision, product_ids, rated

pytestmark = pytest.mark.asyncio(loop_scope="module")
CLIENTS = 16
LINE_MONEY = 50 * M  # room for five 3★ rewards of 10 M


async def approve(finance: FinanceDriver, claim_id: str, officer: int) -> tuple[str, dict[str, Any]]:
    """One officer's approval, paying from the extension fund; a lost race (409 conflict) is tried again, as a client
    would, until the line says yes or no."""
    body = {"decision": {"number": f"{officer}/QĐ-STC", "date": "2021-06-01", "issued_by": "Sở Tài chính"},
            "on": "2021-06-01", "funding_source": "kc"}
    while True:
        response = await finance.client.post(f"/claims/{claim_id}/approval", json=body,
                                             headers=finance.token(actor_id=f"stc-{officer:02}"))
        error = response.json().get("detail", {}).get("error") if response.status_code != 200 else None
        if error != "conflict":
            return error or "approved", response.json()


async def test_concurrent_officers_approve_exactly_the_money_the_line_holds_and_the_rest_wait(finance: FinanceDriver):
    allotments = [{"line": "rewards", "source": "ntm", "amount": 0},
                  {"line": "rewards", "source": "kc", "amount": LINE_MONEY}]
    await finance.post("/budgets", {"plan_year": 2021, "sources": SOURCES, "allotments": allotments,
                                    "on": "2021-01-10"}, finance.office, expect=201)
    await finance.post("/budgets/2021/appraisal", {"changes": [], "on": "2021-02-01"})
    await finance.post("/budgets/2021/approval", {"decision": decision("600/QĐ-UBND", "2021-03-15")}, finance.office)
    await finance.post("/budgets/2021/allocation", {"on": "2021-03-20"})

    products = product_ids("cc", CLIENTS)
    await finance.send(*(rated(p, stars=3) for p in products))
    for p in products:  # the policy's line (rewards, ntm) holds nothing: every claim waits
        await finance.claim_when(f"{p}:1", lambda c: c["status"] == "waiting_for_budget" and c["requested"])

    outcomes = await asyncio.gather(*(approve(finance, f"{p}:1", n) for n, p in enumerate(products)))
    answers = [answer for answer, _ in outcomes]
    assert answers.count("approved") == LINE_MONEY // (10 * M)
    assert answers.count("insufficient_funds") == CLIENTS - LINE_MONEY // (10 * M), answers

    execution = await finance.get("/budgets/2021/execution", as_of="2021-12-31")
    lines = {(r["line"], r["source"]): r for r in execution["lines"]}
    assert (lines["rewards", "kc"]["committed"], lines["rewards", "kc"]["remaining"]) == (LINE_MONEY, 0)
    claims = {c["claim_id"]: c for c in (await finance.get("/claims", limit=1000))["items"]}
    approved = [p for p, (answer, _) in zip(products, outcomes) if answer == "approved"]
    for p, (answer, _) in zip(products, outcomes):
        assert claims[f"{p}:1"]["status"] == ("approved" if answer == "approved" else "waiting_for_budget")
    assert sum(claims[f"{p}:1"]["amount"] for p in approved) == LINE_MONEY
    for p in approved:
        [record] = await finance.published(p, 1)
        assert parse_event(record.value).data.funding_source == "kc"
    assert (await finance.get("/reconciliation"))["differences"] == []
