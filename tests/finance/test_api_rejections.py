"""Bad input to finance's API gets a 4xx naming the field and the rule, and nothing is half-written: amounts that are
negative, fractional, booleans or strings, unknown lines and sources, more than a line holds, more than approved, a
tariff table missing a star, the wrong role; and no body, however malformed, gets a 500."""

from __future__ import annotations

import json
from typing import Any

import pytest
import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.contracts.roles import Role
from tests.finance.flow import FinanceDriver
from tests.finance.support import M, product_ids, rated, registered

pytestmark = pytest.mark.asyncio(loop_scope="module")
STC = {"number": "90/QĐ-STC", "date": "2021-12-01", "issued_by": "Sở Tài chính Thanh Hóa"}


async def events(finance: FinanceDriver) -> int:
    async with finance.runtime.pool.acquire() as conn:
        return await conn.fetchval("SELECT count(*) FROM events")


async def refused(finance: FinanceDriver, method: str, path: str, body: Any, status: int, error: str, field: str,
                  role: Role = Role.finance_officer) -> dict[str, Any]:
    before = await events(finance)
    response = await finance.client.request(method, path, json=body, headers=finance.token(role))
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert (detail["error"], detail.get("field")) == (error, field), detail
    assert await events(finance) == before, "nothing of a refused command is written"
    return detail


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def season(finance: FinanceDriver) -> dict[str, str]:
    await finance.budget(2021, rewards=30 * M)
    approved, waiting = product_ids("rj", 2)
    await finance.send(registered(approved, "405"), registered(waiting, "406"))
    await finance.send(rated(approved, stars=4))
    await finance.claim_when(f"{approved}:1", lambda c: c["status"] == "approved")
    await finance.send(rated(waiting, stars=4))
    await finance.claim_when(f"{waiting}:1", lambda c: c["status"] == "waiting_for_budget" and c["requested"]
                             and c["district_code"] == "406")  # its registration heard too
    return {"approved": f"{approved}:1", "waiting": f"{waiting}:1"}


@pytest.mark.parametrize("amount, rule", [(-5, "greater than 0"), (10.5, "whole number"), (True, "whole number"),
                                          (1e7 + 0.5, "whole number"), ("1000", "whole number"),
                                          (0, "greater than 0")])
async def test_a_payment_amount_that_is_not_a_positive_whole_number_of_dong_is_refused(finance, season, amount, rule):
    detail = await refused(finance, "POST", f"/claims/{season['approved']}/payments",
                           {"amount": amount, "voucher": "PC-X", "paid_on": "2021-05-01"}, 422, "invalid_request",
                           "amount")
    assert rule in detail["message"]


async def test_paying_more_than_approved_is_refused_naming_the_amount(finance, season):
    detail = await refused(finance, "POST", f"/claims/{season['approved']}/payments",
                           {"amount": 20 * M + 1, "voucher": "PC-Y", "paid_on": "2021-05-01"}, 409,
                           "above_permitted", "amount")
    assert "20.000.000 đ approved" in detail["message"]


async def test_approving_more_than_the_line_holds_is_refused_and_the_claim_keeps_waiting(finance, season):
    detail = await refused(finance, "POST", f"/claims/{season['waiting']}/approval",
                           {"decision": STC, "on": "2021-12-02"}, 409, "insufficient_funds", "amount")
    assert "only 10.000.000 đ of 30.000.000 đ remain" in detail["message"]
    assert (await finance.get(f"/claims/{season['waiting']}"))["status"] == "waiting_for_budget"


@pytest.mark.parametrize("allotment, status, error, field", [
    ({"line": "parties", "source": "ntm", "amount": M}, 422, "invalid_request", "allotments.0.line"),
    ({"line": "rewards", "source": "ntm", "amount": -1}, 422, "invalid_request", "allotments.0.amount"),
    ({"line": "rewards", "source": "ntm", "amount": 1.5}, 422, "invalid_request", "allotments.0.amount"),
    ({"line": "rewards", "source": "elsewhere", "amount": M}, 404, "unknown", "allotments.source"),
])
async def test_an_estimate_with_an_unknown_line_or_source_or_a_bad_amount_is_refused(finance, allotment, status,
                                                                                     error, field):
    body = {"plan_year": 2030, "sources": [{"code": "ntm", "name": "NTM", "kind": "ntm_non_business"}],
            "allotments": [allotment]}
    await refused(finance, "POST", "/budgets", body, status, error, field, Role.provincial_office)


async def test_budget_steps_out_of_order_or_by_the_wrong_role_are_refused(finance, season):
    await refused(finance, "POST", "/budgets/2021/approval", {"decision": {**STC, "signer": "A"}}, 403,
                  "role_not_allowed", "authorization")
    await refused(finance, "POST", "/budgets/2021/approval", {"decision": {**STC, "signer": "A"}}, 409, "not_allowed",
                  "status", Role.provincial_office)
    await refused(finance, "POST", "/budgets", {"plan_year": 2021, "sources": [{"code": "ntm", "name": "NTM",
                  "kind": "ntm_non_business"}], "allotments": []}, 409, "already_exists", "plan_year",
                  Role.provincial_office)
    await refused(finance, "POST", "/budgets/2021/amendments/7/approval", {"decision": {**STC, "signer": "A"}}, 409,
                  "not_allowed", "amendment", Role.provincial_office)
    await refused(finance, "POST", "/budgets/2031/appraisal", {"changes": []}, 404, "not_found", None)


async def test_a_lowering_amendment_below_what_the_line_holds_is_refused_whole(finance, season):
    proposed = await finance.post("/budgets/2021/amendments", {"changes": [
        {"line": "rewards", "source": "ntm", "amount": 5 * M, "reason": "cắt giảm"}], "on": "2021-11-01"},
        finance.office, expect=201)
    number = proposed["pending_amendment"]["amendment"]
    await refused(finance, "POST", f"/budgets/2021/amendments/{number}/approval",
                  {"decision": {**STC, "signer": "Nguyễn Văn A"}}, 409, "insufficient_funds", "amount",
                  Role.provincial_office)
    rejected = await finance.post(f"/budgets/2021/amendments/{number}/rejection",
                                  {"reason": "không phù hợp", "on": "2021-12-05"}, finance.office)
    assert rejected["pending_amendment"] is None and rejected["version"] == 1


async def test_a_tariff_table_missing_a_star_is_refused_naming_the_entry(finance):
    table = {"format": "ocop-reward-tariffs/1", "province": "Thanh Hóa",
             "tariffs": [{"plan_year": 2021, "valid_from": "2021-01-01", "stars": {"3": 10 * M, "4": 20 * M}}]}
    detail = await refused(finance, "PUT", "/tariffs", table, 422, "invalid_tariffs", "tariffs[0].stars.5")
    assert "no amount for 5★" in detail["message"]
    table["tariffs"][0]["stars"]["5"] = 100 * M + 0.5  # whole đồng only; the document says so (integer)
    await refused(finance, "PUT", "/tariffs", table, 422, "invalid_request", "tariffs.0.stars.5")
    table["tariffs"][0]["stars"]["5"] = 100 * M
    table["tariffs"][0]["valid_until"] = "2020-12-31"  # a period that ends before it begins: values compared, 409
    detail = await refused(finance, "PUT", "/tariffs", table, 409, "out_of_order", "tariffs[0].valid_until")
    assert "before valid_from" in detail["message"]
    assert (await finance.get("/tariffs"))["installations"] == 0


async def test_a_district_officer_proposes_support_only_in_their_district(finance, season):
    product = season["waiting"].rsplit(":", 1)[0]  # registered in district 406
    body = {"plan_item": "II.6.1", "purpose": "Tư vấn", "amount": M, "plan_year": 2021, "budget_line": "consulting",
            "funding_source": "ntm", "product_id": product, "producer_id": f"p-{product}"}
    before = await events(finance)
    response = await finance.client.post("/support-items", json=body,
                                         headers=finance.token(Role.district_officer, "d-405", district="405"))
    assert response.status_code == 403 and response.json()["detail"]["error"] == "district_forbidden"
    assert await events(finance) == before


async def test_a_support_item_on_the_rewards_line_is_refused_by_the_schema(finance, season):
    product = season["waiting"].rsplit(":", 1)[0]
    body = {"plan_item": "II.6.1", "purpose": "Thưởng", "amount": M, "plan_year": 2021, "budget_line": "rewards",
            "funding_source": "ntm", "product_id": product, "producer_id": f"p-{product}"}
    await refused(finance, "POST", "/support-items", body, 422, "invalid_request", "budget_line")


async def test_unknown_claims_and_recoveries_are_404(finance, season):
    await refused(finance, "POST", "/claims/nobody:1/payments", {"amount": M, "voucher": "V", "paid_on": "2021-05-01"},
                  404, "not_found", None)
    product = season["approved"].rsplit(":", 1)[0]
    await refused(finance, "POST", f"/claims/{product}:9/payments",
                  {"amount": M, "voucher": "V", "paid_on": "2021-05-01"}, 404, "unknown", "claim_id")
    await refused(finance, "POST", f"/recoveries/{product}:1:r1/waiver", {"decision": STC, "reason": "x"}, 404,
                  "unknown", "recovery_id")


COMMANDS = ["/budgets", "/budgets/2021/appraisal", "/budgets/2021/approval", "/budgets/2021/allocation",
            "/budgets/2021/amendments", "/budgets/2021/amendments/1/approval", "/claims/x:1/approval",
            "/claims/x:1/payments", "/claims/x:1/hold-release", "/claims/x:1/cancellation", "/recoveries/x:1:r1/waiver",
            "/support-items", "/support-items/x/approval", "/support-items/x/payments"]
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                                max_size=5),
                    max_leaves=12)


async def test_no_body_gets_a_500(finance, season):
    answers: list[tuple[str, int]] = []

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(path=st.sampled_from(COMMANDS), body=JSON)
    def probe(path: str, body: Any) -> None:
        answers.append((path, json.dumps(body)))

    probe()
    for path, body in answers:
        response = await finance.client.post(path, content=body, headers={**finance.token(),
                                                                         "content-type": "application/json"})
        assert response.status_code < 500 and "detail" in response.json(), (path, body, response.text)
