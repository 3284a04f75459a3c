"""From ProductRated in to RewardApproved out, over the real broker and PostgreSQL: schema-valid, keyed by product,
the rating's flow and trace continued; delivered twice, paid once; a product finance cannot place goes to the dead
letters once; a revocation after payment opens a recovery; a claim waits for an amendment, then is approved."""

from __future__ import annotations

import uuid

import pytest

from shared.contracts import kafka_headers, parse_event
from shared.contracts.roles import Role
from tests.finance.flow import FinanceDriver, keyed
from tests.finance.support import M, product_ids, rated, registered, revoked
from tests.kernel.support import header

pytestmark = pytest.mark.asyncio(loop_scope="module")
TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
TRACEPARENT = f"00-{TRACE}-00f067aa0ba902b7-01"


async def test_a_recognition_is_paid_from_the_rewards_line_and_reward_approved_continues_the_flow(
        finance: FinanceDriver):
    await finance.budget(2021, rewards=500 * M)
    [product] = product_ids("fl", 1)
    flow = uuid.uuid4()
    await finance.send(registered(product, "405", name="Nem chua Thanh Hóa"))
    recognised = rated(product, stars=4, correlation_id=flow)
    await finance.send(recognised, headers=[*kafka_headers(recognised), ("traceparent", TRACEPARENT.encode())])

    [record] = await finance.published(product, 1)
    event = parse_event(record.value)  # raises unless valid against the public contract
    assert record.key == product.encode() and event.event_type == "RewardApproved"
    assert (event.correlation_id, event.causation_id, event.actor) == (flow, recognised.event_id, None)
    assert header(record, "traceparent").split("-")[1] == TRACE, "the rating decision's trace goes on"
    assert event.data.model_dump(mode="json") == {
        "reward_id": f"{product}:1", "plan_year": 2021, "level": "provincial", "stars": 4, "amount_vnd": 20 * M,
        "funding_source": "ntm", "budget_line": "rewards", "decision": {"number": "1114/QĐ-UBND", "date": "2021-04-06"}}
    # ProductRegistered is heard by a consumer of its own, maybe after the rating: the claim shows it once heard.
    claim = await finance.claim_when(f"{product}:1", lambda c: c["status"] == "approved" and c["product_name"])
    assert (claim["district_code"], claim["product_name"], claim["approved_on"]) == (
        "405", "Nem chua Thanh Hóa", "2021-04-06")


async def test_a_rating_delivered_twice_is_paid_once(finance: FinanceDriver):
    [product] = product_ids("tw", 1)
    recognised = rated(product, stars=3)
    await finance.send(recognised, recognised)  # the same event twice: the inbox takes the second as a repeat
    again = rated(product, stars=3, evaluation_id=recognised.data.evaluation_id)  # a new id, the same recognition
    await finance.send(again)
    upgrade = rated(product, stars=4, decision={"number": "2222/QĐ-UBND", "date": "2021-09-01",
                                                "issued_by": "UBND tỉnh Thanh Hóa"})
    await finance.send(upgrade)  # after the repeats on the product's partition: once it is handled, they were too
    await finance.claim_when(f"{product}:2", lambda c: c["status"] == "approved")

    records = await finance.published(product, 2)
    amounts = [parse_event(r.value).data.amount_vnd for r in records]
    assert amounts == [10 * M, 10 * M], "3★, then the upgrade's difference"
    money = await finance.get(f"/products/{product}/money")
    assert [c["claim_id"] for c in money["claims"]] == [f"{product}:1", f"{product}:2"]
    assert [f["event_type"] for f in money["history"]].count("ClaimOpened") == 2


async def test_a_withdrawal_of_a_product_finance_never_heard_recognised_goes_to_the_dead_letters_once(
        finance: FinanceDriver):
    [product] = product_ids("dl", 1)
    await finance.send(revoked(product))
    [letter] = await finance.dead_letters(product)
    assert "holds no rewards" in header(letter, "dlq.error") and parse_event(letter.value).product_id == product
    await finance.send(rated(product, stars=3))  # the same partition goes on past the dead letter
    await finance.claim_when(f"{product}:1", lambda c: c["status"] == "approved")
    assert len(await keyed(finance.bootstrap, finance.settings.dead_letter_topic, product, 1)) == 1


async def test_a_revocation_after_payment_opens_a_recovery_and_holds_the_unpaid_claim(finance: FinanceDriver):
    [product] = product_ids("rv", 1)
    await finance.send(registered(product, "407", "Nước mắm Ba Làng"))
    await finance.send(rated(product, stars=3), rated(product, stars=4, decision={
        "number": "2300/QĐ-UBND", "date": "2021-09-10", "issued_by": "UBND tỉnh Thanh Hóa"}))
    await finance.claim_when(f"{product}:2", lambda c: c["status"] == "approved")
    paid = await finance.post(f"/claims/{product}:1/payments",
                              {"amount": 10 * M, "voucher": f"PC-{product}", "paid_on": "2021-05-02"})
    assert (paid["status"], paid["paid"]) == ("paid", 10 * M)

    await finance.send(revoked(product))
    await finance.claim_when(f"{product}:2", lambda c: c["status"] == "on_hold")
    [recovery] = [r for r in await finance.get("/recoveries", status="open") if r["product_id"] == product]
    assert (recovery["claim_id"], recovery["amount"], recovery["decision"]["number"]) == (
        f"{product}:1", 10 * M, "3763/QĐ-UBND")
    assert (recovery["product_name"], recovery["district_code"]) == ("Nước mắm Ba Làng", "407")
    of_district = await finance.get("/recoveries", district_code="407")
    assert recovery["recovery_id"] in {r["recovery_id"] for r in of_district}
    assert {r["district_code"] for r in of_district} == {"407"}
    holds = await finance.get("/holds")
    assert f"{product}:2" in {c["claim_id"] for c in holds["items"]}

    # The held claim is cancelled: the product's totals count it neither claimed nor approved (as every total does).
    await finance.post(f"/claims/{product}:2/cancellation", {
        "decision": {"number": "2400/QĐ-UBND", "date": "2021-10-01", "issued_by": "UBND tỉnh Thanh Hóa"},
        "reason": "Sản phẩm bị thu hồi giấy chứng nhận"})
    totals = (await finance.get(f"/products/{product}/money"))["totals"]
    assert (totals["claims"], totals["claimed"], totals["approved"], totals["paid"]) == (2, 10 * M, 10 * M, 10 * M)


async def test_a_claim_waits_for_budget_until_an_amendment_then_is_approved(finance: FinanceDriver):
    await finance.budget(2022, rewards=15 * M)
    table = {"format": "ocop-reward-tariffs/1", "province": "Thanh Hóa", "title": "2021–2022",
             "tariffs": [{"plan_year": 2021, "valid_from": "2021-01-01", "valid_until": "2021-12-31",
                          "stars": {"3": 10 * M, "4": 20 * M, "5": 100 * M}},
                         {"plan_year": 2022, "valid_from": "2022-01-01", "valid_until": None,
                          "stars": {"3": 10 * M, "4": 20 * M, "5": 100 * M}}]}
    response = await finance.client.put("/tariffs", json=table, headers=finance.token())
    assert response.status_code == 200, response.text
    first, second = product_ids("am", 2)
    on = {"number": "500/QĐ-UBND", "date": "2022-05-05", "issued_by": "UBND tỉnh Thanh Hóa"}
    # One after the other: the two products' records lie on different partitions, heard in either order.
    await finance.send(rated(first, stars=3, decision=on, cycle_year=2022))
    await finance.claim_when(f"{first}:1", lambda c: c["status"] == "approved")
    await finance.send(rated(second, stars=3, decision=on, cycle_year=2022))
    claim = await finance.claim_when(f"{second}:1", lambda c: c["status"] == "waiting_for_budget" and c["requested"])
    assert (claim["requested"], claim["available"]) == (10 * M, 5 * M)
    waiting = await finance.get("/claims/waiting", plan_year=2022)
    assert [c["claim_id"] for c in waiting["items"]] == [f"{second}:1"]

    amended = await finance.amend(2022, [{"line": "rewards", "source": "ntm", "amount": 25 * M,
                                          "reason": "Bổ sung kinh phí khen thưởng"}], "1800/QĐ-UBND", "2022-07-01")
    assert amended["funded_claims"] == [f"{second}:1"] and amended["budget"]["version"] == 2
    claim = await finance.get(f"/claims/{second}:1")
    assert (claim["status"], claim["approved_on"]) == ("approved", "2022-07-01")
    [record] = await finance.published(second, 1)
    assert parse_event(record.value).data.plan_year == 2022
    execution = await finance.get("/budgets/2022/execution", as_of="2022-12-31")
    [rewards] = [r for r in execution["lines"] if r["line"] == "rewards"]
    assert (rewards["approved"], rewards["committed"], rewards["remaining"]) == (25 * M, 20 * M, 5 * M)
    before = await finance.get("/budgets/2022/execution", as_of="2022-06-30")
    [rewards] = [r for r in before["lines"] if r["line"] == "rewards"]
    assert (rewards["approved"], rewards["committed"], rewards["remaining"]) == (15 * M, 10 * M, 5 * M)


async def test_a_round_is_printed_in_vietnamese_with_what_each_product_earned(finance: FinanceDriver):
    three, four = product_ids("pr", 2)
    on = {"number": "1500/QĐ-UBND", "date": "2021-06-15", "issued_by": "UBND tỉnh Thanh Hóa"}
    await finance.send(registered(three, "405", "Bánh gai Tứ Trụ"), registered(four, "406", "Chè lam Phủ Quảng"))
    await finance.send(rated(three, stars=3, decision=on), rated(four, stars=4, decision=on))
    for product in (three, four):
        await finance.claim_when(f"{product}:1", lambda c: c["status"] == "approved" and c["product_name"])
    response = await finance.client.get("/rewards/round", params={"decision": "1500/QĐ-UBND", "format": "text"},
                                        headers=finance.token(Role.producer, "p-1"))
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert "TỔNG HỢP KHEN THƯỞNG SẢN PHẨM OCOP" in text and "1500/QĐ-UBND ngày 15/06/2021" in text
    assert "Chè lam Phủ Quảng" in text and "20.000.000" in text and "thưởng lần đầu" in text
    assert "tổng tiền thưởng: 30.000.000 đ" in text
    as_json = await finance.get("/rewards/round", decision="1500/QĐ-UBND")
    assert [(r["product_id"], r["stars"], r["amount"]) for r in as_json["rewards"]] == [(four, 4, 20 * M),
                                                                                        (three, 3, 10 * M)]
    by_district = await finance.get("/rewards/totals", by="district", plan_year=2021)
    groups = {g["key"]: g for g in by_district["groups"]}
    assert groups["406"]["approved"] >= 20 * M and groups["405"]["claims"] >= 1
    # One district's products only: its round total, the other district's claims left out.
    of_406 = await finance.get("/rewards/totals", by="decision", plan_year=2021, district_code="406")
    assert of_406["district_code"] == "406"
    [round_406] = [g for g in of_406["groups"] if g["key"] == "1500/QĐ-UBND"]
    assert (round_406["claims"], round_406["claimed"]) == (1, 20 * M)


async def test_a_claim_opened_before_its_registration_was_heard_is_listed_under_the_district_heard_later(
        finance: FinanceDriver):
    [late, placed] = product_ids("ld", 2)
    await finance.send(registered(placed, "408", "Bánh gai Tứ Trụ"))
    await finance.send(rated(late, stars=3), rated(placed, stars=3))
    opened = await finance.claim_when(f"{late}:1")
    assert opened["district_code"] == ""  # finance did not know where the product is when it opened the claim
    await finance.send(registered(late, "408", "Chè lam Phủ Quảng"))
    await finance.claim_when(f"{late}:1", lambda c: c["district_code"] == "408")
    await finance.claim_when(f"{placed}:1", lambda c: c["district_code"] == "408")
    listed = await finance.get("/claims", district_code="408", limit=1000)
    mine = [c["claim_id"] for c in listed["items"] if c["product_id"] in (late, placed)]
    assert sorted(mine) == sorted([f"{late}:1", f"{placed}:1"])
    assert listed["total"] == len(listed["items"]) and {c["district_code"] for c in listed["items"]} == {"408"}
    elsewhere = await finance.get("/claims", district_code="405", limit=1000)
    assert not {late, placed} & {c["product_id"] for c in elsewhere["items"]}
    [totals] = (await finance.get("/rewards/totals", by="district", district_code="408"))["groups"]
    assert totals["key"] == "408" and totals["claims"] == listed["total"]
    money = await finance.get(f"/products/{late}/money")
    assert (money["totals"]["claims"], money["totals"]["claimed"]) == (1, 10 * M)
