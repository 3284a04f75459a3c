"""Registration's handlers in memory: the commands of the HTTP flow on the in-memory unit of work (no PostgreSQL).

The read models, and the default port that reads the district's selected registrations from them, are SQL: they are
tested over PostgreSQL in the other files of this folder.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import date
from typing import Any

import pytest

from services.registration.adapters.reference import load_geography
from services.registration.application import handlers
from services.registration.application.ports import RegistrationPorts
from services.registration.bootstrap import bootstrap
from services.registration.domain import commands as cmd
from services.registration.domain import events as ev
from services.registration.domain.errors import AlreadyExists, DuplicateRegistration, IllegalTransition
from services.registration.domain.producer import Producer
from services.registration.domain.registration import Registration, same_product
from services.registration.domain.values import Certificate, Decision, Finding
from services.registration.service import definition
from shared.auth import Actor, DistrictForbiddenError
from shared.context import message_context
from shared.contracts import new_envelope
from shared.contracts.roles import Role
from shared.memory import InMemoryEventStore, InMemoryStore
from shared.publication import Publications

YEN_DINH, THANH_HOA_CITY = "394", "380"
GEOGRAPHY = load_geography()
HOME = next(iter(GEOGRAPHY.district(YEN_DINH).communes))


@pytest.fixture
def store() -> InMemoryStore:
    return InMemoryStore(definition.events, Publications(definition.publishers))


@pytest.fixture
def ports(store: InMemoryStore) -> RegistrationPorts:
    return bootstrap(store.unit_of_work, geography=GEOGRAPHY, **indexes(store))


def indexes(store: InMemoryStore) -> dict[str, Any]:
    """The read-model indexes the submit handler looks products up in, read from the store's committed events (as
    the read models hold what committed units wrote)."""

    async def product_registrations(uow, product_id: str) -> list[str]:
        submitted = [r for r in store.recorded()
                     if isinstance(r.event, ev.RegistrationSubmitted) and r.event.product_id == product_id]
        return [r.stream_id for r in sorted(submitted, key=lambda r: (r.event.cycle_year, r.position))]

    async def certified_product(uow, number: str) -> str | None:
        return next((r.stream_id for r in store.recorded() if isinstance(r.event, ev.RatingRecorded)
                     and r.event.certificate is not None and r.event.certificate.number == number), None)

    async def products_named(uow, producer_id: str, name: str) -> list[str]:
        latest: dict[str, ev.RegistrationSubmitted] = {}
        for r in store.recorded():
            if isinstance(r.event, ev.RegistrationSubmitted) and r.event.producer.producer_id == producer_id:
                if r.event.product_id not in latest or latest[r.event.product_id].cycle_year <= r.event.cycle_year:
                    latest[r.event.product_id] = r.event
        return [product_id for product_id, e in latest.items() if same_product(e.product.name, name)]

    return {"product_registrations": product_registrations, "certified_product": certified_product,
            "products_named": products_named}


def district_officer(district: str = YEN_DINH) -> Actor:
    return Actor(id=f"ds-{district}", role=Role.district_officer, district=district)


def commune_officer(commune: str = HOME) -> Actor:
    return Actor(id=f"xa-{commune}", role=Role.commune_officer, district=YEN_DINH, commune=commune)


def product(name: str, product_set: int = 6) -> cmd.ProductInput:
    return cmd.ProductInput(name, product_set, "làm thủ công")


async def new_producer(ports: RegistrationPorts) -> Producer:
    producer_id = f"p-{uuid.uuid4().hex[:8]}"
    command = cmd.RegisterProducer(producer_id, f"HTX {producer_id}", "cooperative", YEN_DINH, HOME)
    return await handlers.register_producer(command, ports, district_officer())


async def submit(ports: RegistrationPorts, producer: Producer, name: str) -> Registration:
    command = cmd.SubmitRegistration(producer.id, 2021, "01", product(name))
    return await handlers.submit_registration(command, ports, Actor(id=producer.id, role=Role.producer))


async def selected(ports: RegistrationPorts, producer: Producer, name: str) -> Registration:
    registration = await submit(ports, producer, name)
    await handlers.propose(cmd.ProposeRegistration(registration.id), ports, commune_officer())
    return await handlers.select(cmd.SelectRegistration(registration.id), ports, district_officer())


def history(store: InMemoryStore, stream_id: str) -> list[str]:
    return [e.event_type for e in store.streams.get(stream_id, ())]


async def test_a_producer_id_can_be_registered_once(ports, store):
    producer = await new_producer(ports)
    again = cmd.RegisterProducer(producer.id, "HTX khác", "household", YEN_DINH, HOME)

    with pytest.raises(AlreadyExists) as raised:
        await handlers.register_producer(again, ports, district_officer())

    assert raised.value.field == "producer_id"
    assert history(store, producer.id) == ["ProducerRegistered"]


async def test_a_submission_is_registered_in_the_producers_district_and_commune(ports, store):
    registration = await submit(ports, await new_producer(ports), "Bánh gai Tứ Trụ")

    assert (registration.status, registration.district_code, registration.commune_code) == ("submitted", YEN_DINH, HOME)
    assert history(store, registration.id) == ["RegistrationSubmitted"]


async def test_the_same_product_submitted_again_in_the_cycle_is_a_duplicate_naming_the_product(ports, store):
    producer = await new_producer(ports)
    first = await submit(ports, producer, "Bánh gai Tứ Trụ")

    with pytest.raises(DuplicateRegistration) as raised:
        await submit(ports, producer, "  BÁNH GAI   tứ trụ ")

    assert raised.value.field == "product.name" and "BÁNH GAI tứ trụ" in str(raised.value)
    assert history(store, first.id) == ["RegistrationSubmitted"]


@pytest.fixture
def round_trips(monkeypatch) -> None:
    """Reading a stream's version lets other tasks run, as a database round trip would: concurrent commands interleave."""
    read_version = InMemoryEventStore.stream_version

    async def after_a_round_trip(self, stream_id):
        version = await read_version(self, stream_id)
        await asyncio.sleep(0)
        return version

    monkeypatch.setattr(InMemoryEventStore, "stream_version", after_a_round_trip)


async def test_identical_submissions_at_once_register_once_and_refuse_the_others_as_duplicates(ports, store, round_trips):
    producer = await new_producer(ports)

    outcomes = await asyncio.gather(*(submit(ports, producer, "Nem chua Yên Định") for _ in range(5)),
                                    return_exceptions=True)

    [registered] = [o for o in outcomes if isinstance(o, Registration)]
    assert sorted(type(o).__name__ for o in outcomes if o is not registered) == ["DuplicateRegistration"] * 4
    assert history(store, registered.id) == ["RegistrationSubmitted"]


async def test_the_commune_proposes_and_the_district_selects(ports, store):
    registration = await selected(ports, await new_producer(ports), "Chè lam Phủ Quảng")

    assert (registration.status, registration.version) == ("selected", 3)
    assert history(store, registration.id) == [
        "RegistrationSubmitted", "RegistrationProposedByCommune", "RegistrationSelected"]


async def test_a_district_officer_of_another_district_cannot_select(ports, store):
    registration = await submit(ports, await new_producer(ports), "Rượu nếp cái hoa vàng")
    await handlers.propose(cmd.ProposeRegistration(registration.id), ports, commune_officer())

    with pytest.raises(DistrictForbiddenError):
        await handlers.select(cmd.SelectRegistration(registration.id), ports, district_officer(THANH_HOA_CITY))

    assert history(store, registration.id)[-1] == "RegistrationProposedByCommune"


async def test_the_sent_list_puts_one_product_registered_per_product_in_the_outbox(store):
    chosen: list[str] = []

    async def selected_registrations(uow, district_code, cycle_year):  # the read model's answer, faked
        return list(chosen) if (district_code, cycle_year) == (YEN_DINH, 2021) else []

    ports = bootstrap(store.unit_of_work, geography=GEOGRAPHY, selected_registrations=selected_registrations,
                      **indexes(store))
    producer = await new_producer(ports)
    registrations = [await selected(ports, producer, name) for name in ("Bánh gai Tứ Trụ", "Nem chua Yên Định")]
    chosen.extend(r.id for r in registrations)

    with message_context(actor=district_officer().as_event_actor()):
        sent = await handlers.send_district_list(cmd.SendDistrictList(YEN_DINH, 2021), ports, district_officer())

    assert sent.sent.registration_ids == chosen
    published = store.published
    assert [(e.event_type, e.product_id) for e in published] == [("ProductRegistered", r.product_id) for r in registrations]
    assert [e.data.product.name for e in published] == ["Bánh gai Tứ Trụ", "Nem chua Yên Định"]
    assert {(e.data.producer.producer_id, e.data.location.district_code, e.data.location.commune_code)
            for e in published} == {(producer.id, YEN_DINH, HOME)}
    assert {e.actor.role for e in published} == {"district_officer"}
    assert all(history(store, r.id)[-1] == "RegistrationSentToProvince" for r in registrations)


async def test_a_list_refused_for_one_registration_sends_nothing(ports, store):
    producer = await new_producer(ports)
    ready = await selected(ports, producer, "Bánh gai Tứ Trụ")
    not_ready = await submit(ports, producer, "Nem chua Yên Định")

    with pytest.raises(IllegalTransition):
        await handlers.send_district_list(cmd.SendDistrictList(YEN_DINH, 2021, [ready.id, not_ready.id]), ports,
                                          district_officer())

    assert store.published == [] and history(store, ready.id)[-1] == "RegistrationSelected"


def rated(product_id: str):
    return new_envelope("ProductRated", product_id, {
        "evaluation_id": "EV-1", "cycle_year": 2021, "level": "provincial", "average_score": 78.5, "stars": 4,
        "status": "recognized", "reason": None, "inspection_id": None,
        "decision": {"number": "4567/QĐ-UBND", "date": "2021-12-20", "issued_by": "UBND tỉnh Thanh Hóa"},
        "certificate": {"number": "OCOP-TH-2021-001", "valid_from": "2021-12-20", "valid_until": "2024-12-19"},
    })


async def deliver(ports: RegistrationPorts, handler, envelope) -> None:
    """As the consumer does: the handler runs in a unit of work the consumer opens and commits."""
    async with ports.uow() as uow:
        await handler(envelope, uow, ports)
        await uow.commit()


async def test_a_product_rated_delivered_twice_is_recorded_once_in_the_product_file(ports, store):
    envelope = rated("product-1")

    await deliver(ports, handlers.record_rating, envelope)
    await deliver(ports, handlers.record_rating, envelope)

    [recorded] = [r.event for r in store.recorded() if r.stream_id == "product-1"]
    assert (recorded.stars, recorded.status, recorded.source_event_id) == (4, "recognized", str(envelope.event_id))
    assert recorded.certificate == Certificate("OCOP-TH-2021-001", date(2021, 12, 20), date(2024, 12, 19))
    assert recorded.decision == Decision("4567/QĐ-UBND", date(2021, 12, 20), "UBND tỉnh Thanh Hóa")


async def test_a_failed_inspection_is_recorded_with_its_findings(ports, store):
    failed = new_envelope("InspectionFailed", "product-2", {
        "inspection_id": "KT-1", "inspected_on": "2022-06-15", "inspector_org": "Chi cục QLCL",
        "certificate_number": "OCOP-TH-2021-012", "severity": "major", "recommended_action": "downgrade",
        "findings": [{"criterion": "Nhãn hàng hóa", "description": "nhãn không ghi hạn sử dụng"}],
    })

    await deliver(ports, handlers.record_inspection_failure, failed)

    [recorded] = [r.event for r in store.recorded() if r.stream_id == "product-2"]
    assert recorded.inspected_on == date(2022, 6, 15)
    assert recorded.findings == (Finding("Nhãn hàng hóa", "nhãn không ghi hạn sử dụng"),)
