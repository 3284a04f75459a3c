"""Registration on the real broker: ProductRegistered as the contract says, races on one registration, and what
comes back from rating and monitoring counted once however often it is delivered."""

from __future__ import annotations

import asyncio
import json
import uuid

import jsonschema
import pytest

from ocop.launcher import ROOT
from shared.contracts import (
    INSPECTION_FAILED_TOPIC,
    PRODUCT_RATED_TOPIC,
    PRODUCT_REGISTERED_TOPIC,
    kafka_headers,
    kafka_key,
    new_envelope,
    parse_event,
    serialize_event,
)
from tests.kernel.support import produce
from tests.registration.support import (
    YEN_DINH,
    eventually,
    header,
    keyed,
    product,
    run_id,
    stream_history,
    topic_records,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

SCHEMA = json.loads((ROOT / "shared" / "contracts" / "schemas" / "ProductRegistered.v1.json").read_text(encoding="utf-8"))


async def test_each_product_of_a_sent_list_is_registered_once_on_the_topic_as_the_contract_says(registration, launcher):
    api, run = registration, run_id()
    producer = await api.new_producer(name=f"HTX Nông nghiệp Định Liên {run}", district=YEN_DINH)
    chosen = [await api.selected(f"{name} {run}", producer_id=producer["producer_id"], district=YEN_DINH,
                                 commune=producer["commune_code"], product_set=number)
              for name, number in (("Bánh gai Tứ Trụ", 6), ("Nem chua Yên Định", 8), ("Rượu nếp cái hoa vàng", 15))]
    trace_id = uuid.uuid4().hex
    headers = api.district_officer(YEN_DINH) | {"traceparent": f"00-{trace_id}-{uuid.uuid4().hex[:16]}-01"}

    sent = await api.send_list(YEN_DINH, [r.registration_id for r in chosen], headers=headers)

    assert sent.status_code == 201, sent.text
    product_ids = {r.product_id for r in chosen}
    assert set(sent.json()["product_ids"]) == product_ids

    async def on_the_topic():
        records = keyed(await topic_records(launcher.bootstrap_servers, PRODUCT_REGISTERED_TOPIC), product_ids)
        return records if {r.key.decode() for r in records} == product_ids else None

    async def published():
        async with api.runtime.pool.acquire() as conn:
            return await conn.fetchval("SELECT count(*) FILTER (WHERE published_at IS NOT NULL) = $2 AND count(*) = $2"
                                       " FROM outbox WHERE message_key = ANY($1)", list(product_ids), len(product_ids))

    await eventually(on_the_topic, timeout=60, what="ProductRegistered of every product on the list")
    await eventually(published, timeout=60, what="the outbox rows marked published")
    records = keyed(await topic_records(launcher.bootstrap_servers, PRODUCT_REGISTERED_TOPIC), product_ids)

    assert sorted(r.key.decode() for r in records) == sorted(product_ids)  # exactly one each
    by_product = {r.product_id: r for r in chosen}
    for record in records:
        jsonschema.validate(json.loads(record.value), SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
        envelope = parse_event(record.value)
        r = by_product[envelope.product_id]
        assert record.key == envelope.product_id.encode("utf-8") == kafka_key(envelope)
        assert (envelope.event_type, envelope.source, envelope.schema_version) == ("ProductRegistered", "registration", 1)
        assert envelope.data.registration_id == r.registration_id and envelope.data.cycle_year == 2021
        assert envelope.data.producer.producer_id == producer["producer_id"]
        assert envelope.data.producer.name == f"HTX Nông nghiệp Định Liên {run}"
        assert (envelope.data.location.district_code, envelope.data.location.commune_code) == (YEN_DINH, r.commune_code)
        assert envelope.actor is not None and envelope.actor.role == "district_officer"
        assert header(record, "event_id") == str(envelope.event_id)
        assert header(record, "event_type") == "ProductRegistered" and header(record, "schema_version") == "1"
        traceparent = header(record, "traceparent")
        assert traceparent is not None and traceparent.split("-")[1] == trace_id
    assert {parse_event(r.value).data.product.name for r in records} == {
        f"Bánh gai Tứ Trụ {run}", f"Nem chua Yên Định {run}", f"Rượu nếp cái hoa vàng {run}"}
    assert len({parse_event(r.value).correlation_id for r in records}) == 1  # one flow: the list's request


# ------------------------------------------------------------------------------------------- races


async def test_a_selection_and_a_rejection_racing_on_one_registration_one_wins(registration):
    api = registration
    r = await api.proposed()

    responses = await asyncio.gather(api.select(r, expected_version=r.version),
                                     api.reject(r, "không khả thi", expected_version=r.version))

    assert sorted(x.status_code for x in responses) == [200, 409], [x.text for x in responses]
    winner = next(x for x in responses if x.status_code == 200).json()
    detail = await api.detail(r.registration_id)
    assert (detail["status"], detail["version"]) == (winner["status"], 3)
    assert [h["event_type"] for h in detail["history"]][2:] == [
        "RegistrationSelected" if winner["status"] == "selected" else "RegistrationRejected"]


async def test_two_selections_with_the_same_expected_version_one_wins(registration):
    api = registration
    r = await api.proposed()

    responses = await asyncio.gather(*(api.select(r, expected_version=r.version) for _ in range(2)))

    assert sorted(x.status_code for x in responses) == [200, 409], [x.text for x in responses]
    detail = await api.detail(r.registration_id)
    assert (detail["status"], detail["version"]) == ("selected", 3)
    assert [h["event_type"] for h in detail["history"]].count("RegistrationSelected") == 1


async def test_many_selections_at_once_select_the_registration_once(registration):
    api = registration
    r = await api.proposed()

    responses = await asyncio.gather(*(api.select(r) for _ in range(4)))

    assert sorted(x.status_code for x in responses) == [200, 409, 409, 409], [x.text for x in responses]
    assert [h["event_type"] for h in (await api.detail(r.registration_id))["history"]].count("RegistrationSelected") == 1


async def test_identical_submissions_at_once_register_the_product_once_and_refuse_the_others_as_duplicates(registration):
    """The race to create one registration's stream ends as a later submission would: 409 duplicate_registration."""
    api = registration
    producer_id = (await api.new_producer())["producer_id"]
    name = f"Bánh gai Tứ Trụ {run_id()}"

    responses = await asyncio.gather(*(api.submit(producer_id, product(name, 6)) for _ in range(8)))

    assert sorted(x.status_code for x in responses) == [201] + [409] * 7, [x.text for x in responses]
    for refused in (x for x in responses if x.status_code == 409):
        detail = refused.json()["detail"]
        assert (detail["error"], detail["field"]) == ("duplicate_registration", "product.name"), detail
        assert name in detail["message"]
    registration_id = next(x for x in responses if x.status_code == 201).json()["registration_id"]
    async with api.runtime.pool.acquire() as conn:
        streams = await conn.fetch("SELECT DISTINCT stream_id FROM events WHERE stream_type = 'registration'"
                                   " AND data->'producer'->>'producer_id' = $1", producer_id)
        assert [s["stream_id"] for s in streams] == [registration_id]
        assert await stream_history(conn, registration_id) == [(1, "RegistrationSubmitted")]


async def test_one_producer_id_registered_at_once_is_taken_once_and_refused_as_already_existing(registration):
    """The race to create a producer's stream ends as a later registration would: 409 already_exists."""
    producer_id = f"p-{run_id()}"

    responses = await asyncio.gather(*(registration.register_producer(producer_id) for _ in range(6)))

    assert sorted(x.status_code for x in responses) == [201] + [409] * 5, [x.text for x in responses]
    for refused in (x for x in responses if x.status_code == 409):
        assert (refused.json()["detail"]["error"], refused.json()["detail"]["field"]) == ("already_exists", "producer_id")
    async with registration.runtime.pool.acquire() as conn:
        assert await stream_history(conn, producer_id) == [(1, "ProducerRegistered")]


# ------------------------------------------------------------------------------------------- what comes back


async def _consumed(api, consumer: str) -> bool:
    status = await api.runtime.status()
    lag = status["consumer_lag"][consumer]
    return bool(lag) and all(v == 0 for v in lag.values())


async def _sent_product(api):
    r = await api.selected()
    sent = await api.send_list(r.district_code, [r.registration_id])
    assert sent.status_code == 201, sent.text
    return r


def _rating(product_id: str):
    return new_envelope("ProductRated", product_id, {
        "evaluation_id": f"EV-{run_id()}", "cycle_year": 2021, "level": "provincial", "average_score": 78.5, "stars": 4,
        "status": "recognized",
        "decision": {"number": "4567/QĐ-UBND", "date": "2021-12-20", "issued_by": "UBND tỉnh Thanh Hóa"},
        "certificate": {"number": f"OCOP-TH-2021-{run_id()}", "valid_from": "2021-12-20", "valid_until": "2024-12-19"},
        "reason": None, "inspection_id": None,
    }, actor={"id": "hd-tinh", "role": "council_secretary"})


def _message(envelope) -> tuple[bytes, bytes, list[tuple[str, bytes]]]:
    return kafka_key(envelope), serialize_event(envelope), kafka_headers(envelope)


async def test_a_rating_delivered_again_and_again_is_counted_once(registration, launcher):
    api = registration
    r = await _sent_product(api)
    rated = _rating(r.product_id)

    await produce(launcher.bootstrap_servers, PRODUCT_RATED_TOPIC, [_message(rated), _message(rated)])

    async def shown():
        [view] = await api.products_of(r.producer_id)
        return view if view["stars"] == 4 else None

    view = await eventually(shown, timeout=60, what="the star in the producer's view")
    await produce(launcher.bootstrap_servers, PRODUCT_RATED_TOPIC, [_message(rated)])  # once more, later
    await eventually(lambda: _consumed(api, "registration.product-rated"), timeout=60, what="every delivery consumed")

    assert (view["rating_status"], view["level"]) == ("recognized", "provincial")
    async with api.runtime.pool.acquire() as conn:
        ratings = await conn.fetchval("SELECT ratings FROM product_views WHERE product_id = $1", r.product_id)
        recorded = await conn.fetch("SELECT data FROM events WHERE stream_id = $1 AND event_type = 'RatingRecorded'",
                                    r.product_id)
        inbox = await conn.fetchval("SELECT count(*) FROM inbox WHERE event_id = $1", rated.event_id)
    assert ratings == 1
    assert [e["data"]["source_event_id"] for e in recorded] == [str(rated.event_id)]
    assert inbox == 1


async def test_the_producers_view_shows_the_rating_as_rating_sent_it(registration, launcher):
    api = registration
    r = await _sent_product(api)
    rated = _rating(r.product_id)

    await produce(launcher.bootstrap_servers, PRODUCT_RATED_TOPIC, [_message(rated)])

    async def shown():
        [view] = await api.products_of(r.producer_id)
        return view if view["stars"] is not None else None

    view = await eventually(shown, timeout=60, what="the star in the producer's view")
    assert (view["stars"], view["rating_status"], view["level"]) == (4, "recognized", "provincial")
    assert view["certificate"] == {"number": rated.data.certificate.number, "valid_from": "2021-12-20",
                                   "valid_until": "2024-12-19"}
    assert view["decision"] == {"number": "4567/QĐ-UBND", "date": "2021-12-20", "issued_by": "UBND tỉnh Thanh Hóa"}
    assert view["average_score"] == 78.5  # a number, as in ProductRated, not the text "78.50"


async def test_a_failed_inspection_delivered_twice_is_shown_once(registration, launcher):
    api = registration
    r = await _sent_product(api)
    failed = new_envelope("InspectionFailed", r.product_id, {
        "inspection_id": f"KT-{run_id()}", "inspected_on": "2022-06-15", "inspector_org": "Chi cục QLCL Nông lâm thủy sản",
        "certificate_number": "OCOP-TH-2021-012", "severity": "major", "recommended_action": "downgrade",
        "findings": [{"criterion": "Nhãn hàng hóa", "description": "nhãn không ghi hạn sử dụng"}],
    }, actor={"id": "kt-1", "role": "inspector"})

    await produce(launcher.bootstrap_servers, INSPECTION_FAILED_TOPIC, [_message(failed), _message(failed)])

    async def shown():
        [view] = await api.products_of(r.producer_id)
        return view if view["failed_inspections"] else None

    view = await eventually(shown, timeout=60, what="the failed inspection in the producer's view")
    await produce(launcher.bootstrap_servers, INSPECTION_FAILED_TOPIC, [_message(failed)])
    await eventually(lambda: _consumed(api, "registration.inspection-failed"), timeout=60, what="every delivery consumed")

    [view] = await api.products_of(r.producer_id)
    assert view["failed_inspections"] == [{
        "inspection_id": failed.data.inspection_id, "inspected_on": "2022-06-15", "severity": "major",
        "recommended_action": "downgrade",
        "findings": [{"criterion": "Nhãn hàng hóa", "description": "nhãn không ghi hạn sử dụng"}],
    }]
    assert view["stars"] is None
    async with api.runtime.pool.acquire() as conn:
        recorded = await conn.fetchval(
            "SELECT count(*) FROM events WHERE stream_id = $1 AND event_type = 'InspectionFailureRecorded'", r.product_id)
    assert recorded == 1
