"""The rating HTTP API at its edges: the printed results table, who may act on which council, and what is refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shared.contracts.roles import Role
from tests.rating.flow import RatingDriver, ids, rated
from tests.rating.support import best, shipped

pytestmark = pytest.mark.asyncio(loop_scope="module")
DISTRICT = "398"
OTHER = "399"
NAMES = ("Nem chua Hoằng Hóa", "Chè lam Phủ Quảng", "Bánh gai Tứ Trụ")



async def named(driver: RatingDriver, launcher: Any, district: str = DISTRICT) -> list[str]:
    products = ids("api", len(NAMES))
    for product, name in zip(products, NAMES, strict=True):
        await driver.enter(launcher.bootstrap_servers, district, product, name=name)
    return products


def detail(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json()["detail"]


# ------------------------------------------------------------------------------------------------ results table


async def test_the_results_table_is_ordered_by_mean_as_json_and_as_printed_text(driver, launcher):
    nem, che, banh = await named(driver, launcher)
    session = await driver.season("district", {nem: 55, che: 72, banh: 41}, district=DISTRICT, held_on="2021-03-16",
                                  round_=1)
    results = await driver.get(f"/sessions/{session['session_id']}/results")
    assert (results["session_id"], results["status"], results["decision"]) == (session["session_id"], "finalised", None)
    rows = results["results"]
    assert [(r["product_id"], r["product_name"], float(r["average_score"]), r["stars"], r["outcome"]) for r in rows] == [
        (che, "Chè lam Phủ Quảng", 72.0, 4, "proposed"),
        (nem, "Nem chua Hoằng Hóa", 55.0, 3, "proposed"),
        (banh, "Bánh gai Tứ Trụ", 41.0, 2, "not_recognized")]
    assert {r["scorecards"] for r in rows} == {5} and {r["district_code"] for r in rows} == {DISTRICT}

    assert [(r["producer_name"], r["district_name"], r["commune_code"], r["commune_name"]) for r in rows] == [
        ("HTX Nem chua", "Huyện Thiệu Hóa", "14758", "Phường Đông Thọ")] * 3
    assert results["outcomes"] == {"proposed": 2, "not_recognized": 1}

    text = await driver.client.get(f"/sessions/{session['session_id']}/results", params={"format": "text"},
                                   headers=driver.token(Role.council_member, "reader", DISTRICT))
    assert text.status_code == 200 and text.headers["content-type"].startswith("text/plain")
    lines = text.text.splitlines()
    assert lines[0] == "BẢNG TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ, PHÂN HẠNG SẢN PHẨM OCOP — cấp huyện"
    assert session["session_id"] in lines[1] and "họp ngày 16/03/2021" in lines[1]
    assert lines[2] == "Quyết định: chưa có"
    heading = lines[4]
    for column in ("TT", "Mã sản phẩm", "Tên sản phẩm", "Chủ thể", "Huyện", "Xã", "Phiếu", "Điểm TB", "Hạng",
                   "Kết quả"):
        assert column in heading
    body = lines[6:9]
    assert [line.split()[:2] for line in body] == [["1", che], ["2", nem], ["3", banh]], "full product ids"
    for line in body:
        assert "HTX Nem chua" in line and "Huyện Thiệu Hóa" in line and "Phường Đông Thọ" in line
    assert "Chè lam Phủ Quảng" in body[0] and "72.00" in body[0] and "4★" in body[0] and "đề nghị cấp trên" in body[0]
    assert "Nem chua Hoằng Hóa" in body[1] and "55.00" in body[1]
    assert "Bánh gai Tứ Trụ" in body[2] and "41.00" in body[2] and "không đạt" in body[2]
    assert lines[-2:] == ["Tổng số sản phẩm: 3; có kết quả: 3.", "Theo kết quả: đề nghị cấp trên: 2; không đạt: 1."]

    page = await driver.client.get(f"/sessions/{session['session_id']}/results", params={"format": "html"},
                                   headers=driver.token(Role.provincial_office))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.text.count("<tr>") == 4 and "<th>Mã sản phẩm</th>" in page.text
    assert f"<td>{che}</td><td>Chè lam Phủ Quảng</td><td>HTX Nem chua</td><td>Huyện Thiệu Hóa</td>" in page.text
    assert '<td class="num">72.00</td>' in page.text and "Phường Đông Thọ" in page.text

    bad = await driver.client.get(f"/sessions/{session['session_id']}/results", params={"format": "pdf"},
                                  headers=driver.token(Role.provincial_office))
    assert detail(bad, 422)["field"] == "format"


# ------------------------------------------------------------------------------------------------ roles and scope


async def test_a_district_officer_of_another_district_cannot_open_a_session_for_this_districts_council(driver, launcher):
    [product] = ids("api", 1)
    await driver.enter(launcher.bootstrap_servers, DISTRICT, product)
    council = await driver.council("district", DISTRICT)
    body = {"council_id": council["council_id"], "cycle_year": 2021, "round": 5, "title": "Phiên lạ",
            "held_on": "2021-03-20", "product_ids": [product]}
    stranger = await driver.client.post("/sessions", json=body,
                                        headers=driver.token(Role.district_officer, "o-399", OTHER))
    refused = detail(stranger, 403)
    assert (refused["error"], refused["field"]) == ("district_forbidden", "district")
    assert f"district {OTHER}" in refused["message"] and DISTRICT in refused["message"]
    foreign_secretary = await driver.client.post("/sessions", json=body, headers=driver.secretary("district", OTHER))
    assert detail(foreign_secretary, 403)["error"] == "district_forbidden"

    own = await driver.client.post("/sessions", json=body, headers=driver.office("district", DISTRICT))
    assert own.status_code == 201, own.text
    assert (await driver.dossier_when(product))["session_id"] == own.json()["session_id"]


async def test_a_council_member_submits_only_their_own_scorecard(driver, launcher):
    [product] = ids("api", 1)
    await driver.enter(launcher.bootstrap_servers, DISTRICT, product)
    session = await driver.open_session(await driver.council("district", DISTRICT), [product], held_on="2021-03-21",
                                        round_=6)
    me, other = (await driver.members(session))[1:3]
    mine = driver.token(Role.council_member, me, DISTRICT)

    theirs = await driver.card(session, product, other, 60, headers=mine)
    refused = detail(theirs, 403)
    assert (refused["error"], refused["field"]) == ("role_not_allowed", "member_id")
    assert me in refused["message"] and other in refused["message"]
    elsewhere = await driver.card(session, product, me, 60, headers=driver.token(Role.council_member, me, OTHER))
    assert detail(elsewhere, 403)["field"] == "district"
    officer = await driver.card(session, product, me, 60, headers=driver.office("district", DISTRICT))
    assert detail(officer, 403)["error"] == "role_not_allowed" and "district_officer" in officer.json()["detail"]["message"]

    own = await driver.card(session, product, me, 60, headers=mine)
    assert own.status_code == 200 and own.json()["member_id"] == me
    scored = await driver.get(f"/sessions/{session['session_id']}/results")
    assert scored["results"][0]["scorecards"] == 1


async def test_only_the_province_runs_the_provincial_council_and_records_its_decision(driver, launcher):
    [product] = ids("api", 1)
    await driver.enter(launcher.bootstrap_servers, DISTRICT, product)
    await driver.season("district", {product: 68}, district=DISTRICT, held_on="2021-03-22", round_=7)
    council = await driver.council("provincial")
    body = {"council_id": council["council_id"], "cycle_year": 2021, "round": 3, "title": "Đợt 3",
            "held_on": "2021-05-10", "product_ids": [product]}

    district_secretary = await driver.client.post("/sessions", json=body, headers=driver.secretary("district", DISTRICT))
    refused = detail(district_secretary, 403)
    assert refused["error"] == "district_forbidden"
    assert f"council_secretary of district {DISTRICT}" in refused["message"] and "provincial" in refused["message"]
    district_officer = await driver.client.post("/sessions", json=body, headers=driver.office("district", DISTRICT))
    assert "provincial_office" in detail(district_officer, 403)["message"]

    session = await driver.open_session(council, [product], held_on="2021-05-10", round_=3)
    await driver.score(session, product, [68] * 5)
    await driver.finalise(session, "2021-05-10")
    decision = {"number": "2100/QĐ-UBND", "date": "2021-05-20", "issued_by": "UBND tỉnh Thanh Hóa"}
    url = f"/sessions/{session['session_id']}/decision"
    for role in (Role.central_office, Role.council_secretary):
        refused = detail(await driver.client.post(url, json=decision, headers=driver.token(role, "x")), 403)
        assert refused["error"] == "role_not_allowed" and "provincial_office" in refused["message"]
    by_district = await driver.client.post(url, json=decision, headers=driver.office("district", DISTRICT))
    assert detail(by_district, 403)["error"] == "role_not_allowed"
    assert (await driver.get(f"/sessions/{session['session_id']}"))["status"] == "finalised"

    decided = await driver.client.post(url, json=decision, headers=driver.office("provincial", None))
    assert decided.status_code == 200 and decided.json()["certificates_issued"] == 1
    assert (await rated(launcher.bootstrap_servers, product, 2))[1].data.status == "recognized"
    twice = await driver.client.post(url, json=decision, headers=driver.office("provincial", None))
    assert detail(twice, 409)["field"] == "number"


async def test_only_the_provincial_office_decides_on_a_failed_inspection(driver):
    body = {"inspection_id": "insp-1", "action": "warning", "reason": "Nhắc nhở"}
    for role, district in ((Role.central_office, None), (Role.council_secretary, None), (Role.inspector, None),
                           (Role.district_officer, DISTRICT)):
        response = await driver.client.post("/products/whatever/inspection-decision", json=body,
                                            headers=driver.token(role, "x", district))
        refused = detail(response, 403)
        assert refused["error"] == "role_not_allowed" and str(role) in refused["message"]
    unknown = await driver.client.post("/products/whatever/inspection-decision", json=body,
                                       headers=driver.office("provincial", None))
    assert unknown.status_code == 404, "the provincial office gets past the role check"


async def test_without_a_token_every_route_is_401(driver):
    for method, path, body in (("POST", "/sessions", {}), ("GET", "/certificates", None), ("GET", "/sessions/S-1", None),
                               ("PUT", "/sessions/S-1/products/p/scorecards/m", {"choices": {"A1.1": 1}}),
                               ("POST", "/products/p/inspection-decision", {}),
                               ("POST", "/certificates/expiry-check", {}), ("GET", "/products/p/rating-history", None)):
        response = await driver.client.request(method, path, json=body)
        assert response.status_code == 401, (method, path, response.text)
        assert response.json()["detail"]["field"] == "authorization"


# ------------------------------------------------------------------------------------------------ refused input


async def test_a_scorecard_breaking_the_sheet_is_422_naming_the_criterion(driver, launcher):
    [product] = ids("api", 1)
    await driver.enter(launcher.bootstrap_servers, DISTRICT, product)
    session = await driver.open_session(await driver.council("district", DISTRICT), [product], held_on="2021-03-23",
                                        round_=8)
    chair = (await driver.members(session))[0]
    url = f"/sessions/{session['session_id']}/products/{product}/scorecards/{chair}"
    headers = driver.secretary("district", DISTRICT)
    full = best(shipped().sheet(5))

    unknown = detail(await driver.client.put(url, json={"choices": {**full, "Z9.9": 1}}, headers=headers), 422)
    assert (unknown["error"], unknown["field"]) == ("invalid_scorecard", "Z9.9")
    missing = detail(await driver.client.put(url, json={"choices": {k: v for k, v in full.items() if k != "B2.1"}},
                                             headers=headers), 422)
    assert missing["field"] == "B2.1" and "has no choice" in missing["message"]
    not_option = detail(await driver.client.put(url, json={"choices": {**full, "C2.3": 1}}, headers=headers), 422)
    assert not_option["field"] == "C2.3" and "1 points is not an option" in not_option["message"]
    unknown_option = detail(await driver.client.put(url, json={"choices": {**full, "C2.1": "notarised"}},
                                                    headers=headers), 422)
    assert unknown_option["field"] == "C2.1"

    scored = await driver.get(f"/sessions/{session['session_id']}/results")
    assert scored["results"][0]["scorecards"] == 0, "nothing refused was recorded"
    assert (await driver.client.put(url, json={"choices": full}, headers=headers)).status_code == 200


async def test_malformed_bodies_are_422_naming_the_field(driver):
    provincial = driver.office("provincial", None)
    secretary = driver.secretary("provincial", None)
    council = await driver.council("provincial")
    session = {"council_id": council["council_id"], "cycle_year": 2021, "round": 1, "title": "Đợt",
               "held_on": "2021-05-01"}
    cases = [
        ("POST", "/sessions", {k: v for k, v in session.items() if k != "held_on"}, secretary, "held_on"),
        ("POST", "/sessions", {**session, "cycle_year": 1999}, secretary, "cycle_year"),
        ("POST", "/sessions", {**session, "held_on": "01/05/2021"}, secretary, "held_on"),
        ("POST", "/sessions", {**session, "product_ids": ["a", "a"]}, secretary, "product_ids"),
        ("POST", "/sessions", {**session, "colour": "đỏ"}, secretary, "colour"),
        ("PUT", "/sessions/S-x/products/p/scorecards/m", {"choices": {}}, secretary, "choices"),
        ("PUT", "/sessions/S-x/products/p/scorecards/m", {"choices": {"A1.1": [1]}}, secretary, "choices.A1.1"),
        ("POST", "/sessions/S-x/decision", {"number": "1/QĐ", "date": "hôm nay", "issued_by": "UBND"}, provincial, "date"),
        ("POST", "/sessions/S-x/finalisation", {"finalised_on": "2021-13-01"}, secretary, "finalised_on"),
        ("POST", "/products/p/inspection-decision", {"inspection_id": "i", "action": "delete", "reason": "r"}, provincial,
         "action"),
        ("POST", "/councils", {"level": "district", "district_code": "39", "name": "HĐ", "members": []}, provincial,
         "district_code"),
    ]
    for method, path, body, headers, field in cases:
        response = await driver.client.request(method, path, json=body, headers=headers)
        problem = detail(response, 422)
        assert problem["error"] == "invalid_request", (path, body, problem)
        assert problem["field"].startswith(field) or field in {e["field"] for e in problem["errors"]}, (path, body, problem)
    broken = await driver.client.post("/sessions", content=b'{"council_id": ', headers={**secretary,
                                                                                       "content-type": "application/json"})
    assert detail(broken, 422)["field"] == "body"


async def test_an_unknown_session_is_404(driver):
    secretary = driver.secretary("provincial", None)
    for method, path, body in (("GET", "/sessions/S-none", None), ("GET", "/sessions/S-none/results", None),
                               ("POST", "/sessions/S-none/finalisation", {}),
                               ("POST", "/sessions/S-none/products", {"product_ids": ["p"]}),
                               ("PUT", "/sessions/S-none/products/p/scorecards/m", {"choices": {"A1.1": 1}})):
        response = await driver.client.request(method, path, json=body, headers=secretary)
        assert detail(response, 404)["error"] == "not_found", (method, path)
        assert "S-none" in response.json()["detail"]["message"]
    decision = {"number": "1/QĐ", "date": "2021-05-01", "issued_by": "UBND"}
    assert (await driver.client.post("/sessions/S-none/decision", json=decision,
                                     headers=driver.office("provincial", None))).status_code == 404


async def test_a_decision_on_a_district_session_is_409(driver, launcher):
    [product] = ids("api", 1)
    await driver.enter(launcher.bootstrap_servers, DISTRICT, product)
    session = await driver.season("district", {product: 60}, district=DISTRICT, held_on="2021-03-24", round_=9)
    response = await driver.client.post(f"/sessions/{session['session_id']}/decision",
                                        json={"number": "1/QĐ-UBND", "date": "2021-03-30", "issued_by": "UBND tỉnh"},
                                        headers=driver.office("provincial", None))
    refused = detail(response, 409)
    assert (refused["error"], refused["field"]) == ("not_allowed", "level") and "certifies nothing" in refused["message"]
    assert (await driver.get(f"/sessions/{session['session_id']}"))["decision"] is None


async def test_a_product_already_on_another_open_session_is_409(driver, launcher):
    [product] = ids("api", 1)
    await driver.enter(launcher.bootstrap_servers, DISTRICT, product)
    council = await driver.council("district", DISTRICT)
    first = await driver.open_session(council, [product], held_on="2021-03-25", round_=10)
    headers = driver.secretary("district", DISTRICT)
    body = {"session_id": f"S-2021-{product[-10:]}", "council_id": council["council_id"], "cycle_year": 2021,
            "round": 11, "title": "Phiên khác", "held_on": "2021-03-26", "product_ids": [product]}

    refused = detail(await driver.client.post("/sessions", json=body, headers=headers), 409)
    assert refused["field"] == "product_ids" and product in refused["message"] and first["session_id"] in refused["message"]
    assert (await driver.client.get(f"/sessions/{body['session_id']}", headers=headers)).status_code == 404

    empty = await driver.client.post("/sessions", json={**body, "product_ids": []}, headers=headers)
    assert empty.status_code == 201, empty.text
    added = await driver.client.post(f"/sessions/{body['session_id']}/products", json={"product_ids": [product]},
                                     headers=headers)
    assert first["session_id"] in detail(added, 409)["message"]
    assert (await driver.get(f"/dossiers/{product}"))["session_id"] == first["session_id"]


async def test_a_decision_dated_in_the_future_or_before_its_session_is_422_naming_decision_date(driver, launcher):
    [product] = ids("api", 1)
    await driver.enter(launcher.bootstrap_servers, DISTRICT, product)
    await driver.season("district", {product: 66}, district=DISTRICT, held_on="2021-03-27", round_=12)
    session = await driver.season("provincial", {product: 66}, held_on="2021-05-12", round_=6)
    url = f"/sessions/{session['session_id']}/decision"
    for on, rule in (("2099-01-01", "never in the future"), ("2021-05-11", "before the session")):
        body = {"number": f"{product}/QĐ-UBND", "date": on, "issued_by": "UBND tỉnh Thanh Hóa"}
        refused = detail(await driver.client.post(url, json=body, headers=driver.office("provincial", None)), 422)
        assert (refused["error"], refused["field"]) == ("invalid_decision_date", "decision.date")
        assert rule in refused["message"] and on in refused["message"]
    assert (await driver.get(f"/sessions/{session['session_id']}"))["status"] == "finalised"
    assert (await driver.get(f"/dossiers/{product}"))["status"] == "in_session", "nothing of it was kept"


async def test_the_scoring_sheets_are_public_as_the_roles_document_says(driver):
    roles = (Path(__file__).resolve().parents[2] / "docs" / "ROLES.md").read_text(encoding="utf-8")
    assert "`GET /catalogue/sheets/{product_set}` là **công khai**, không cần token" in roles
    sheet = await driver.client.get("/catalogue/sheets/5")
    assert sheet.status_code == 200 and sheet.json()["entry"] == "set-05"
    as_producer = await driver.client.get("/catalogue/sheets/5", headers=driver.token(Role.producer, "p-1"))
    assert as_producer.status_code == 200
    unknown = await driver.client.get("/catalogue/sheets/27")
    assert detail(unknown, 422)["field"] == "product_set"
    assert (await driver.client.get("/dossiers")).status_code == 401, "the other reads still need a token"
