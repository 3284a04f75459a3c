"""The audit timeline (per product, per actor) and the traces it links to."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query, Request

from services.monitoring.operations.adapters import queries, traces
from services.monitoring.operations.entrypoints.deps import settings_of
from services.monitoring.operations.entrypoints.views import TimelineEntry, TimelinePage, TraceView
from shared.auth import Actor, require
from shared.contracts.roles import Role
from shared.http.app import runtime_of
from shared.uow import NotFound

router = APIRouter(tags=["audit"])
# Who follows a product across services: the provincial office, inspectors, the central office, operators.
TIMELINE_READERS = (Role.provincial_office, Role.inspector, Role.central_office, Role.operator)
# What one officer did is for oversight: the provincial office and operators.
ACTOR_READERS = (Role.provincial_office, Role.operator)
Limit = Query(default=100, ge=1, le=1000)
Offset = Query(default=0, ge=0)
TraceId = Path(pattern=r"^[0-9a-f]{32}$", description="W3C trace id, 32 lowercase hex digits")


async def _page(request: Request, query, key: str, limit: int, offset: int) -> TimelinePage:
    async with runtime_of(request).pool.acquire() as conn:
        found = await query(conn, key, limit, offset)
    external = settings_of(request).trace_link
    return TimelinePage(total=found["total"], items=[TimelineEntry.of(row, external) for row in found["items"]])


@router.get("/timeline/products/{product_id}")
async def product_timeline(request: Request, product_id: str = Path(min_length=1, max_length=200), limit: int = Limit,
                           offset: int = Offset, _: Actor = Depends(require(*TIMELINE_READERS))) -> TimelinePage:
    """Every public event about the product from the four services, in the order it happened, each with who decided,
    the decisions it names, the service that emitted it and its trace (``/traces/{trace_id}``)."""
    return await _page(request, queries.product_timeline, product_id, limit, offset)


@router.get("/timeline/actors/{actor_id}")
async def actor_timeline(request: Request, actor_id: str = Path(min_length=1, max_length=200), limit: int = Limit,
                         offset: int = Offset, _: Actor = Depends(require(*ACTOR_READERS))) -> TimelinePage:
    """What one officer decided, across services, in the order it happened (the public events naming them as actor)."""
    return await _page(request, queries.actor_timeline, actor_id, limit, offset)


@router.get("/traces/{trace_id}")
async def trace(request: Request, trace_id: str = TraceId,
                _: Actor = Depends(require(*Role.operations_roles()))) -> TraceView:
    """A flow's whole trace, span by span (HTTP request → outbox → Kafka → each consumer), with the public events heard
    in it; 404 when no span of it reached the store."""
    async with runtime_of(request).pool.acquire() as conn:
        spans = await traces.trace(conn, trace_id)
        events = await queries.trace_events(conn, trace_id)
    if not spans:
        raise NotFound("trace", trace_id)
    return TraceView.of(trace_id, spans, events)
