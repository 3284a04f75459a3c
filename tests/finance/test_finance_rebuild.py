"""Finance's read models are disposable: after a season, dropping and replaying them from the event store gives the
same answers to every query and the same rows; the reconciliation finds nothing amiss, and finds a read model gone
wrong."""

from __future__ import annotations

from typing import Any

import pytest

from services.finance.service import definition
from shared.contracts.roles import Role
from shared.rebuild import rebuild
from tests.finance.flow import FinanceDriver
from tests.finance.support import M, product_ids, rated, registered, revoked

pytestmark = pytest.mark.asyncio(loop_scope="module")
TABLES = {"products": "product_id", "budgets": "plan_year", "budget_amounts": "position, line, source, kind",
          "budget_amendments": "plan_year, amendment", "budget_lines": "line_id", "line_movements": "position",
          "recognitions": "position", "claims": "claim_id", "recoveries": "recovery_id", "support_items": "item_id",
          "money_history": "position"}
DATES = ("2021-03-31", "2021-06-30", "2021-09-30", "2021-12-31")
ROUNDS = ("1114/QĐ-UBND", "2300/QĐ-UBND")


async def a_season(finance: FinanceDriver) -> list[str]:
    """Recognitions paid in parts, one revoked after payment, one waiting for an amendment, support items."""
    await finance.budget(2021, rewards=40 * M)
    paid, upgraded, revoked_after, waits = products = product_ids("rb", 4)
    await finance.send(*(registered(p, district) for p, district in zip(products, ("405", "406", "407", "405"))))
    await finance.send(rated(paid, stars=3), rated(upgraded, stars=3), rated(revoked_after, stars=4))
    await finance.claim_when(f"{revoked_after}:1", lambda c: c["status"] == "approved")
    second_round = {"number": "2300/QĐ-UBND", "date": "2021-09-10", "issued_by": "UBND tỉnh Thanh Hóa"}
    await finance.send(rated(upgraded, stars=4, decision=second_round), rated(waits, stars=4, decision=second_round))
    for claim in (f"{upgraded}:2", f"{waits}:1"):  # two partitions: heard in either order, both wait
        await finance.claim_when(claim, lambda c: c["status"] == "waiting_for_budget" and c["requested"])

    await finance.post(f"/claims/{paid}:1/payments", {"amount": 4 * M, "voucher": "PC-01", "paid_on": "2021-05-01"})
    await finance.post(f"/claims/{paid}:1/payments", {"amount": 6 * M, "voucher": "PC-02", "paid_on": "2021-06-01"})
    await finance.post(f"/claims/{revoked_after}:1/payments",
                       {"amount": 20 * M, "voucher": "PC-03", "paid_on": "2021-05-03"})
    await finance.send(revoked(revoked_after))
    [recovery] = await finance_recoveries(finance, revoked_after)
    await finance.post(f"/recoveries/{recovery}/payments", {"amount": 5 * M, "voucher": "PT-01",
                                                            "paid_on": "2021-12-01"})
    funded = await finance.amend(2021, [{"line": "rewards", "source": "ntm", "amount": 70 * M,
                                         "reason": "Bổ sung khen thưởng đợt 2"}], "2500/QĐ-UBND", "2021-10-01")
    assert set(funded["funded_claims"]) == {f"{upgraded}:2", f"{waits}:1"}

    item = await finance.post("/support-items", {
        "plan_item": "II.6.2", "purpose": "Thiết kế bao bì, nhãn mác", "amount": 30 * M, "plan_year": 2021,
        "budget_line": "upgrade_support", "funding_source": "kc", "product_id": paid, "producer_id": f"p-{paid}",
        "on": "2021-07-01"}, finance.office, expect=201)
    await finance.post(f"/support-items/{item['item_id']}/approval", {
        "decision": {"number": "77/QĐ-STC", "date": "2021-07-05", "issued_by": "Sở Tài chính"}, "on": "2021-07-05"})
    await finance.post(f"/support-items/{item['item_id']}/payments",
                       {"amount": 12 * M, "voucher": "PC-S1", "paid_on": "2021-08-01"})
    for product in products:  # every registration heard (its own consumer) before the live answers are taken
        await finance.claim_when(f"{product}:1", lambda c: c["product_name"] is not None)
    # Rated before finance heard where it is: the claim opens without a district and takes the product's once heard
    # (the rebuild must find it, as the live writers did, although it skips that step for the other products).
    [late] = product_ids("rl", 1)
    await finance.send(rated(late, stars=3))
    await finance.claim_when(f"{late}:1", lambda c: c["district_code"] == "")
    await finance.send(registered(late, "408"))
    await finance.claim_when(f"{late}:1", lambda c: c["district_code"] == "408")
    return products


async def finance_recoveries(finance: FinanceDriver, product: str) -> list[str]:
    from tests.kernel.support import eventually

    async def check() -> list[str] | None:
        found = [r["recovery_id"] for r in await finance.get("/recoveries") if r["product_id"] == product]
        return found or None

    return await eventually(check, what=f"the recovery of {product}")


async def answers(finance: FinanceDriver, products: list[str]) -> dict[str, Any]:
    found: dict[str, Any] = {"budgets": await finance.get("/budgets"), "claims": await finance.get("/claims"),
                             "waiting": await finance.get("/claims/waiting"), "holds": await finance.get("/holds"),
                             "recoveries": await finance.get("/recoveries"),
                             "support": await finance.get("/support-items")}
    for by in ("district", "stars", "decision", "line"):
        found[f"totals by {by}"] = await finance.get("/rewards/totals", by=by)
    for number in ROUNDS:
        found[f"round {number}"] = await finance.get("/rewards/round", decision=number)
        printed = await finance.client.get("/rewards/round", params={"decision": number, "format": "text"},
                                           headers=finance.token(Role.provincial_office, "vpdp-01"))
        found[f"printed {number}"] = printed.text
    for on in DATES:
        found[f"execution {on}"] = await finance.get("/budgets/2021/execution", as_of=on)
    for product in products:
        found[f"money {product}"] = await finance.get(f"/products/{product}/money")
    return found


async def tables(finance: FinanceDriver) -> dict[str, list[tuple]]:
    async with finance.runtime.pool.acquire() as conn:
        return {table: [tuple(r) for r in await conn.fetch(f"SELECT * FROM {table} ORDER BY {key}")]
                for table, key in TABLES.items()}


async def test_rebuilt_read_models_answer_every_query_as_live_processing_did(finance: FinanceDriver):
    products = await a_season(finance)
    live = await answers(finance, products)
    live_rows = await tables(finance)
    assert set(live_rows) == set(finance.runtime.projections[0].tables)
    paid = live[f"money {products[0]}"]
    assert [c["status"] for c in paid["claims"]] == ["paid"] and len(paid["support_items"]) == 1
    year_end = live["execution 2021-12-31"]["total"]
    assert year_end["disbursed"] == 10 * M + 20 * M + 12 * M, "two claims paid, part of the support"
    # Unpaid: both claims of the upgraded product, the claim that waited, the rest of the support.
    assert year_end["committed"] == 10 * M + 10 * M + 20 * M + 18 * M
    assert (await finance.get("/reconciliation"))["differences"] == []

    async with finance.runtime.pool.acquire() as conn:  # a read model gone wrong: rows lost, others changed
        await conn.execute("UPDATE budget_lines SET committed = committed + 1 WHERE line = 'rewards'")
        await conn.execute("DELETE FROM line_movements WHERE kind = 'disbursed'")
        await conn.execute("UPDATE claims SET status = 'paid' WHERE claim_id = $1", f"{products[3]}:1")
    assert await answers(finance, products) != live
    differences = (await finance.get("/reconciliation"))["differences"]
    assert {(d["what"], d["field"]) for d in differences} == {("budget line read model", "committed"),
                                                             ("claim read model", "status")}

    replayed = await rebuild(finance.runtime.pool, finance.runtime.projections, definition.events, batch_size=50)
    assert replayed > 0
    rebuilt = await answers(finance, products)
    for key in live:
        assert rebuilt[key] == live[key], key
    rebuilt_rows = await tables(finance)
    for table in TABLES:
        assert rebuilt_rows[table] == live_rows[table], table
    assert (await finance.get("/reconciliation"))["differences"] == []
