"""A product keeps its identity across cycles, through the handlers on the in-memory unit of work: form 02 keeps the
product's id up to the ProductRegistered its district list publishes, and refused forms write nothing."""

from __future__ import annotations

import asyncio

import pytest

from services.registration.application import handlers
from services.registration.application.ports import RegistrationPorts
from services.registration.domain import commands as cmd
from services.registration.domain.catalogue import describe_product
from services.registration.domain.errors import (
    DoesNotFit,
    DuplicateRegistration,
    InvalidInput,
    NotANewProduct,
    ProductOfAnotherProducer,
    UnknownProduct,
)
from services.registration.domain.producer import Producer
from services.registration.domain.registration import Registration, product_id_for
from services.registration.domain.values import ProductReference
from shared.auth import Actor
from shared.contracts.roles import Role
from tests.registration.test_handlers_unit import (  # noqa: F401 (fixtures)
    YEN_DINH,
    commune_officer,
    deliver,
    district_officer,
    history,
    new_producer,
    ports,
    product,
    rated,
    round_trips,
    store,
)

FISH_SAUCE, GRADED = "Nước mắm Cự Nham", "Nước mắm Cự Nham loại 1"
CERTIFICATE = "OCOP-TH-2021-001"  # the one ``rated`` reports


async def submit(ports: RegistrationPorts, producer: Producer, name: str, cycle_year: int, form: str = "01",
                 reference: ProductReference | None = None) -> Registration:
    command = cmd.SubmitRegistration(producer.id, cycle_year, form, product(name, 10), reference)
    return await handlers.submit_registration(command, ports, Actor(id=producer.id, role=Role.producer))


async def sent(ports: RegistrationPorts, registration: Registration) -> None:
    await handlers.propose(cmd.ProposeRegistration(registration.id), ports, commune_officer())
    await handlers.select(cmd.SelectRegistration(registration.id), ports, district_officer())
    command = cmd.SendDistrictList(YEN_DINH, registration.cycle_year, [registration.id])
    await handlers.send_district_list(command, ports, district_officer())


async def certified_in_2021(ports: RegistrationPorts) -> tuple[Producer, Registration]:
    """A producer's fish sauce, registered (form 01), sent to the province and certified 4★ in 2021."""
    producer = await new_producer(ports)
    first = await submit(ports, producer, FISH_SAUCE, 2021)
    await sent(ports, first)
    await deliver(ports, handlers.record_rating, rated(first.product_id))
    return producer, first


async def test_a_product_renamed_in_a_later_cycle_keeps_its_id_up_to_the_product_registered_it_is_sent_with(ports, store):
    producer, first = await certified_in_2021(ports)

    again = await submit(ports, producer, GRADED, 2023, "02", ProductReference(product_id=first.product_id))
    await sent(ports, again)

    assert again.product_id == first.product_id and again.id != first.id
    registered = [e for e in store.published if e.event_type == "ProductRegistered"]
    assert [(e.product_id, e.data.registration_id, e.data.cycle_year, e.data.product.name) for e in registered] == [
        (first.product_id, first.id, 2021, FISH_SAUCE), (first.product_id, again.id, 2023, GRADED)]
    assert history(store, first.product_id) == ["RegistrationFiled", "RatingRecorded", "ProductRenamed",
                                                "RegistrationFiled"]
    [renamed] = [r.event for r in store.recorded() if r.event.event_type == "ProductRenamed"
                 and r.stream_id == first.product_id]
    assert (renamed.old_name, renamed.new_name, renamed.cycle_year, renamed.registration_id) == (
        FISH_SAUCE, GRADED, 2023, again.id)


async def test_after_a_rename_the_new_name_belongs_to_the_product_and_the_old_one_is_free_for_a_new_product(ports):
    producer, first = await certified_in_2021(ports)
    await submit(ports, producer, GRADED, 2023, "02", ProductReference(product_id=first.product_id))

    with pytest.raises(NotANewProduct) as raised:
        await submit(ports, producer, GRADED.upper(), 2024)
    new = await submit(ports, producer, FISH_SAUCE, 2024)

    assert raised.value.field == "form" and first.product_id in str(raised.value)
    assert new.product_id != first.product_id and new.submitted.form == "01"


async def test_a_product_may_be_named_by_its_certificate_number(ports, store):
    producer, first = await certified_in_2021(ports)

    again = await submit(ports, producer, GRADED, 2023, "02", ProductReference(certificate_number=CERTIFICATE))

    assert again.product_id == first.product_id
    assert history(store, first.product_id)[-2:] == ["ProductRenamed", "RegistrationFiled"]


async def test_a_product_registered_before_product_files_recorded_forms_is_registered_again_by_form_02(ports, store):
    """Stores written by earlier code hold a product's registrations but no RegistrationFiled in its file."""
    producer = await new_producer(ports)
    async with ports.uow() as uow:  # what the earlier submit handler stored: the registration alone
        first = Registration.submit(producer, cycle_year=2021, form="01", product=describe_product(FISH_SAUCE, 10, ""),
                                    product_id=product_id_for(producer.id, FISH_SAUCE))
        uow.repository(Registration).add(first)
        await uow.commit()
    await deliver(ports, handlers.record_rating, rated(first.product_id))

    again = await submit(ports, producer, GRADED, 2023, "02", ProductReference(certificate_number=CERTIFICATE))

    assert again.product_id == first.product_id
    assert history(store, first.product_id) == ["RatingRecorded", "ProductRenamed", "RegistrationFiled"]
    with pytest.raises(NotANewProduct):
        await submit(ports, producer, GRADED, 2024)


async def _other_producers_product(ports: RegistrationPorts) -> ProductReference:
    return ProductReference(product_id=(await certified_in_2021(ports))[1].product_id)


REFUSED = [
    (lambda f: f.submit(GRADED, "02", ProductReference(product_id="p-nobody")), UnknownProduct,
     "existing_product.product_id"),
    (lambda f: f.submit(GRADED, "02", ProductReference(certificate_number="OCOP-TH-2021-999")), UnknownProduct,
     "existing_product.certificate_number"),
    (lambda f: f.submit(GRADED, "02", f.other), ProductOfAnotherProducer, "existing_product.product_id"),
    (lambda f: f.submit(GRADED, "02", None), InvalidInput, "existing_product"),
    (lambda f: f.submit(GRADED, "01", f.mine), InvalidInput, "existing_product"),
    (lambda f: f.submit(FISH_SAUCE.upper(), "01", None), NotANewProduct, "form"),
    (lambda f: f.submit(GRADED, "02", f.mine, cycle_year=2021), DuplicateRegistration, "existing_product.product_id"),
    (lambda f: f.submit(FISH_SAUCE, "02", f.mine, cycle_year=2021), DuplicateRegistration, "product.name"),
    (lambda f: f.submit(GRADED, "02", f.mine, cycle_year=2020), DoesNotFit, "cycle_year"),
]


class Forms:
    """The second form of the fish sauce's producer, with a product of its own and one of another producer."""

    def __init__(self, ports: RegistrationPorts, producer: Producer, mine: ProductReference,
                 other: ProductReference) -> None:
        self.ports, self.producer, self.mine, self.other = ports, producer, mine, other

    def submit(self, name: str, form: str, reference: ProductReference | None, cycle_year: int = 2023):
        return submit(self.ports, self.producer, name, cycle_year, form, reference)


@pytest.mark.parametrize(("send", "error", "field"), REFUSED,
                         ids=["unknown-id", "unknown-certificate", "another-producers", "02-without-reference",
                              "01-naming-one", "01-for-a-product-registered-before", "twice-in-a-cycle",
                              "same-name-twice-in-a-cycle", "before-its-last-cycle"])
async def test_a_refused_form_names_its_field_and_writes_nothing(ports, store, send, error, field):
    producer, first = await certified_in_2021(ports)
    forms = Forms(ports, producer, ProductReference(product_id=first.product_id), await _other_producers_product(ports))
    before = len(store.events)

    with pytest.raises(error) as raised:
        await send(forms)

    assert raised.value.field == field, raised.value
    assert len(store.events) == before


async def test_two_forms_02_of_one_product_at_once_register_it_once_in_the_cycle(ports, store, round_trips):
    producer, first = await certified_in_2021(ports)
    reference = ProductReference(product_id=first.product_id)

    outcomes = await asyncio.gather(submit(ports, producer, GRADED, 2023, "02", reference),
                                    submit(ports, producer, "Nước mắm Cự Nham đặc biệt", 2023, "02", reference),
                                    return_exceptions=True)

    [registered] = [o for o in outcomes if isinstance(o, Registration)]
    [refused] = [o for o in outcomes if o is not registered]
    assert isinstance(refused, DuplicateRegistration) and refused.field == "existing_product.product_id"
    assert registered.product_id == first.product_id
    assert history(store, first.product_id).count("RegistrationFiled") == 2

