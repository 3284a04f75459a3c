"""HTTP routes of support items (hỗ trợ theo Thông tư 08/2019/TT-BTC): validate, call one handler, answer."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Query, Request, status

from services.finance.adapters import queries
from services.finance.application import support as handlers
from services.finance.application.access import FINANCE, SUPPORT_PROPOSERS
from services.finance.domain.values import Decision, LineRef, Payment
from services.finance.entrypoints import report_views as rv
from services.finance.entrypoints import schemas as s
from services.finance.entrypoints import views as v
from services.finance.entrypoints.reading import Limit, Offset, Year, read
from shared.auth import Actor, current_actor, require
from shared.http.app import acting, ports_of

router = APIRouter(tags=["support"])


@router.post("/support-items", status_code=status.HTTP_201_CREATED)
async def propose(body: s.SupportBody, request: Request, actor: Actor = Depends(require(*SUPPORT_PROPOSERS))
                  ) -> v.SupportItemView:
    """Đề xuất hỗ trợ for a producer's product (plan items II.4.4, II.6.1, II.6.2); a district officer proposes only
    for a product of their district."""
    ports = ports_of(request)
    with acting(actor, request):
        item = await handlers.propose(
            ports, actor, body.item_id or f"HT-{body.plan_year}-{uuid.uuid4().hex[:10]}", plan_item=body.plan_item,
            purpose=body.purpose, amount=body.amount, line=LineRef(body.plan_year, body.budget_line,
                                                                   body.funding_source),
            product_id=body.product_id, producer_id=body.producer_id, on=body.on or ports.today())
    return v.SupportItemView.of(item)


@router.get("/support-items")
async def list_items(request: Request, product_id: str | None = Query(default=None, max_length=64),
                     status_: str | None = Query(default=None, alias="status",
                                                 pattern="^(proposed|approved|partly_paid|paid|cancelled)$"),
                     plan_year: int | None = Year, limit: int = Limit, offset: int = Offset,
                     _: Actor = Depends(current_actor)) -> rv.SupportPage:
    f = queries.SupportFilter(product_id, status_, plan_year, limit, offset)
    return rv.SupportPage(**await read(request, queries.support_items, f))


@router.get("/support-items/{item_id}")
async def get_item(item_id: str, request: Request, _: Actor = Depends(current_actor)) -> v.SupportItemView:
    return v.SupportItemView.of(await handlers.item(ports_of(request), item_id))


@router.post("/support-items/{item_id}/approval")
async def approve(item_id: str, body: s.SupportApprovalBody, request: Request,
                  actor: Actor = Depends(require(*FINANCE))) -> v.SupportItemView:
    """Approved with its money: reserved and committed on its line at once, refused whole when it does not fit."""
    ports = ports_of(request)
    decision = Decision(body.decision.number, body.decision.date, body.decision.issued_by)
    with acting(actor, request):
        item = await handlers.approve(ports, actor, item_id, decision=decision, on=body.on or ports.today())
    return v.SupportItemView.of(item)


@router.post("/support-items/{item_id}/payments")
async def pay(item_id: str, body: s.PaymentBody, request: Request,
              actor: Actor = Depends(require(*FINANCE))) -> v.SupportItemView:
    with acting(actor, request):
        item = await handlers.pay(ports_of(request), item_id, Payment(body.amount, body.voucher, body.paid_on))
    return v.SupportItemView.of(item)


@router.post("/support-items/{item_id}/cancellation")
async def cancel(item_id: str, body: s.RejectionBody, request: Request,
                 actor: Actor = Depends(require(*FINANCE))) -> v.SupportItemView:
    ports = ports_of(request)
    with acting(actor, request):
        item = await handlers.cancel(ports, actor, item_id, reason=body.reason, on=body.on or ports.today())
    return v.SupportItemView.of(item)
