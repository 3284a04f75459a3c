"""Pipeline health, dead letters and their re-drive: operators only."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query, Request

from services.monitoring.operations.adapters import queries
from services.monitoring.operations.application import handlers
from services.monitoring.operations.application.health import pipeline_health
from services.monitoring.operations.domain.redrive import Operator
from services.monitoring.operations.entrypoints.deps import pipeline_probe, redrive_ports, service_tables, settings_of
from services.monitoring.operations.entrypoints.views import DeadLetterPage, DeadLetterView, PipelineHealthView, RedriveView
from shared.auth import Actor, require
from shared.contracts.roles import Role
from shared.http.app import acting, ports_of, runtime_of
from shared.uow import NotFound

router = APIRouter(prefix="/pipeline", tags=["pipeline"])
OPERATORS = require(Role.operator)
Service = Path(pattern=r"^[a-z][a-z0-9_]{0,62}$", description="the service whose consumer dead-lettered the record")
DeadLetterId = Path(ge=1, le=2**63 - 1, description="the dead letter's id in that service's dead_letters table")


@router.get("/health")
async def health(request: Request, _: Actor = Depends(OPERATORS)) -> PipelineHealthView:
    """Every service's outbox backlog and the age of its oldest unpublished event, its dead letters by consumer, and
    the lag of every consumer group per topic and partition, in messages and seconds; ``state`` is ``alert`` when a
    figure passes its ``OCOP_MONITORING_ALERT_*`` setting (``alerts`` says which)."""
    report = await pipeline_health(pipeline_probe(request), settings_of(request).thresholds(), ports_of(request).clock)
    return PipelineHealthView.of(report)


async def _with_redrives(request: Request, service: str, items: list[dict]) -> list[DeadLetterView]:
    async with runtime_of(request).pool.acquire() as conn:
        found = await queries.redrives(conn, service, [item["dead_letter_id"] for item in items])
    return [DeadLetterView(**item, redrive=RedriveView.of_row(found[item["dead_letter_id"]])
                           if item["dead_letter_id"] in found else None) for item in items]


@router.get("/dead-letters/{service}")
async def dead_letters(request: Request, service: str = Service,
                       consumer: str | None = Query(default=None, max_length=200), limit: int = Query(default=50, ge=1, le=500),
                       offset: int = Query(default=0, ge=0), _: Actor = Depends(OPERATORS)) -> DeadLetterPage:
    """The service's dead letters, newest first: where each failed, why, the event it carries and its re-drive."""
    found = await service_tables(request).dead_letters(service, consumer, limit, offset)
    if found is None:
        raise NotFound("dead-letters", service)
    items = await _with_redrives(request, service, [{**i, "payload": None} for i in found["items"]])
    return DeadLetterPage(total=found["total"], items=items)


@router.get("/dead-letters/{service}/{dead_letter_id}")
async def dead_letter(request: Request, service: str = Service, dead_letter_id: int = DeadLetterId,
                      _: Actor = Depends(OPERATORS)) -> DeadLetterView:
    """One dead letter with its record's value."""
    found = await service_tables(request).dead_letter(service, dead_letter_id)
    if found is None:
        raise NotFound("dead-letter", f"{service}/{dead_letter_id}")
    return (await _with_redrives(request, service, [found]))[0]


@router.post("/dead-letters/{service}/{dead_letter_id}/redrive")
async def redrive(request: Request, service: str = Service, dead_letter_id: int = DeadLetterId,
                  actor: Actor = Depends(OPERATORS)) -> RedriveView:
    """Publish the dead letter's event again on its original topic, once its cause is fixed; its consumer handles it
    (the others skip it: they have it). Recorded with who asked; refused (409 ``already_redriven``) once the broker
    took it, so it is never published twice by accident, and (409 ``redrive_in_progress``) while another request of it
    awaits its outcome. 503 ``redrive_not_published`` when the broker did not take it: asking again publishes it."""
    with acting(actor, request):
        done = await handlers.redrive_dead_letter(redrive_ports(request), Operator(actor.id, str(actor.role)),
                                                  service, dead_letter_id)
    return RedriveView.of(done)
