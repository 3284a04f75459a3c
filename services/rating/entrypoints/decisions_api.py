"""HTTP routes of decisions (quyết định): record one, whatever its kind and however many products it covers, and find
them by number, year, kind or product.

A decision's number holds '/' (``1114/QĐ-UBND``): ``GET /decisions/{number}`` takes the rest of the path as the number
(``/decisions/1114/QĐ-UBND``, percent-encoded as any URL); ``year`` and ``body`` pick one when the number was used in
several years or by both bodies.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request, status

from services.rating.adapters import decision_queries as q
from services.rating.application import decisions
from services.rating.domain.errors import Ambiguous
from services.rating.domain.rulings import Ruling
from services.rating.domain.values import Decision
from services.rating.entrypoints import decision_views as v
from services.rating.entrypoints import dossier_views as dv
from services.rating.entrypoints import schemas as s
from services.rating.entrypoints.views import DecidedSessionView
from shared.auth import Actor, current_actor, require
from shared.contracts.roles import Role
from shared.http.app import acting, ports_of, runtime_of
from shared.http.params import OFFSET, limit_query, year_query
from shared.uow import NotFound

router = APIRouter()
Kind = Query(default=None, pattern="^(recognition|revocation|re_rating|warning)$")
Body = Query(default=None, pattern="^(province|centre)$")
Year = year_query()
OFFICES = (Role.provincial_office, Role.central_office)


def _decision(body: s.DecisionBody) -> Decision:
    return Decision(body.number, body.date, body.issued_by)


@router.post("/decisions", status_code=status.HTTP_201_CREATED, tags=["decisions"])
async def issue_decision(body: s.DecisionRecordBody, request: Request, actor: Actor = Depends(require(*OFFICES))
                         ) -> v.DecisionView:
    """Record one decision and everything it does, all or nothing: a recognition approves a provincial round's (or the
    central council's) results; a revocation, re-rating order or warning answers the failed inspections of every
    product it names. Its number is unique per issuing body and year (409 naming ``number``)."""
    with acting(actor, request):
        record = await decisions.issue_decision(
            ports_of(request), actor, kind=body.kind, decision=_decision(body), session_id=body.session_id,
            rulings=[Ruling(p.product_id, p.inspection_id, p.reason) for p in body.products])
    return v.DecisionView.of(record)


@router.get("/decisions", tags=["decisions"])
async def list_decisions(request: Request, year: int | None = Year, kind: str | None = Kind, body: str | None = Body,
                         product_id: str | None = Query(default=None, max_length=64),
                         district_code: str | None = Query(default=None, pattern=r"^\d{3}$"),
                         limit: int = limit_query(), offset: int = OFFSET,
                         _: Actor = Depends(current_actor)) -> v.DecisionPage:
    """Decisions by year, kind, issuing body, product; ``district_code``: those covering products of that district,
    each with how many."""
    f = q.DecisionFilter(year, kind, body, product_id, limit, offset, district_code)
    async with runtime_of(request).pool.acquire() as conn:
        return v.DecisionPage(**await q.decisions(conn, f))


@router.get("/decisions/{number:path}", tags=["decisions"])
async def get_decision(number: str, request: Request, year: int | None = Year, body: str | None = Body,
                       _: Actor = Depends(current_actor)) -> v.DecisionDetail:
    """The decision numbered ``number`` (the rest of the path, '/' included) with every product it covers."""
    async with runtime_of(request).pool.acquire() as conn:
        found = await q.numbered(conn, number, year, body)
    if not found:
        raise NotFound("decision", number)
    if len(found) > 1:
        uses = ", ".join(f"{d['year']} ({d['body']})" for d in found)
        raise Ambiguous(f"decision number {number} was used in {uses}: give year (and body)", field="year")
    return v.DecisionDetail(**found[0])


@router.post("/sessions/{session_id}/decision", tags=["sessions"])
async def record_decision(session_id: str, body: s.DecisionBody, request: Request,
                          actor: Actor = Depends(require(Role.provincial_office, Role.central_office))
                          ) -> DecidedSessionView:
    """The decision approving the session's results: the same as ``POST /decisions`` of kind recognition."""
    with acting(actor, request):
        session, record = await decisions.record_decision(ports_of(request), actor, session_id, _decision(body))
    return DecidedSessionView.after(session, record)


@router.post("/products/{product_id}/inspection-decision", tags=["certificates"])
async def inspection_decision(product_id: str, body: s.InspectionDecisionBody, request: Request,
                              actor: Actor = Depends(require(Role.provincial_office))) -> dv.InspectionDecided:
    """After InspectionFailed: revoke (with the decision), order re-rating, or close with a warning. Given a decision,
    it is recorded as a decision covering this product (``POST /decisions`` covers several at once)."""
    with acting(actor, request):
        dossier = await decisions.decide_inspection(
            ports_of(request), actor, product_id, inspection_id=body.inspection_id, action=body.action,
            reason=body.reason, on=body.on or ports_of(request).today(),
            decision=_decision(body.decision) if body.decision else None)
    return dv.InspectionDecided.of(dossier)
