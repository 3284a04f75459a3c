"""One handler per command or inbound event: load, call one domain method, commit."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from services.registration.adapters import queries
from services.registration.application import translators
from services.registration.domain import commands as cmd
from services.registration.domain.catalogue import describe_product
from services.registration.domain.errors import AlreadyExists, DuplicateRegistration
from services.registration.domain.geography import Geography
from services.registration.domain.model import DistrictList, Producer, ProductFile, Registration
from services.registration.domain.text import clean
from shared.auth import Actor, RoleNotAllowedError
from shared.contracts.roles import Role
from shared.uow import UnitOfWork


def _product(p: cmd.ProductInput) -> dict[str, Any]:
    return describe_product(clean(p.name), p.product_set, p.description.strip(), p.sector, p.group)


async def register_producer(c: cmd.RegisterProducer, uow: UnitOfWork, actor: Actor, geography: Geography) -> Producer:
    geography.locate(c.district_code, c.commune_code)
    actor.ensure_district(c.district_code)
    actor.ensure_commune(c.commune_code)
    async with uow:
        repo = uow.repository(Producer)
        if await uow.events.stream_version(c.producer_id):
            raise AlreadyExists(f"id {c.producer_id!r} is already taken", field="producer_id")
        producer = Producer.register(
            c.producer_id,
            name=clean(c.name),
            legal_form=c.legal_form,
            district_code=c.district_code,
            commune_code=c.commune_code,
            business_registration_number=c.business_registration_number,
        )
        repo.add(producer)
        await uow.commit()
    return producer


async def submit_registration(c: cmd.SubmitRegistration, uow: UnitOfWork, actor: Actor) -> Registration:
    async with uow:
        producer = await uow.repository(Producer).get(c.producer_id)
        _may_act_for(actor, producer)
        repo = uow.repository(Registration)
        registration = Registration.submit(producer, cycle_year=c.cycle_year, form=c.form, product=_product(c.product))
        if await uow.events.stream_version(registration.id):
            raise DuplicateRegistration(
                f"producer {producer.id!r} already registered {registration.product['name']!r} in cycle {c.cycle_year}",
                field="product.name",
            )
        repo.add(registration)
        await uow.commit()
    return registration


async def propose(c: cmd.ProposeRegistration, uow: UnitOfWork, actor: Actor) -> Registration:
    return await _step(uow, actor, c.registration_id, c.expected_version, lambda r: r.propose(c.note))


async def return_for_completion(c: cmd.ReturnRegistration, uow: UnitOfWork, actor: Actor) -> Registration:
    reasons = [reason.strip() for reason in c.reasons]
    return await _step(uow, actor, c.registration_id, c.expected_version, lambda r: r.return_for_completion(reasons))


async def resubmit(c: cmd.ResubmitRegistration, uow: UnitOfWork, actor: Actor) -> Registration:
    async with uow:
        registration = await _load(uow, c.registration_id, c.expected_version)
        producer = await uow.repository(Producer).get(registration.producer_id)
        _may_act_for(actor, producer)
        registration.resubmit(_product(c.product), c.note)
        await uow.commit()
    return registration


async def select(c: cmd.SelectRegistration, uow: UnitOfWork, actor: Actor) -> Registration:
    return await _step(uow, actor, c.registration_id, c.expected_version, lambda r: r.select(c.note))


async def reject(c: cmd.RejectRegistration, uow: UnitOfWork, actor: Actor) -> Registration:
    return await _step(uow, actor, c.registration_id, c.expected_version, lambda r: r.reject(c.reason))


async def _step(
    uow: UnitOfWork, actor: Actor, registration_id: str, expected_version: int | None, decide: Callable[[Registration], None]
) -> Registration:
    """A commune or district step on one registration: load, check the actor's area, decide, commit."""
    async with uow:
        registration = await _load(uow, registration_id, expected_version)
        actor.ensure_district(registration.district_code)
        actor.ensure_commune(registration.commune_code)
        decide(registration)
        await uow.commit()
    return registration


async def send_district_list(c: cmd.SendDistrictList, uow: UnitOfWork, actor: Actor, geography: Geography) -> DistrictList:
    geography.district(c.district_code)
    actor.ensure_district(c.district_code)
    async with uow:
        ids = c.registration_ids or await queries.selected_registration_ids(uow.connection, c.district_code, c.cycle_year)
        repo = uow.repository(Registration)
        registrations = [await repo.get(registration_id) for registration_id in dict.fromkeys(ids)]
        district_list = DistrictList.send(str(uuid.uuid4()), c.district_code, c.cycle_year, registrations)
        uow.repository(DistrictList).add(district_list)
        for registration in registrations:
            uow.publish(translators.product_registered(registration))
        await uow.commit()
    return district_list


async def record_rating(envelope: Any, uow: UnitOfWork) -> None:
    """ProductRated arrived (the consumer's unit of work is open and commits with the inbox row)."""
    product_file = await _product_file(uow, envelope.product_id)
    product_file.record_rating(translators.rating_recorded(envelope))


async def record_inspection_failure(envelope: Any, uow: UnitOfWork) -> None:
    product_file = await _product_file(uow, envelope.product_id)
    product_file.record_inspection_failure(translators.inspection_failure_recorded(envelope))


async def _product_file(uow: UnitOfWork, product_id: str) -> ProductFile:
    repo = uow.repository(ProductFile)
    product_file = await repo.find(product_id) or ProductFile(product_id)
    repo.add(product_file)
    return product_file


async def _load(uow: UnitOfWork, registration_id: str, expected_version: int | None) -> Registration:
    return await uow.repository(Registration).get(registration_id, expected_version=expected_version)


def _may_act_for(actor: Actor, producer: Producer) -> None:
    """A producer acts for itself; commune and district staff for producers of their area."""
    if actor.role == Role.producer:
        if actor.id != producer.id:
            raise RoleNotAllowedError(f"producer {actor.id} cannot act for producer {producer.id}", field="producer_id")
        return
    actor.ensure_district(producer.details["district_code"])
    actor.ensure_commune(producer.details["commune_code"])
