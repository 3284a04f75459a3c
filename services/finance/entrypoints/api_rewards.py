"""HTTP routes of reward claims, recoveries and the rewards' reports (khen thưởng): validate, call one handler or
query, answer."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import PlainTextResponse

from services.finance.adapters import queries, reports
from services.finance.adapters.reconciliation import reconcile
from services.finance.application import rewards as handlers
from services.finance.application.access import FINANCE
from services.finance.application.funding import retry_waiting
from services.finance.domain.values import Decision, Payment
from services.finance.entrypoints import report_views as rv
from services.finance.entrypoints import schemas as s
from services.finance.entrypoints import views as v
from services.finance.entrypoints.printing import round_summary
from services.finance.entrypoints.reading import District, Limit, Offset, Year, found, read
from shared.auth import Actor, current_actor, require
from shared.contracts.roles import Role
from shared.http.app import acting, ports_of, runtime_of

router = APIRouter()
Stars = Query(default=None, ge=3, le=5)
CLAIM_STATUS = "^(waiting_for_budget|reserved|approved|partly_paid|paid|on_hold|cancelled)$"


def _decision(body: s.DecisionBody) -> Decision:
    return Decision(body.number, body.date, body.issued_by)


def _payment(body: s.PaymentBody) -> Payment:
    return Payment(body.amount, body.voucher, body.paid_on)


@router.get("/claims", tags=["rewards"])
async def list_claims(request: Request, plan_year: int | None = Year, district_code: str | None = District,
                      stars: int | None = Stars, decision: str | None = Query(default=None, max_length=100),
                      status_: str | None = Query(default=None, alias="status", pattern=CLAIM_STATUS),
                      product_id: str | None = Query(default=None, max_length=64), limit: int = Limit,
                      offset: int = Offset, _: Actor = Depends(current_actor)) -> rv.ClaimPage:
    """Reward claims by plan year, district, star, recognition decision (the round), status or product."""
    f = queries.ClaimFilter(plan_year, district_code, stars, decision, status_, product_id, limit, offset)
    return rv.ClaimPage(**await read(request, queries.claims, f))


@router.get("/claims/waiting", tags=["rewards"])
async def waiting(request: Request, plan_year: int | None = Year, limit: int = Limit, offset: int = Offset,
                  _: Actor = Depends(current_actor)) -> rv.ClaimPage:
    """Claims waiting for budget, oldest first, with what their line lacked at the last try."""
    f = queries.ClaimFilter(plan_year=plan_year, status="waiting_for_budget", limit=limit, offset=offset)
    return rv.ClaimPage(**await read(request, queries.claims, f))


@router.post("/claims/waiting/retry", tags=["rewards"])
async def retry(request: Request, actor: Actor = Depends(require(*FINANCE))) -> v.RetriedView:
    """Try every waiting claim's line again, oldest first (each in its own unit; never more than a line holds)."""
    with acting(actor, request):
        return v.RetriedView(funded_claims=await retry_waiting(ports_of(request)))


@router.get("/claims/{claim_id}", tags=["rewards"])
async def get_claim(claim_id: str, request: Request, _: Actor = Depends(current_actor)) -> rv.ClaimRow:
    return rv.ClaimRow(**found(await read(request, queries.claim, claim_id), "claim", claim_id))


@router.post("/claims/{claim_id}/approval", tags=["rewards"])
async def approve_claim(claim_id: str, body: s.ClaimApprovalBody, request: Request,
                        actor: Actor = Depends(require(*FINANCE))) -> v.ClaimView:
    """A finance officer approves a claim (the manual step, or a waiting claim): a waiting claim first takes its money
    from its line (or the one named), refused whole (409 insufficient_funds) when it does not fit."""
    ports = ports_of(request)
    with acting(actor, request):
        claim = await handlers.approve_claim(ports, actor, claim_id, decision=_decision(body.decision),
                                             on=body.on or ports.today(), budget_line=body.budget_line,
                                             funding_source=body.funding_source)
    return v.ClaimView.of(claim)


@router.post("/claims/{claim_id}/payments", tags=["rewards"])
async def pay_claim(claim_id: str, body: s.PaymentBody, request: Request,
                    actor: Actor = Depends(require(*FINANCE))) -> v.ClaimView:
    """Chi trả: date, voucher, amount; partial payments add up to the approved amount, never above it."""
    with acting(actor, request):
        return v.ClaimView.of(await handlers.pay_claim(ports_of(request), claim_id, _payment(body)))


@router.post("/claims/{claim_id}/hold-release", tags=["rewards"])
async def release_hold(claim_id: str, body: s.DecidedBody, request: Request,
                       actor: Actor = Depends(require(*FINANCE))) -> v.ClaimView:
    """The held claim goes on from where it stood (a waiting one tries its line again)."""
    with acting(actor, request):
        claim = await handlers.release_hold(ports_of(request), actor, claim_id, decision=_decision(body.decision),
                                            reason=body.reason)
    return v.ClaimView.of(claim)


@router.post("/claims/{claim_id}/cancellation", tags=["rewards"])
async def cancel_claim(claim_id: str, body: s.DecidedBody, request: Request,
                       actor: Actor = Depends(require(*FINANCE))) -> v.ClaimView:
    """The held claim is cancelled; its unpaid money goes back to its line."""
    with acting(actor, request):
        claim = await handlers.cancel_claim(ports_of(request), actor, claim_id, decision=_decision(body.decision),
                                            reason=body.reason)
    return v.ClaimView.of(claim)


# ----------------------------------------------------------------------------------------------- holds, recoveries


@router.get("/holds", tags=["holds and recoveries"])
async def holds(request: Request, limit: int = Limit, offset: int = Offset,
                _: Actor = Depends(current_actor)) -> rv.ClaimPage:
    """Claims on hold after a revocation or downgrade, awaiting a finance officer's release or cancellation."""
    f = queries.ClaimFilter(status="on_hold", limit=limit, offset=offset)
    return rv.ClaimPage(**await read(request, queries.claims, f))


@router.get("/recoveries", tags=["holds and recoveries"])
async def recoveries(request: Request, status_: str | None = Query(default=None, alias="status",
                                                                    pattern="^(open|recovered|waived)$"),
                     district_code: str | None = District,
                     _: Actor = Depends(current_actor)) -> list[rv.RecoveryRow]:
    """Money to be paid back after a revocation, with its product's names and district (of one district: its products
    only)."""
    return [rv.RecoveryRow(**row) for row in await read(request, queries.recoveries, status_, None, district_code)]


@router.post("/recoveries/{recovery_id}/payments", tags=["holds and recoveries"])
async def pay_back(recovery_id: str, body: s.PaymentBody, request: Request,
                   actor: Actor = Depends(require(*FINANCE))) -> v.RecoveryView:
    """Money paid back (nộp trả), in parts or whole, never above the recovery."""
    with acting(actor, request):
        return v.RecoveryView.of(await handlers.pay_back(ports_of(request), recovery_id, _payment(body)))


@router.post("/recoveries/{recovery_id}/waiver", tags=["holds and recoveries"])
async def waive(recovery_id: str, body: s.DecidedBody, request: Request,
                actor: Actor = Depends(require(*FINANCE))) -> v.RecoveryView:
    with acting(actor, request):
        recovery = await handlers.waive_recovery(ports_of(request), actor, recovery_id,
                                                 decision=_decision(body.decision), reason=body.reason)
    return v.RecoveryView.of(recovery)


# ----------------------------------------------------------------------------------------------- reports


@router.get("/rewards/totals", tags=["reports"])
async def reward_totals(request: Request, by: str = Query(pattern="^(district|stars|decision|line)$"),
                        plan_year: int | None = Year, district_code: str | None = District,
                        _: Actor = Depends(current_actor)) -> rv.RewardTotals:
    """Rewards by district, star, recognition decision (round) or budget line: claimed, approved, paid, waiting,
    on hold, recovered; of one district's products only with ``district_code``."""
    rows = await read(request, reports.reward_totals, by, plan_year, district_code)
    return rv.RewardTotals(by=by, plan_year=plan_year, district_code=district_code,
                           groups=[rv.RewardTotal(**r) for r in rows])


@router.get("/rewards/round", tags=["reports"], response_model=rv.RoundRewards,
            responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}},
                             "description": "The round's rewards as JSON, or printed in Vietnamese (format=text)."}})
async def round_rewards(request: Request, decision: str = Query(min_length=1, max_length=100),
                        format_: str = Query(default="json", alias="format", pattern="^(json|text)$"),
                        _: Actor = Depends(current_actor)) -> rv.RoundRewards | PlainTextResponse:
    """One round (đợt) as its recognition decision names it: every recognition, what it earned, what was paid."""
    summary = found(await read(request, reports.round_rewards, decision), "round", decision)
    if format_ == "text":
        return PlainTextResponse(round_summary(summary))
    return rv.RoundRewards(**summary)


@router.get("/products/{product_id}/money", tags=["reports"])
async def product_money(product_id: str, request: Request, _: Actor = Depends(current_actor)) -> rv.ProductMoney:
    """A product's money history: its claims, recoveries, support items and every fact, in order."""
    return rv.ProductMoney(**found(await read(request, reports.product_money, product_id), "product", product_id))


@router.get("/reconciliation", tags=["reports"])
async def reconciliation(request: Request, actor: Actor = Depends(
                             require(Role.finance_officer, Role.provincial_office, Role.operator))
                         ) -> rv.Reconciliation:
    """Đối soát: totals recomputed from the events against the read models and the published RewardApproved;
    ``differences`` is empty when all is well."""
    runtime = runtime_of(request)
    since = ports_of(request).clock() - timedelta(days=runtime.settings.outbox_retention_days)
    report = await read(request, reconcile, runtime.definition.events, since)
    return rv.Reconciliation(**report)
