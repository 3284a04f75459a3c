"""One handler per command or inbound event: load, call one domain method, commit."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from services.registration.application import access, translators
from services.registration.application.ports import RegistrationPorts
from services.registration.domain import commands as cmd
from services.registration.domain import identity
from services.registration.domain.catalogue import describe_product
from services.registration.domain.district_list import DistrictList
from services.registration.domain.errors import AlreadyExists
from services.registration.domain.identity import ProductOnRecord
from services.registration.domain.producer import Producer
from services.registration.domain.product_file import ProductFile
from services.registration.domain.registration import (
    Registration,
    ensure_first_registration,
    product_id_for,
    registration_id_for,
)
from services.registration.domain.text import clean
from services.registration.domain.values import Product, ProductReference
from shared.auth import Actor
from shared.eventstore import ConcurrencyError, WrongStreamType
from shared.ports import ServicePorts, UnitOfWorkPort
from shared.uow import retry_on_conflict


def _product(p: cmd.ProductInput) -> Product:
    return describe_product(clean(p.name), p.product_set, p.description.strip(), p.sector, p.group)


async def register_producer(c: cmd.RegisterProducer, ports: RegistrationPorts, actor: Actor) -> Producer:
    ports.geography.locate(c.district_code, c.commune_code)
    access.in_area(actor, c.district_code, c.commune_code)
    return await _register_producer(c, ports.uow())


async def _register_producer(c: cmd.RegisterProducer, uow: UnitOfWorkPort) -> Producer:
    # No read before the append: appending to a new stream (expected version 0) is the check, a round trip fewer per
    # registration. An id already taken, by a producer or by any other stream, fails the append, and so does the loser
    # of two registrations of one id at once: all answer as a later registration would.
    try:
        async with uow:
            producer = Producer.register(
                c.producer_id,
                name=clean(c.name),
                legal_form=c.legal_form,
                district_code=c.district_code,
                commune_code=c.commune_code,
                business_registration_number=c.business_registration_number,
            )
            uow.repository(Producer).add(producer)
            await uow.commit()
    except (ConcurrencyError, WrongStreamType):
        raise AlreadyExists(f"id {c.producer_id!r} is already taken", field="producer_id") from None
    return producer


async def submit_registration(c: cmd.SubmitRegistration, ports: RegistrationPorts, actor: Actor) -> Registration:
    # Two identical submissions at once race to create one stream, and two forms of one product to append to its
    # file; the loser's second attempt finds the winner's events and is refused as a submission that came later.
    return await retry_on_conflict(lambda: _submit(c, ports, actor), tries=2)


async def _submit(c: cmd.SubmitRegistration, ports: RegistrationPorts, actor: Actor) -> Registration:
    async with ports.uow() as uow:
        producer = await uow.repository(Producer).get(c.producer_id)
        access.may_act_for(actor, producer)
        product = _product(c.product)
        identity.ensure_well_formed(c.form, c.cycle_year, c.existing_product)
        same_name = await uow.events.stream_version(registration_id_for(producer.id, product.name, c.cycle_year))
        ensure_first_registration(producer.id, product.name, c.cycle_year, registered=bool(same_name))
        found = await _products_pointed_at(uow, ports, producer, product, c.existing_product)
        registration, product_file = identity.register(producer, cycle_year=c.cycle_year, form=c.form, product=product,
                                                       reference=c.existing_product, found=found)
        uow.repository(Registration).add(registration)
        uow.repository(ProductFile).add(product_file)
        await uow.commit()
    return registration


async def _products_pointed_at(uow: UnitOfWorkPort, ports: RegistrationPorts, producer: Producer, product: Product,
                               reference: ProductReference | None) -> list[ProductOnRecord]:
    """The registered products a form points at (``identity.register`` decides what they mean): the one form 02
    names, or, for form 01, the producer's products last registered under its name and the one holding the id its
    name gives."""
    if reference is None:
        named = await ports.products_named(uow, producer.id, product.name)
        ids = [*named, product_id_for(producer.id, product.name)]
    elif reference.certificate_number is not None:
        ids = [await ports.certified_product(uow, reference.certificate_number)]
    else:
        ids = [reference.product_id]
    found = [await _on_record(uow, ports, product_id) for product_id in dict.fromkeys(ids) if product_id]
    return [product for product in found if product is not None]


async def _on_record(uow: UnitOfWorkPort, ports: RegistrationPorts, product_id: str) -> ProductOnRecord | None:
    """A product with its registrations, oldest cycle first, and its file; None when no registration has it."""
    registration_ids = await ports.product_registrations(uow, product_id)
    if not registration_ids:
        return None
    registrations = tuple([await uow.repository(Registration).get(i) for i in registration_ids])
    return ProductOnRecord(product_id, registrations, await _product_file(uow, product_id))


async def propose(c: cmd.ProposeRegistration, ports: ServicePorts, actor: Actor) -> Registration:
    return await _step(ports, actor, c.registration_id, c.expected_version, lambda r: r.propose(c.note))


async def return_for_completion(c: cmd.ReturnRegistration, ports: ServicePorts, actor: Actor) -> Registration:
    return await _step(ports, actor, c.registration_id, c.expected_version, lambda r: r.return_for_completion(c.reasons))


async def resubmit(c: cmd.ResubmitRegistration, ports: ServicePorts, actor: Actor) -> Registration:
    async with ports.uow() as uow:
        registration = await _load(uow, c.registration_id, c.expected_version)
        access.may_act_for(actor, await uow.repository(Producer).get(registration.producer_id))
        registration.resubmit(_product(c.product), c.note)
        await uow.commit()
    return registration


async def select(c: cmd.SelectRegistration, ports: ServicePorts, actor: Actor) -> Registration:
    return await _step(ports, actor, c.registration_id, c.expected_version, lambda r: r.select(c.note))


async def reject(c: cmd.RejectRegistration, ports: ServicePorts, actor: Actor) -> Registration:
    return await _step(ports, actor, c.registration_id, c.expected_version, lambda r: r.reject(c.reason))


async def _step(
    ports: ServicePorts, actor: Actor, registration_id: str, expected_version: int | None,
    decide: Callable[[Registration], None],
) -> Registration:
    """A commune or district step on one registration: load, check the actor's area, decide, commit."""
    async with ports.uow() as uow:
        registration = await _load(uow, registration_id, expected_version)
        access.in_area(actor, registration.district_code, registration.commune_code)
        decide(registration)
        await uow.commit()
    return registration


async def send_district_list(c: cmd.SendDistrictList, ports: RegistrationPorts, actor: Actor) -> DistrictList:
    ports.geography.district(c.district_code)
    access.in_area(actor, c.district_code)
    async with ports.uow() as uow:
        ids = c.registration_ids or await ports.selected_registrations(uow, c.district_code, c.cycle_year)
        repo = uow.repository(Registration)
        registrations = [await repo.get(registration_id) for registration_id in dict.fromkeys(ids)]
        district_list = DistrictList.send(str(uuid.uuid4()), c.district_code, c.cycle_year, registrations)
        uow.repository(DistrictList).add(district_list)
        await uow.commit()
    return district_list


async def record_rating(envelope: Any, uow: UnitOfWorkPort, _: ServicePorts) -> None:
    """ProductRated arrived (the consumer's unit of work is open and commits with the inbox row)."""
    product_file = await _product_file(uow, envelope.product_id)
    product_file.record_rating(translators.rating_recorded(envelope))


async def record_inspection_failure(envelope: Any, uow: UnitOfWorkPort, _: ServicePorts) -> None:
    product_file = await _product_file(uow, envelope.product_id)
    product_file.record_inspection_failure(translators.inspection_failure_recorded(envelope))


async def _product_file(uow: UnitOfWorkPort, product_id: str) -> ProductFile:
    repo = uow.repository(ProductFile)
    product_file = await repo.find(product_id) or ProductFile(product_id)
    repo.add(product_file)
    return product_file


async def _load(uow: UnitOfWorkPort, registration_id: str, expected_version: int | None) -> Registration:
    return await uow.repository(Registration).get(registration_id, expected_version=expected_version)
