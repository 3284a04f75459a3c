"""Decisions as records (quyết định): one command per decision whatever it covers, all or nothing, its number unique
per issuing body and year, and queryable by number, year, kind and product. Over the real broker and PostgreSQL."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from shared.contracts.roles import Role
from tests.rating.flow import RatingDriver, ids, inspection_failed, rated, send_inspections

pytestmark = pytest.mark.asyncio(loop_scope="module")
DISTRICT = "402"
SIGNER = "UBND tỉnh Thanh Hóa"


class Decisions(RatingDriver):
    async def post(self, body: dict[str, Any], role: Role = Role.provincial_office) -> Any:
        return await self.client.post("/decisions", json=body, headers=self.token(role, "office"))

    async def under_review(self, bootstrap: str, products: dict[str, Any], inspected_on: str = "2021-07-01"
                           ) -> dict[str, str]:
        """An InspectionFailed for each certified product; the inspection ids once rating has them under review."""
        failed = {p: inspection_failed(p, rating.certificate.number, inspected_on=inspected_on)
                  for p, rating in products.items()}
        await send_inspections(bootstrap, *failed.values())
        for product, envelope in failed.items():
            await self.dossier_when(product, lambda d, i=envelope.data.inspection_id: d["under_review_inspection"] == i)
        return {p: e.data.inspection_id for p, e in failed.items()}


DRIVER = Decisions


def number(kind: str = "QĐ-UBND") -> str:
    return f"{uuid.uuid4().hex[:6]}/{kind}"


def revocation(no: str, on: str, inspections: dict[str, str], reason: str = "Vi phạm quy chế quản lý") -> dict:
    return {"kind": "revocation", "number": no, "date": on, "issued_by": SIGNER,
            "products": [{"product_id": p, "inspection_id": i, "reason": reason} for p, i in inspections.items()]}


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json()["detail"]


async def test_one_decision_revokes_five_products_in_one_call_and_answers_what_it_revoked(driver, launcher):
    products = ids("dc", 5)
    certified = await driver.certify(launcher.bootstrap_servers, DISTRICT, {p: 60 + n for n, p in enumerate(products)},
                                     district_on="2021-03-02", province_on="2021-04-02", decided_on="2021-04-07")
    inspections = await driver.under_review(launcher.bootstrap_servers, certified)
    no = number()

    response = await driver.post(revocation(no, "2021-11-18", inspections))
    assert response.status_code == 201, response.text
    made = response.json()
    assert (made["number"], made["year"], made["body"], made["kind"], made["issued_by"]) == (
        no, 2021, "province", "revocation", SIGNER)
    assert [(e["product_id"], e["outcome"], e["stars"], e["certificate_number"], e["inspection_id"])
            for e in made["entries"]] == [(p, "revoked", 0, certified[p].certificate.number, inspections[p])
                                          for p in products]
    for product in products:
        out = (await rated(launcher.bootstrap_servers, product, 3))[2].data
        assert (out.status, out.decision.number, str(out.decision.date)) == ("revoked", no, "2021-11-18")

    found = await driver.get(f"/decisions/{no}")
    assert (found["kind"], found["date"], found["products"]) == ("revocation", "2021-11-18", 5)
    assert [(e["product_id"], e["outcome"], e["district_code"]) for e in found["entries"]] == [
        (p, "revoked", DISTRICT) for p in products]
    assert {e["product_name"] for e in found["entries"]} == {f"Nem chua {p[:8]}" for p in products}
    listed = await driver.get("/decisions", year=2021, kind="revocation", limit=500)
    assert no in {d["number"] for d in listed["items"]}
    of_product = await driver.get("/decisions", product_id=products[2])
    assert [(d["kind"], d["number"]) for d in of_product["items"]][-1] == ("revocation", no)
    assert of_product["items"][0]["kind"] == "recognition", "the round decision that certified it is a record too"

    # A district's view: the decisions and the upper sessions that touched its products, each with how many.
    of_district = await driver.get("/decisions", year=2021, kind="revocation", district_code=DISTRICT, limit=500)
    assert {d["number"]: d["district_products"] for d in of_district["items"]}[no] == 5
    assert of_district["total"] == len(of_district["items"]) and all(d["district_products"] for d in of_district["items"])
    elsewhere = await driver.get("/decisions", year=2021, district_code="001", limit=500)
    assert elsewhere == {"total": 0, "items": []}
    history = await driver.get(f"/products/{products[0]}/rating-history")
    [provincial] = {a["session_id"] for a in history["attempts"] if a["level"] == "provincial"}
    examined = await driver.get("/sessions", level="provincial", examined_district=DISTRICT, limit=500)
    assert {s["session_id"]: s["examined_in_district"] for s in examined["items"]}[provincial] == 5
    assert all(s["examined_in_district"] for s in examined["items"])
    assert (await driver.get("/sessions", examined_district="001"))["total"] == 0


async def test_a_decision_refused_on_one_product_records_nothing_for_any(driver, launcher):
    revoked, clean = ids("dc", 2)
    certified = await driver.certify(launcher.bootstrap_servers, DISTRICT, {revoked: 70, clean: 72},
                                     district_on="2021-03-03", province_on="2021-04-03", decided_on="2021-04-08")
    inspections = await driver.under_review(launcher.bootstrap_servers, {revoked: certified[revoked]})
    no = number()

    refused = problem(await driver.post(revocation(no, "2021-11-20", {**inspections, clean: "insp-none"})), 409)
    assert refused["field"] == "inspection_id" and clean in refused["message"]
    assert (await driver.get(f"/dossiers/{revoked}"))["status"] == "under_review", "nothing of the decision was kept"
    missing = await driver.client.get(f"/decisions/{no}", headers=driver.token(Role.provincial_office))
    assert missing.status_code == 404

    assert (await driver.post(revocation(no, "2021-11-20", inspections))).status_code == 201, "its number is free"
    assert (await driver.get(f"/dossiers/{revoked}"))["status"] == "revoked"


async def test_a_number_is_unique_per_issuing_body_and_year_whatever_the_kind(driver, launcher):
    [product] = ids("dc", 1)
    round_no = number()
    certified = await driver.certify(launcher.bootstrap_servers, DISTRICT, {product: 66}, number=round_no,
                                     district_on="2021-03-04", province_on="2021-04-04", decided_on="2021-04-09")
    inspections = await driver.under_review(launcher.bootstrap_servers, certified, inspected_on="2021-12-20")

    reused = problem(await driver.post(revocation(round_no, "2021-12-28", inspections)), 409)
    assert reused["field"] == "number" and round_no in reused["message"]
    next_year = await driver.post(revocation(round_no, "2022-01-05", inspections))
    assert next_year.status_code == 201, next_year.text

    ambiguous = problem(await driver.client.get(f"/decisions/{round_no}", headers=driver.token(Role.inspector)), 409)
    assert ambiguous["error"] == "ambiguous" and ambiguous["field"] == "year" and "2021 (province)" in ambiguous["message"]
    assert (await driver.get(f"/decisions/{round_no}", year=2022))["kind"] == "revocation"
    first = await driver.get(f"/decisions/{round_no}", year=2021)
    assert (first["kind"], first["date"], [e["outcome"] for e in first["entries"]]) == (
        "recognition", "2021-04-09", ["recognized"])
    assert first["entries"][0]["issued"] is True


async def test_a_recognition_is_recorded_by_the_same_command_and_lists_every_outcome_of_the_round(driver, launcher):
    three, five, weak = ids("dc", 3)
    await driver.enter(launcher.bootstrap_servers, DISTRICT, three, five, weak)
    await driver.season("district", {three: 62, five: 93, weak: 55}, district=DISTRICT, held_on="2021-05-02")
    session = await driver.season("provincial", {three: 62, five: 93, weak: 45}, held_on="2021-06-02")
    no = number()
    body = {"kind": "recognition", "number": no, "date": "2021-06-10", "issued_by": SIGNER,
            "session_id": session["session_id"]}
    made = await driver.post(body)
    assert made.status_code == 201, made.text
    assert made.json()["certificates_issued"] == 1 and made.json()["session_id"] == session["session_id"]
    outcomes = {e["product_id"]: (e["outcome"], e["stars"], e["issued"]) for e in made.json()["entries"]}
    assert outcomes == {three: ("recognized", 3, True), five: ("proposed", 4, False),
                        weak: ("not_recognized", 2, False)}
    assert (await driver.get(f"/sessions/{session['session_id']}"))["decision"]["number"] == no
    assert (await rated(launcher.bootstrap_servers, three, 2))[1].data.certificate.number == f"{no}#2021-001"
    again = problem(await driver.post(body), 409)
    assert again["field"] == "number"


async def test_decision_dates_bodies_and_roles_are_checked_before_anything_is_recorded(driver, launcher):
    [product] = ids("dc", 1)
    certified = await driver.certify(launcher.bootstrap_servers, DISTRICT, {product: 68},
                                     district_on="2021-03-05", province_on="2021-04-05", decided_on="2021-04-10")
    inspections = await driver.under_review(launcher.bootstrap_servers, certified, inspected_on="2021-08-01")
    for on, rule in (("2021-04-09", f"before the issue of certificate {certified[product].certificate.number}"),
                     ("2021-07-31", "before inspection"), ("2099-01-01", "never in the future")):
        refused = problem(await driver.post(revocation(number(), on, inspections)), 422)
        assert (refused["error"], refused["field"]) == ("invalid_decision_date", "decision.date")
        assert rule in refused["message"]

    recognition = {"kind": "recognition", "number": number(), "date": "2021-09-01", "issued_by": SIGNER}
    assert problem(await driver.post(recognition), 422)["field"] == "session_id"
    nothing = {**revocation(number(), "2021-09-01", {}), "products": []}
    assert problem(await driver.post(nothing), 422)["field"] == "products"
    twice = revocation(number(), "2021-09-01", inspections)
    twice["products"] *= 2
    refused = problem(await driver.post(twice), 409)  # each product once: a rule the document cannot state
    assert (refused["error"], refused["field"]) == ("duplicate", "products")
    by_centre = await driver.post(revocation(number(), "2021-09-01", inspections), role=Role.central_office)
    assert problem(by_centre, 403)["error"] == "role_not_allowed"
    assert (await driver.get(f"/dossiers/{product}"))["status"] == "under_review"

    ordered = await driver.post({**revocation(number(), "2021-09-01", inspections), "kind": "re_rating"})
    assert ordered.status_code == 201, ordered.text
    assert [(e["outcome"], e["stars"]) for e in ordered.json()["entries"]] == [("re_rating_ordered", 3)]
    assert (await driver.get(f"/dossiers/{product}"))["status"] == "re_rating_ordered"
