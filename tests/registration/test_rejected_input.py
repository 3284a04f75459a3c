"""Every refused input answers with its status and names the field; and a refused command writes nothing at all."""

from __future__ import annotations

import json
import unicodedata
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.registration.support import (
    THANH_HOA_CITY,
    YEN_DINH,
    Registered,
    RegistrationClient,
    communes,
    product,
    run_id,
    written_state,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

LIMIT = 256 * 1024


@dataclass
class Subject:
    """A producer with one registration, brought to ``status``; ``name`` is its product's name."""

    api: RegistrationClient
    r: Registered
    name: str
    new_id: str  # a producer id nobody has: what a refused registration of a producer must not create

    def producer_body(self, **changes: Any) -> dict[str, Any]:
        body = {"producer_id": self.new_id, "name": f"HTX {self.new_id}", "legal_form": "household",
                "district_code": YEN_DINH, "commune_code": communes(YEN_DINH)[1]}
        body.update(changes)
        return {k: v for k, v in body.items() if v is not DROP}

    def registration_body(self, **changes: Any) -> dict[str, Any]:
        body = {"producer_id": self.r.producer_id, "cycle_year": 2021, "form": "01",
                "product": product(f"Nem chua {run_id()}", 8)}
        body.update(changes)
        return {k: v for k, v in body.items() if v is not DROP}

    def post_producer(self, **changes: Any) -> Awaitable[httpx.Response]:
        return self.api.client.post("/producers", json=self.producer_body(**changes), headers=self.api.district_officer())

    def post_registration(self, **changes: Any) -> Awaitable[httpx.Response]:
        return self.api.client.post("/registrations", json=self.registration_body(**changes),
                                    headers=self.api.producer(self.r.producer_id))

    def register_again(self, **changes: Any) -> Awaitable[httpx.Response]:
        """Form 02 of the subject's product in 2022, under a new name."""
        body = {"form": "02", "cycle_year": 2022, "existing_product": {"product_id": self.r.product_id}}
        return self.post_registration(**{**body, **changes})

    async def as_another_producer(self) -> httpx.Response:
        """Another producer's form 02 naming the subject's product."""
        other = await self.api.new_producer()
        return await self.api.submit(other["producer_id"], product(f"Nem chua {run_id()}", 8), cycle_year=2022,
                                     form="02", existing_product={"product_id": self.r.product_id})

    def with_product(self, **changes: Any) -> Awaitable[httpx.Response]:
        body = product(f"Nem chua {run_id()}", 8, "nem chua lá ổi")
        body.update(changes)
        return self.post_registration(product={k: v for k, v in body.items() if v is not DROP})

    def step(self, path: str, body: Any) -> Awaitable[httpx.Response]:
        return self.api.step(self.r.registration_id, path, body, self.api.district_officer())

    def raw(self, path: str, content: Any, **headers: str) -> Awaitable[httpx.Response]:
        return self.api.client.post(path, content=content,
                                    headers={**self.api.district_officer(), "content-type": "application/json", **headers})


DROP = object()
Case = Callable[[Subject], Awaitable[httpx.Response]]


def case(status: str, request: Case, code: int, field: str | None, *, id: str) -> Any:
    return pytest.param(status, request, code, field, id=id)


async def _streamed(size: int):
    chunk = b" " * 65536
    yield b'{"producer_id": "p-streamed", "name": "'
    for _ in range(size // len(chunk) + 1):
        yield chunk
    yield b'"}'


CASES = [
    # ---- registering a producer
    case("submitted", lambda s: s.post_producer(name=DROP), 422, "name", id="producer-missing-name"),
    case("submitted", lambda s: s.post_producer(district_code=DROP), 422, "district_code", id="producer-missing-district"),
    case("submitted", lambda s: s.post_producer(name=123), 422, "name", id="producer-name-not-text"),
    case("submitted", lambda s: s.post_producer(legal_form="company"), 422, "legal_form", id="producer-legal-form"),
    case("submitted", lambda s: s.post_producer(district_code="999"), 422, "district_code", id="producer-unknown-district"),
    case("submitted", lambda s: s.post_producer(district_code="39"), 422, "district_code", id="producer-malformed-district"),
    case("submitted", lambda s: s.post_producer(commune_code=communes(THANH_HOA_CITY)[0]), 422, "commune_code",
         id="producer-commune-not-in-district"),
    case("submitted", lambda s: s.post_producer(commune_code="99999"), 422, "commune_code", id="producer-unknown-commune"),
    case("submitted", lambda s: s.post_producer(website="https://htx.vn"), 422, "website", id="producer-unknown-field"),
    case("submitted", lambda s: s.post_producer(producer_id="HTX Tứ Trụ"), 422, "producer_id", id="producer-id-pattern"),
    case("submitted", lambda s: s.post_producer(producer_id=s.r.producer_id), 409, "producer_id", id="producer-duplicate-id"),
    # ---- submitting a registration
    case("submitted", lambda s: s.post_registration(product=DROP), 422, "product", id="registration-missing-product"),
    case("submitted", lambda s: s.post_registration(cycle_year=DROP), 422, "cycle_year", id="registration-missing-cycle"),
    case("submitted", lambda s: s.post_registration(cycle_year="abc"), 422, "cycle_year", id="registration-cycle-not-a-number"),
    case("submitted", lambda s: s.post_registration(cycle_year=2021.5), 422, "cycle_year", id="registration-cycle-fraction"),
    case("submitted", lambda s: s.post_registration(cycle_year=2017), 422, "cycle_year", id="registration-cycle-before-ocop"),
    case("submitted", lambda s: s.post_registration(form="03"), 422, "form", id="registration-form-03"),
    case("submitted", lambda s: s.post_registration(form=1), 422, "form", id="registration-form-not-text"),
    case("submitted", lambda s: s.post_registration(priority="high"), 422, "priority", id="registration-unknown-field"),
    case("submitted", lambda s: s.with_product(product_set=27), 422, "product.product_set", id="product-set-27"),
    case("submitted", lambda s: s.with_product(product_set=0), 422, "product.product_set", id="product-set-0"),
    case("submitted", lambda s: s.with_product(product_set="sáu"), 422, "product.product_set", id="product-set-not-a-number"),
    case("submitted", lambda s: s.with_product(sector="Đồ uống"), 422, "product.sector", id="product-sector-not-of-set"),
    case("submitted", lambda s: s.with_product(group="Gia vị"), 422, "product.group", id="product-group-not-of-set"),
    case("submitted", lambda s: s.with_product(name="   "), 422, "product.name", id="product-blank-name"),
    case("submitted", lambda s: s.with_product(name=DROP), 422, "product.name", id="product-missing-name"),
    case("submitted", lambda s: s.with_product(price=30000), 422, "product.price", id="product-unknown-field"),
    case("submitted", lambda s: s.post_registration(product=product(s.name, 6)), 409, "product.name",
         id="duplicate-same-name"),
    case("submitted", lambda s: s.post_registration(product=product(s.name.upper(), 6)), 409, "product.name",
         id="duplicate-other-case"),
    case("submitted", lambda s: s.post_registration(product=product("  " + s.name.replace(" ", "   ") + " ", 6)), 409,
         "product.name", id="duplicate-other-spacing"),
    case("submitted", lambda s: s.post_registration(product=product(unicodedata.normalize("NFD", s.name), 6)), 409,
         "product.name", id="duplicate-decomposed-accents"),
    case("submitted", lambda s: s.post_registration(producer_id=f"p-{run_id()}"), 404, None, id="registration-unknown-producer"),
    # ---- which product a form registers (form 02 names a product registered before; it keeps its id)
    case("submitted", lambda s: s.register_again(existing_product=DROP), 422, "existing_product",
         id="form-02-without-its-product"),
    case("submitted", lambda s: s.register_again(form="01"), 422, "existing_product", id="form-01-naming-a-product"),
    case("submitted", lambda s: s.register_again(existing_product={}), 422, "existing_product",
         id="form-02-naming-neither-id-nor-certificate"),
    case("submitted", lambda s: s.register_again(existing_product={"product_id": s.r.product_id,
                                                                   "certificate_number": "OCOP-TH-2021-001"}),
         422, "existing_product", id="form-02-naming-both"),
    case("submitted", lambda s: s.register_again(existing_product={"product_id": ""}), 422,
         "existing_product.product_id", id="form-02-empty-product-id"),
    case("submitted", lambda s: s.register_again(existing_product={"product_id": s.r.product_id, "name": "x"}), 422,
         "existing_product.name", id="form-02-unknown-field"),
    case("submitted", lambda s: s.register_again(existing_product={"product_id": f"p-{uuid.uuid4()}"}), 404,
         "existing_product.product_id", id="form-02-unknown-product"),
    case("submitted", lambda s: s.register_again(existing_product={"product_id": s.r.registration_id}), 404,
         "existing_product.product_id", id="form-02-naming-a-registration-id"),
    case("submitted", lambda s: s.register_again(existing_product={"certificate_number": f"OCOP-TH-{run_id()}"}), 404,
         "existing_product.certificate_number", id="form-02-unknown-certificate"),
    case("submitted", lambda s: s.as_another_producer(), 409, "existing_product.product_id",
         id="form-02-naming-another-producers-product"),
    case("submitted", lambda s: s.register_again(cycle_year=2021), 409, "existing_product.product_id",
         id="form-02-twice-in-a-cycle"),
    case("submitted", lambda s: s.register_again(cycle_year=2020), 409, "cycle_year",
         id="form-02-before-the-products-last-cycle"),
    case("submitted", lambda s: s.post_registration(cycle_year=2022, product=product(s.name.upper(), 6)), 409, "form",
         id="form-01-for-a-product-registered-before"),
    case("submitted", lambda s: s.api.client.post("/registrations", json=[s.registration_body()],
                                                  headers=s.api.producer(s.r.producer_id)), 422, "body",
         id="registration-body-not-an-object"),
    # ---- review steps
    case("proposed", lambda s: s.step("return", {"reasons": []}), 422, "reasons", id="return-no-reason"),
    case("proposed", lambda s: s.step("return", {"reasons": [""]}), 422, "reasons.0", id="return-empty-reason"),
    case("proposed", lambda s: s.step("return", {"reasons": ["thiếu nhãn", "   "]}), 422, "reasons.1", id="return-blank-reason"),
    case("proposed", lambda s: s.step("return", {}), 422, "reasons", id="return-missing-reasons"),
    case("proposed", lambda s: s.step("return", {"reasons": "thiếu nhãn"}), 422, "reasons", id="return-reasons-not-a-list"),
    case("proposed", lambda s: s.step("rejection", {"reason": ""}), 422, "reason", id="reject-empty-reason"),
    case("proposed", lambda s: s.step("rejection", {"reason": "   "}), 422, "reason", id="reject-blank-reason"),
    case("proposed", lambda s: s.step("selection", {"note": "x" * 2001}), 422, "note", id="select-note-too-long"),
    case("proposed", lambda s: s.step("selection", {"expected_version": 0}), 422, "expected_version",
         id="select-expected-version-0"),
    case("submitted", lambda s: s.step("selection", {}), 409, "status", id="select-a-submitted-one"),
    case("submitted", lambda s: s.step("rejection", {"reason": "không khả thi"}), 409, "status", id="reject-a-submitted-one"),
    case("submitted", lambda s: s.step("return", {"reasons": ["thiếu nhãn"]}), 409, "status", id="return-a-submitted-one"),
    case("selected", lambda s: s.step("rejection", {"reason": "không khả thi"}), 409, "status", id="reject-a-selected-one"),
    case("selected", lambda s: s.step("selection", {}), 409, "status", id="select-a-selected-one"),
    case("proposed", lambda s: s.step("commune-proposal", {}), 409, "status", id="propose-twice"),
    case("proposed", lambda s: s.api.resubmit(s.r, product(s.name, 6)), 409, "status", id="resubmit-a-proposed-one"),
    case("returned", lambda s: s.api.resubmit(s.r, product(f"Bánh gio {run_id()}", 6)), 409, "product.name",
         id="resubmit-another-product"),
    case("returned", lambda s: s.api.resubmit(s.r, product(s.name, 27)), 422, "product.product_set",
         id="resubmit-product-set-27"),
    case("proposed", lambda s: s.api.send_list(YEN_DINH, [s.r.registration_id]), 409, "status", id="send-a-proposed-one"),
    case("selected", lambda s: s.api.send_list(THANH_HOA_CITY, [s.r.registration_id]), 409, "registration_ids",
         id="send-on-the-list-of-another-district"),
    case("selected", lambda s: s.api.send_list(YEN_DINH, [s.r.registration_id], cycle_year=2022), 409, "registration_ids",
         id="send-on-the-list-of-another-cycle"),
    case("selected", lambda s: s.api.send_list("999", [s.r.registration_id], headers=s.api.province()), 403, "authorization",
         id="send-list-as-the-province"),
    case("selected", lambda s: s.api.send_list("999", [s.r.registration_id], headers=s.api.district_officer("999")), 422,
         "district_code", id="send-list-of-an-unknown-district"),
    case("selected", lambda s: s.api.send_list("384", [], cycle_year=2100, headers=s.api.district_officer("384")), 409,
         "registration_ids", id="send-an-empty-list"),
    case("selected", lambda s: s.api.client.post(f"/districts/{YEN_DINH}/lists", json={"cycle_year": "abc"},
                                                 headers=s.api.district_officer()), 422, "cycle_year",
         id="send-list-cycle-not-a-number"),
    case("proposed", lambda s: s.api.step(f"r-{uuid.uuid4()}", "selection", {}, s.api.district_officer()), 404, None,
         id="select-an-unknown-registration"),
    # ---- the body itself
    case("submitted", lambda s: s.post_producer(name="Hợp tác xã " * (LIMIT // 10)), 413, "body", id="oversized-body"),
    case("submitted", lambda s: s.raw("/producers", _streamed(LIMIT)), 413, "body", id="oversized-streamed-body"),
    case("submitted", lambda s: s.raw("/producers", b'{"producer_id": "p-1", "name": '), 422, "body", id="malformed-json"),
    case("proposed", lambda s: s.raw(f"/registrations/{s.r.registration_id}/selection", b"{note: 'x'}"), 422, "body",
         id="malformed-json-on-a-step"),
    # ---- queries
    case("submitted", lambda s: s.api.client.get("/registrations", params={"status": "foo"}, headers=s.api.province()),
         422, "status", id="query-unknown-status"),
    case("submitted", lambda s: s.api.client.get("/registrations", params={"district_code": "999"}, headers=s.api.province()),
         422, "district_code", id="query-unknown-district"),
    case("submitted", lambda s: s.api.client.get("/registrations", params={"cycle_year": "abc"}, headers=s.api.province()),
         422, "cycle_year", id="query-cycle-not-a-number"),
    case("submitted", lambda s: s.api.client.get("/registrations", params={"limit": 0}, headers=s.api.province()),
         422, "limit", id="query-limit-0"),
    case("submitted", lambda s: s.api.client.get("/registrations", params={"q": "a" * 201}, headers=s.api.province()),
         422, "q", id="query-too-long"),
    case("submitted", lambda s: s.api.client.get(f"/registrations/r-{uuid.uuid4()}", headers=s.api.province()), 404, None,
         id="get-an-unknown-registration"),
    case("submitted", lambda s: s.api.client.get(f"/producers/p-{run_id()}/products", headers=s.api.province()), 404, None,
         id="get-products-of-an-unknown-producer"),
    case("submitted", lambda s: s.api.client.get("/reference/districts/999/communes"), 422, "district_code",
         id="communes-of-an-unknown-district"),
]


def fields_named(body: dict[str, Any]) -> set[str]:
    detail = body["detail"]
    return {detail.get("field")} | {e["field"] for e in detail.get("errors", [])}


@pytest.mark.parametrize(("status", "request_", "code", "field"), CASES)
async def test_a_refused_input_names_its_field_and_writes_nothing(registration, status, request_, code, field):
    api = registration
    name = f"Bánh gai Tứ Trụ {run_id()}"
    r = await {"submitted": api.submitted, "proposed": api.proposed, "returned": api.returned,
               "selected": api.selected}[status](name)
    subject = Subject(api, r, name, f"p-{run_id()}")
    async with api.runtime.pool.acquire() as conn:
        before = await written_state(conn, r.registration_id, r.producer_id, r.product_id, subject.new_id)

    response = await request_(subject)

    assert response.status_code == code, response.text
    body = response.json()
    assert isinstance(body["detail"]["message"], str) and body["detail"]["message"]
    if field is not None:
        assert field in fields_named(body), body
    async with api.runtime.pool.acquire() as conn:
        after = await written_state(conn, r.registration_id, r.producer_id, r.product_id, subject.new_id)
    assert after == before


async def test_a_stale_expected_version_is_a_conflict_and_writes_nothing(registration):
    api = registration
    r = await api.proposed()
    async with api.runtime.pool.acquire() as conn:
        before = await written_state(conn, r.registration_id, r.producer_id)

    stale = await api.select(r, expected_version=1)

    assert stale.status_code == 409
    assert stale.json()["detail"]["error"] == "conflict" and stale.json()["detail"]["stream_id"] == r.registration_id
    async with api.runtime.pool.acquire() as conn:
        assert await written_state(conn, r.registration_id, r.producer_id) == before


async def test_a_producer_id_already_used_by_another_record_is_refused_as_taken(registration):
    """Producer ids are typed by staff; one equal to a registration's id must not be read as that registration."""
    api = registration
    r = await api.submitted()
    async with api.runtime.pool.acquire() as conn:
        before = await written_state(conn, r.registration_id, r.producer_id)

    taken = await api.register_producer(r.registration_id)

    assert taken.status_code == 409, taken.text
    assert taken.json()["detail"]["field"] == "producer_id"
    async with api.runtime.pool.acquire() as conn:
        assert await written_state(conn, r.registration_id, r.producer_id) == before


async def test_the_error_body_is_json_with_the_rule_in_words(registration):
    api = registration
    response = await api.client.post("/producers", content=json.dumps({"producer_id": "x"}),
                                     headers={**api.district_officer(), "content-type": "application/json"})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail["error"] == "invalid_request"
    assert {"name", "legal_form", "district_code", "commune_code"} <= {e["field"] for e in detail["errors"]}
    assert all(e["rule"] for e in detail["errors"])
