"""A product keeps its identity across cycles, over the running service (real PostgreSQL and broker): certified in
2021, registered again in 2023 under a new name with form 02, it is the same product on ProductRegistered, in its
history and in the producer's view; the refusals answer their codes and fields."""

from __future__ import annotations

import pytest

from shared.contracts import (
    PRODUCT_RATED_TOPIC,
    PRODUCT_REGISTERED_TOPIC,
    kafka_headers,
    kafka_key,
    new_envelope,
    parse_event,
    serialize_event,
)
from shared.rebuild import rebuild
from tests.kernel.support import produce
from tests.registration.support import YEN_DINH, Registered, eventually, keyed, product, run_id, topic_records

pytestmark = pytest.mark.asyncio(loop_scope="module")

FISH_SAUCE = 10  # product set: "Tương, nước mắm, gia vị dạng lỏng khác"


async def _rated(launcher, r: Registered, certificate_number: str) -> None:
    """Rating's word that the product was recognised 4★ in 2021, on the topic registration listens to."""
    rated = new_envelope("ProductRated", r.product_id, {
        "evaluation_id": f"EV-{run_id()}", "cycle_year": 2021, "level": "provincial", "average_score": 81.25,
        "stars": 4, "status": "recognized", "reason": None, "inspection_id": None,
        "decision": {"number": f"{run_id()}/QĐ-UBND", "date": "2021-12-20", "issued_by": "UBND tỉnh Thanh Hóa"},
        "certificate": {"number": certificate_number, "valid_from": "2021-12-20", "valid_until": "2024-12-19"},
    }, actor={"id": "hd-tinh", "role": "council_secretary"})
    await produce(launcher.bootstrap_servers, PRODUCT_RATED_TOPIC,
                  [(kafka_key(rated), serialize_event(rated), kafka_headers(rated))])


async def _certified_in_2021(api, launcher, name: str) -> tuple[Registered, str]:
    """A product registered with form 01, sent to the province and certified 4★ in 2021 (seen by registration)."""
    r = await api.selected(name, product_set=FISH_SAUCE, cycle_year=2021)
    sent = await api.send_list(r.district_code, [r.registration_id], cycle_year=2021)
    assert sent.status_code == 201, sent.text
    certificate = f"OCOP-TH-2021-{run_id()}"
    await _rated(launcher, r, certificate)

    async def shown():
        [view] = await api.products_of(r.producer_id)
        return view if view["stars"] == 4 else None

    await eventually(shown, timeout=60, what="the 2021 certificate in the producer's view")
    return r, certificate


async def _sent_again(api, r: Registered, name: str, existing_product: dict[str, str]) -> Registered:
    """Form 02 in 2023, naming the product, proposed, selected and sent to the province."""
    submitted = await api.submit(r.producer_id, product(name, FISH_SAUCE), cycle_year=2023, form="02",
                                 existing_product=existing_product)
    assert submitted.status_code == 201, submitted.text
    view = submitted.json()
    again = Registered(r.producer_id, view["registration_id"], view["product_id"], view["version"], r.district_code,
                       r.commune_code)
    again = await api._advance(again, await api.propose(again))
    again = await api._advance(again, await api.select(again))
    sent = await api.send_list(r.district_code, [again.registration_id], cycle_year=2023)
    assert sent.status_code == 201, sent.text
    assert sent.json()["product_ids"] == [r.product_id]
    return again


async def test_a_certified_product_renamed_in_2023_stays_one_product_with_its_2021_certificate(registration, launcher):
    api, run = registration, run_id()
    name, new_name = f"Nước mắm Cự Nham {run}", f"Nước mắm Cự Nham {run} loại 1"
    first, certificate = await _certified_in_2021(api, launcher, name)

    again = await _sent_again(api, first, new_name, {"product_id": first.product_id})

    assert again.product_id == first.product_id and again.registration_id != first.registration_id

    async def both_on_the_topic():
        records = keyed(await topic_records(launcher.bootstrap_servers, PRODUCT_REGISTERED_TOPIC), {first.product_id})
        return records if len(records) == 2 else None

    records = await eventually(both_on_the_topic, timeout=60, what="ProductRegistered of 2021 and 2023")
    events = sorted((parse_event(r.value) for r in records), key=lambda e: e.data.cycle_year)
    assert [(e.product_id, e.data.registration_id, e.data.cycle_year, e.data.product.name) for e in events] == [
        (first.product_id, first.registration_id, 2021, name), (first.product_id, again.registration_id, 2023, new_name)]

    response = await api.client.get(f"/products/{first.product_id}/history", headers=api.province())
    assert response.status_code == 200, response.text
    history = response.json()
    assert (history["product_id"], history["producer_id"], history["name"]) == (
        first.product_id, first.producer_id, new_name)
    assert history["former_names"] == [name]
    assert [(r["cycle_year"], r["form"], r["name"], r["status"]) for r in history["registrations"]] == [
        (2021, "01", name, "sent_to_province"), (2023, "02", new_name, "sent_to_province")]
    assert [h["event_type"] for h in history["history"]] == [
        "RegistrationFiled", "RatingRecorded", "ProductRenamed", "RegistrationFiled"]
    _, rating, renamed, _ = history["history"]
    assert renamed["data"] == {"old_name": name, "new_name": new_name, "cycle_year": 2023,
                               "registration_id": again.registration_id}
    assert renamed["actor"]["role"] == "producer"
    assert rating["data"]["certificate"] == {"number": certificate, "valid_from": "2021-12-20",
                                             "valid_until": "2024-12-19"}

    [view] = await api.products_of(first.producer_id)
    assert (view["product_id"], view["name"], view["product"]["name"]) == (first.product_id, new_name, new_name)
    assert (view["registration_id"], view["cycle_year"], view["form"]) == (again.registration_id, 2023, "02")
    assert (view["stars"], view["certificate"]["number"]) == (4, certificate)
    assert view["former_names"] == [name]
    assert [r["registration_id"] for r in view["registrations"]] == [first.registration_id, again.registration_id]


async def test_a_product_may_be_registered_again_by_its_certificate_number(registration, launcher):
    api = registration
    first, certificate = await _certified_in_2021(api, launcher, f"Nước mắm Cự Nham {run_id()}")

    again = await _sent_again(api, first, f"Nước mắm Cự Nham {run_id()} thượng hạng",
                              {"certificate_number": certificate})

    assert again.product_id == first.product_id
    [view] = await api.products_of(first.producer_id)
    assert len(view["registrations"]) == 2 and view["stars"] == 4


async def test_the_refusals_of_a_form_02_answer_their_codes(registration):
    api = registration
    mine = await api.submitted(f"Nước mắm Cự Nham {run_id()}", cycle_year=2021)
    other = await api.new_producer()

    async def form(producer_id: str, name: str, cycle_year: int, form_code: str, existing: dict | None):
        response = await api.submit(producer_id, product(name, FISH_SAUCE), cycle_year=cycle_year, form=form_code,
                                    existing_product=existing)
        return response.status_code, response.json()["detail"]["error"], response.json()["detail"]["field"]

    named = {"product_id": mine.product_id}
    assert await form(mine.producer_id, f"Mắm {run_id()}", 2023, "02", {"product_id": f"p-{run_id()}"}) == (
        404, "unknown_product", "existing_product.product_id")
    assert await form(other["producer_id"], f"Mắm {run_id()}", 2023, "02", named) == (
        409, "product_of_another_producer", "existing_product.product_id")
    assert await form(mine.producer_id, f"Mắm {run_id()}", 2021, "02", named) == (
        409, "duplicate_registration", "existing_product.product_id")
    registered_name = (await api.detail(mine.registration_id))["product"]["name"]
    assert await form(mine.producer_id, registered_name, 2023, "01", None) == (409, "not_a_new_product", "form")
    assert await form(mine.producer_id, f"Mắm {run_id()}", 2023, "02", None) == (
        422, "invalid_input", "existing_product")


async def test_the_openapi_document_names_the_refusals_of_a_form(registration):
    api = registration
    document = (await api.client.get("/openapi.json")).json()

    submit = document["paths"]["/registrations"]["post"]
    assert "unknown_product" in submit["responses"]["404"]["description"]
    assert {"product_of_another_producer", "not_a_new_product", "duplicate_registration"} <= set(
        word.strip("`.,():") for word in submit["responses"]["409"]["description"].split())
    assert "existing_product" in submit["responses"]["422"]["description"]
    assert "existing_product" in document["components"]["schemas"]["RegistrationBody"]["properties"]
    assert "/products/{product_id}/history" in document["paths"]


async def test_the_producers_view_and_the_history_of_a_renamed_product_are_rebuilt_as_they_were(registration, launcher):
    api = registration
    first, certificate = await _certified_in_2021(api, launcher, f"Nước mắm Cự Nham {run_id()}")
    await _sent_again(api, first, f"Nước mắm Cự Nham {run_id()} loại 1", {"product_id": first.product_id})

    async def read_models():
        history = await api.client.get(f"/products/{first.product_id}/history", headers=api.province())
        async with api.runtime.pool.acquire() as conn:
            certified = await conn.fetchval("SELECT product_id FROM product_certificates WHERE certificate_number = $1",
                                            certificate)
        return await api.products_of(first.producer_id), history.json(), certified

    before = await read_models()
    await rebuild(api.runtime.pool, api.runtime.projections, api.runtime.definition.events)

    assert await read_models() == before
    assert before[2] == first.product_id and len(before[0]) == 1
