"""The registration API over a running service (real PostgreSQL and broker): the whole flow, and who may do what."""

from __future__ import annotations

import random

import pytest

from tests.registration.support import (
    THANH_HOA_CITY,
    YEN_DINH,
    communes,
    product,
    run_id,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_a_product_goes_from_registration_through_review_onto_the_district_list(registration):
    api, run = registration, run_id()
    commune = communes(YEN_DINH)[3]
    producer = await api.new_producer(name=f"HTX Bánh gai Yên Định {run}", district=YEN_DINH, commune=commune)
    assert producer["district_code"] == YEN_DINH and producer["commune_code"] == commune and producer["version"] == 1
    name = f"Bánh gai Tứ Trụ {run}"

    submitted = await api.submit(producer["producer_id"], product(name, 6, "bánh gai nhân đậu xanh"))
    assert submitted.status_code == 201, submitted.text
    r = submitted.json()
    assert (r["status"], r["version"], r["district_code"], r["commune_code"]) == ("submitted", 1, YEN_DINH, commune)
    assert r["product"]["sector"] == "Thực phẩm" and r["product"]["group"] == "Thực phẩm chế biến"
    registration_id, product_id = r["registration_id"], r["product_id"]
    producer_id = producer["producer_id"]

    async def step(path, body, headers):
        response = await api.client.post(f"/registrations/{registration_id}/{path}", json=body, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()

    proposed = await step("commune-proposal", {"note": "UBND xã đề xuất", "expected_version": 1},
                          api.commune_officer(YEN_DINH, commune))
    returned = await step("return", {"reasons": ["thiếu phiếu kiểm nghiệm", "thiếu nhãn mác"], "expected_version": 2},
                          api.district_officer(YEN_DINH))
    resubmitted = await step("resubmission", {"product": product(name, 6, "đã có phiếu kiểm nghiệm và nhãn mác"),
                                              "note": "đã bổ sung", "expected_version": 3}, api.producer(producer_id))
    selected = await step("selection", {"note": "khả thi", "expected_version": 4}, api.district_officer(YEN_DINH))
    assert [(v["status"], v["version"]) for v in (proposed, returned, resubmitted, selected)] == [
        ("proposed", 2), ("returned", 3), ("proposed", 4), ("selected", 5)]

    sent = await api.send_list(YEN_DINH, [registration_id])
    assert sent.status_code == 201, sent.text
    district_list = sent.json()
    assert district_list["product_ids"] == [product_id] and district_list["registration_ids"] == [registration_id]
    assert (district_list["district_code"], district_list["cycle_year"]) == (YEN_DINH, 2021) and district_list["list_id"]

    detail = await api.detail(registration_id)
    assert detail["status"] == "sent_to_province" and detail["version"] == 6
    assert detail["list_id"] == district_list["list_id"]
    assert detail["return_reasons"] == ["thiếu phiếu kiểm nghiệm", "thiếu nhãn mác"]
    assert detail["product"]["description"] == "đã có phiếu kiểm nghiệm và nhãn mác"
    assert [(h["version"], h["event_type"]) for h in detail["history"]] == [
        (1, "RegistrationSubmitted"), (2, "RegistrationProposedByCommune"), (3, "RegistrationReturned"),
        (4, "RegistrationResubmitted"), (5, "RegistrationSelected"), (6, "RegistrationSentToProvince")]
    assert [h["actor"]["role"] for h in detail["history"]] == [
        "producer", "commune_officer", "district_officer", "producer", "district_officer", "district_officer"]
    assert detail["history"][2]["data"] == {"reasons": ["thiếu phiếu kiểm nghiệm", "thiếu nhãn mác"]}

    [mine] = await api.products_of(producer_id)
    assert (mine["registration_id"], mine["status"], mine["stars"]) == (registration_id, "sent_to_province", None)
    found = await api.search(producer_id=producer_id)
    assert found["total"] == 1 and found["items"][0]["status"] == "sent_to_province"


async def test_a_rejected_registration_keeps_its_reason(registration):
    api = registration
    r = await api.proposed()
    rejected = await api.reject(r, "không có vùng nguyên liệu ổn định")

    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    detail = await api.detail(r.registration_id)
    assert (detail["status"], detail["rejection_reason"]) == ("rejected", "không có vùng nguyên liệu ổn định")


async def test_the_summary_counts_registrations_by_district_and_status(registration):
    api = registration
    year = random.randint(2030, 2099)

    async def counts():
        response = await api.client.get("/summary", params={"cycle_year": year}, headers=api.province())
        assert response.status_code == 200, response.text
        return {(row["district_code"], row["status"]): row["count"] for row in response.json()}

    before = await counts()
    await api.submitted(cycle_year=year)
    await api.submitted(cycle_year=year)
    await api.proposed(cycle_year=year)
    await api.selected(cycle_year=year)
    await api.submitted(cycle_year=year, district=THANH_HOA_CITY)
    after = await counts()

    changed = {key: after[key] - before.get(key, 0) for key in after if after[key] != before.get(key, 0)}
    assert changed == {(YEN_DINH, "submitted"): 2, (YEN_DINH, "proposed"): 1, (YEN_DINH, "selected"): 1,
                       (THANH_HOA_CITY, "submitted"): 1}


# ------------------------------------------------------------------------------------------- who may do what


async def test_a_district_officer_cannot_select_a_registration_of_another_district(registration):
    api = registration
    r = await api.proposed(district=YEN_DINH)

    refused = await api.select(r, headers=api.district_officer(THANH_HOA_CITY))

    assert refused.status_code == 403
    detail = refused.json()["detail"]
    assert detail["field"] == "district" and YEN_DINH in detail["message"] and THANH_HOA_CITY in detail["message"]
    assert (await api.detail(r.registration_id))["status"] == "proposed"


async def test_a_district_officer_cannot_send_the_list_of_another_district(registration):
    api = registration
    r = await api.selected(district=YEN_DINH)

    refused = await api.send_list(YEN_DINH, [r.registration_id], headers=api.district_officer(THANH_HOA_CITY))

    assert refused.status_code == 403 and refused.json()["detail"]["field"] == "district"
    assert YEN_DINH in refused.json()["detail"]["message"]
    assert (await api.detail(r.registration_id))["status"] == "selected"


async def test_a_commune_officer_cannot_propose_a_registration_of_another_commune(registration):
    api = registration
    home, other = communes(YEN_DINH)[:2]
    r = await api.submitted(district=YEN_DINH, commune=home)

    refused = await api.propose(r, headers=api.commune_officer(YEN_DINH, other))
    allowed = await api.propose(r, headers=api.commune_officer(YEN_DINH, home))

    assert refused.status_code == 403
    assert refused.json()["detail"]["field"] == "commune" and home in refused.json()["detail"]["message"]
    assert allowed.status_code == 200 and allowed.json()["status"] == "proposed"


async def test_a_commune_officer_cannot_submit_for_a_producer_of_another_commune(registration):
    api = registration
    home, other = communes(YEN_DINH)[:2]
    producer = await api.new_producer(district=YEN_DINH, commune=home)

    refused = await api.submit(producer["producer_id"], product(f"Chè lam {run_id()}"),
                               headers=api.commune_officer(YEN_DINH, other))

    assert refused.status_code == 403 and refused.json()["detail"]["field"] == "commune"
    assert (await api.search(producer_id=producer["producer_id"]))["total"] == 0


async def test_a_commune_officer_cannot_register_a_producer_of_another_commune(registration):
    """Commune staff act for producers of their own commune (as when submitting or proposing)."""
    api = registration
    home, other = communes(YEN_DINH)[:2]
    producer_id = f"p-{run_id()}"

    refused = await api.register_producer(producer_id, district=YEN_DINH, commune=other,
                                          headers=api.commune_officer(YEN_DINH, home))

    assert refused.status_code == 403, refused.text
    assert refused.json()["detail"]["field"] == "commune"


async def test_a_producer_cannot_act_for_another_producer(registration):
    api = registration
    r = await api.returned()
    intruder = await api.new_producer()
    intruder_token = api.producer(intruder["producer_id"])

    submit = await api.submit(r.producer_id, product(f"Nem chua {run_id()}", 8), headers=intruder_token)
    resubmit = await api.resubmit(r, product("Bánh gai", 6), headers=intruder_token)

    for refused in (submit, resubmit):
        assert refused.status_code == 403, refused.text
        detail = refused.json()["detail"]
        assert detail["field"] == "producer_id" and r.producer_id in detail["message"]
    assert (await api.detail(r.registration_id))["version"] == r.version


async def test_a_producer_cannot_review_registrations(registration):
    api = registration
    r = await api.proposed()

    refused = await api.select(r, headers=api.producer(r.producer_id))

    assert refused.status_code == 403 and refused.json()["detail"]["error"] == "role_not_allowed"
    assert (await api.detail(r.registration_id))["status"] == "proposed"


async def test_a_request_without_a_token_is_unauthorised(registration):
    api = registration
    r = await api.proposed()

    responses = [
        await api.client.post("/registrations/" + r.registration_id + "/selection", json={}),
        await api.client.post("/registrations", json={"producer_id": r.producer_id, "cycle_year": 2021, "form": "01",
                                                      "product": product("Bánh gai", 6)}),
        await api.client.get("/registrations/" + r.registration_id),
        await api.client.get("/registrations", params={"producer_id": r.producer_id}),
    ]

    assert [x.status_code for x in responses] == [401, 401, 401, 401]
    assert all(x.json()["detail"]["field"] == "authorization" for x in responses)
    assert responses[0].headers["www-authenticate"].startswith("Bearer")
    assert (await api.detail(r.registration_id))["status"] == "proposed"
