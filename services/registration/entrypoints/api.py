"""HTTP routes of registration: validate, call one handler, answer."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from services.registration.adapters import queries
from services.registration.application import handlers
from services.registration.application.access import PROPOSES, REGISTERS_PRODUCERS, REVIEWS, SUBMITS
from services.registration.application.ports import RegistrationPorts
from services.registration.domain import commands as cmd
from services.registration.domain.catalogue import PRODUCT_SETS
from services.registration.domain.registration import FIRST_CYCLE, LAST_CYCLE, Registration
from services.registration.entrypoints import schemas as s
from shared.auth import Actor, current_actor, require
from shared.http.app import acting, ports_of, runtime_of
from shared.http.params import OFFSET, limit_query
from shared.uow import NotFound

router = APIRouter()


def _ports(request: Request) -> RegistrationPorts:
    return ports_of(request)


def _registration_view(registration: Registration) -> dict[str, Any]:
    return {
        "registration_id": registration.id,
        "product_id": registration.product_id,
        "status": registration.status,
        "version": registration.version,
        "district_code": registration.district_code,
        "commune_code": registration.commune_code,
        "product": asdict(registration.product),
    }


@router.get("/reference/districts", tags=["reference"])
async def districts(request: Request) -> list[dict[str, Any]]:
    return [
        {"code": d.code, "name": d.name, "kind": d.kind, "communes": len(d.communes)}
        for d in _ports(request).geography.districts.values()
    ]


@router.get("/reference/districts/{district_code}/communes", tags=["reference"])
async def communes(district_code: s.DistrictCode, request: Request) -> list[dict[str, str]]:
    return [{"code": c.code, "name": c.name} for c in _ports(request).geography.district(district_code).communes.values()]


@router.get("/reference/product-sets", tags=["reference"])
async def product_sets() -> list[dict[str, Any]]:
    return [vars(p) for p in PRODUCT_SETS.values()]


@router.post("/producers", status_code=201, tags=["producers"])
async def register_producer(
    body: s.ProducerBody, request: Request, actor: Actor = Depends(require(*REGISTERS_PRODUCERS))
) -> dict[str, Any]:
    with acting(actor, request):
        producer = await handlers.register_producer(cmd.RegisterProducer(**body.model_dump()), _ports(request), actor)
    return {**producer.registered.to_data(), "version": producer.version}


@router.get("/producers/{producer_id}", tags=["producers"])
async def get_producer(producer_id: str, request: Request, _: Actor = Depends(current_actor)) -> dict[str, Any]:
    async with runtime_of(request).pool.acquire() as conn:
        found = await queries.producer(conn, producer_id)
        if found is None:
            raise NotFound("producer", producer_id)
        return {**found, "products": await queries.producer_products(conn, producer_id)}


@router.get("/producers/{producer_id}/products", tags=["producers"])
async def producer_products(producer_id: str, request: Request, actor: Actor = Depends(current_actor)) -> list[dict[str, Any]]:
    """The producer's view of their products, one entry per product as its latest registration names it: status,
    star, certificate, failed inspections, every registration (`registrations`) and earlier names (`former_names`)."""
    async with runtime_of(request).pool.acquire() as conn:
        if await queries.producer(conn, producer_id) is None:
            raise NotFound("producer", producer_id)
        return await queries.producer_products(conn, producer_id)


@router.get("/products/{product_id}/history", tags=["products"])
async def product_history(product_id: str, request: Request, _: Actor = Depends(current_actor)) -> s.ProductHistory:
    """A product across cycles, renames included: its registrations and every fact of its file (forms, renames,
    ratings with their certificates, failed inspections)."""
    return s.ProductHistory(**await _with_history(request, queries.product_history, "product", product_id))


@router.post("/registrations", status_code=201, tags=["registrations"], responses=s.SUBMIT_REFUSALS)
async def submit(body: s.RegistrationBody, request: Request, actor: Actor = Depends(require(*SUBMITS))) -> dict[str, Any]:
    """Submit a form: 01 registers a new product, 02 registers again a product registered before, which keeps its
    product_id (its ratings, certificates and right to an upgrade request) even under a new name."""
    with acting(actor, request):
        registration = await handlers.submit_registration(body.command(), _ports(request), actor)
    return _registration_view(registration)


async def _step(request: Request, actor: Actor, handler: Any, command: Any) -> dict[str, Any]:
    with acting(actor, request):
        return _registration_view(await handler(command, _ports(request), actor))


@router.post("/registrations/{registration_id}/commune-proposal", tags=["registrations"])
async def propose(registration_id: str, body: s.StepBody, request: Request,
                  actor: Actor = Depends(require(*PROPOSES))) -> dict[str, Any]:
    return await _step(request, actor, handlers.propose, cmd.ProposeRegistration(registration_id, body.note, body.expected_version))


@router.post("/registrations/{registration_id}/return", tags=["registrations"])
async def return_for_completion(registration_id: str, body: s.ReturnBody, request: Request,
                                actor: Actor = Depends(require(*REVIEWS))) -> dict[str, Any]:
    command = cmd.ReturnRegistration(registration_id, body.reasons, body.expected_version)
    return await _step(request, actor, handlers.return_for_completion, command)


@router.post("/registrations/{registration_id}/resubmission", tags=["registrations"])
async def resubmit(registration_id: str, body: s.ResubmissionBody, request: Request,
                   actor: Actor = Depends(require(*SUBMITS))) -> dict[str, Any]:
    command = cmd.ResubmitRegistration(registration_id, body.product.command(), body.note, body.expected_version)
    return await _step(request, actor, handlers.resubmit, command)


@router.post("/registrations/{registration_id}/selection", tags=["registrations"])
async def select(registration_id: str, body: s.StepBody, request: Request,
                 actor: Actor = Depends(require(*REVIEWS))) -> dict[str, Any]:
    return await _step(request, actor, handlers.select, cmd.SelectRegistration(registration_id, body.note, body.expected_version))


@router.post("/registrations/{registration_id}/rejection", tags=["registrations"])
async def reject(registration_id: str, body: s.RejectionBody, request: Request,
                 actor: Actor = Depends(require(*REVIEWS))) -> dict[str, Any]:
    return await _step(request, actor, handlers.reject, cmd.RejectRegistration(registration_id, body.reason, body.expected_version))


@router.post("/districts/{district_code}/lists", status_code=201, tags=["registrations"])
async def send_district_list(district_code: s.DistrictCode, body: s.DistrictListBody, request: Request,
                             actor: Actor = Depends(require(*REVIEWS))) -> dict[str, Any]:
    """Send the district's selected products to the province: one ProductRegistered per product."""
    command = cmd.SendDistrictList(district_code, body.cycle_year, body.registration_ids)
    with acting(actor, request):
        sent = await handlers.send_district_list(command, _ports(request), actor)
    return {"list_id": sent.id, **sent.sent.to_data()}


@router.get("/registrations", tags=["registrations"])
async def list_registrations(
    request: Request,
    district_code: s.DistrictCode | None = None,
    status: s.Status | None = None,
    cycle_year: int | None = Query(default=None, ge=FIRST_CYCLE, le=LAST_CYCLE),
    producer_id: str | None = None,
    q: str | None = Query(default=None, max_length=200, description="product or producer name, with or without accents"),
    limit: int = limit_query(),
    offset: int = OFFSET,
    _: Actor = Depends(current_actor),
) -> dict[str, Any]:
    f = queries.RegistrationFilter(district_code, status, cycle_year, producer_id, q, limit, offset)
    async with runtime_of(request).pool.acquire() as conn:
        return await queries.list_registrations(conn, f)


@router.get("/registrations/{registration_id}", tags=["registrations"])
async def get_registration(registration_id: str, request: Request,
                           _: Actor = Depends(current_actor)) -> s.RegistrationDetail:
    return s.RegistrationDetail(**await _with_history(request, queries.registration, "registration", registration_id))


async def _with_history(request: Request, read: Any, kind: str, record_id: str) -> dict[str, Any]:
    """A record read with its facts decoded through the service's event registry; 404 when there is none."""
    runtime = runtime_of(request)
    async with runtime.pool.acquire() as conn:
        found = await read(conn, record_id, runtime.definition.events)
    if found is None:
        raise NotFound(kind, record_id)
    return dict(found)


@router.get("/summary", tags=["registrations"])
async def summary(request: Request, cycle_year: int | None = Query(default=None, ge=FIRST_CYCLE, le=LAST_CYCLE),
                  _: Actor = Depends(current_actor)) -> list[dict[str, Any]]:
    """Counts by district and status."""
    async with runtime_of(request).pool.acquire() as conn:
        return await queries.summary(conn, cycle_year)
