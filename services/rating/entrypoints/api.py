"""HTTP routes of rating: validate, query or call one handler, answer."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, Path, Query, Request, status
from fastapi.responses import HTMLResponse, PlainTextResponse

from services.rating.adapters import queries
from services.rating.application import handlers
from services.rating.domain.values import Member
from services.rating.entrypoints import dossier_views as dv
from services.rating.entrypoints import schemas as s
from services.rating.entrypoints import views as v
from services.rating.entrypoints.printing import results_page, results_table
from shared.auth import Actor, current_actor, require
from shared.contracts.roles import Role
from shared.http.app import acting, ports_of, runtime_of
from shared.http.params import OFFSET, CivilDate, limit_query, year_query
from shared.uow import NotFound

router = APIRouter()
Year = year_query()
# Any code of the shape: dossiers hold the codes registration's events carried (a filter naming none finds nothing).
District = Query(default=None, pattern=r"^\d{3}$")
Limit = limit_query()
Offset = OFFSET
ProductSet = Query(default=None, ge=s.FIRST_SET, le=s.LAST_SET)
COUNCIL_STAFF = (Role.district_officer, Role.provincial_office, Role.central_office, Role.council_secretary)


async def _read(request: Request, query: Any, *args: Any) -> Any:
    async with runtime_of(request).pool.acquire() as conn:
        return await query(conn, *args)


def _found(value: Any, kind: str, key: str) -> Any:
    if value is None:
        raise NotFound(kind, key)
    return value


# ----------------------------------------------------------------------------------------------- catalogue


@router.get("/catalogue/sheets/{product_set}", tags=["catalogue"])
async def sheet(request: Request, product_set: int = Path(ge=s.FIRST_SET, le=s.LAST_SET)) -> v.SheetView:
    """The scoring sheet (phiếu đánh giá) of a product set: parts, groups, criteria and their options.

    Public, without a token (docs/ROLES.md): the sheets are the appendices of the published Decisions 1048 and 781,
    which producers use to assess themselves before registering, and hold nobody's data."""
    return v.SheetView.of(ports_of(request).catalogue.sheet(product_set))


# ----------------------------------------------------------------------------------------------- dossiers


@router.get("/dossiers", tags=["dossiers"])
async def list_dossiers(
    request: Request,
    district_code: str | None = District,
    product_set: int | None = ProductSet,
    cycle_year: int | None = Year,
    status_: str | None = Query(default=None, alias="status", max_length=40),
    stage: str | None = Query(default=None, pattern="^(district|provincial|central)$"),
    limit: int = Limit,
    offset: int = Offset,
    _: Actor = Depends(current_actor),
) -> dv.DossierPage:
    f = queries.DossierFilter(district_code, product_set, cycle_year, status_, stage, limit, offset)
    return dv.DossierPage(**await _read(request, queries.list_dossiers, f))


@router.get("/dossiers/counts", tags=["dossiers"])
async def dossier_counts(request: Request, cycle_year: int | None = Year, district_code: str | None = District,
                         _: Actor = Depends(current_actor)) -> dv.DossierCounts:
    """How many dossiers there are (of a cycle, of a district) by district and status, in one call: a dashboard's
    figures without paging through ``GET /dossiers``."""
    counts = await _read(request, queries.dossier_counts, cycle_year, district_code)
    return dv.DossierCounts(cycle_year=cycle_year, district_code=district_code, **counts)


@router.get("/dossiers/{product_id}", tags=["dossiers"])
async def get_dossier(product_id: str, request: Request, _: Actor = Depends(current_actor)) -> dv.DossierView:
    return dv.DossierView(**_found(await _read(request, queries.dossier, product_id), "rating-dossier", product_id))


@router.get("/products/{product_id}/rating-history", tags=["dossiers"])
async def rating_history(product_id: str, request: Request, _: Actor = Depends(current_actor)) -> dv.RatingHistory:
    """Every attempt with every scorecard version, the decisions and certificates, and the dossier's events."""
    found = _found(await _read(request, queries.rating_history, product_id), "rating-dossier", product_id)
    return dv.RatingHistory(**found)


# ----------------------------------------------------------------------------------------------- councils

FORMS = (Role.district_officer, Role.provincial_office, Role.central_office)


@router.post("/councils", status_code=status.HTTP_201_CREATED, tags=["councils"])
async def form_council(body: s.CouncilBody, request: Request, actor: Actor = Depends(require(*FORMS))) -> v.CouncilView:
    with acting(actor, request):
        council = await handlers.form_council(ports_of(request), actor, level=body.level,
                                              district_code=body.district_code, name=body.name,
                                              members=[Member(**m.model_dump()) for m in body.members])
    return v.CouncilView.of(council)


@router.post("/councils/{council_id}/members", status_code=status.HTTP_201_CREATED, tags=["councils"])
async def appoint_member(council_id: str, body: s.MemberBody, request: Request,
                         actor: Actor = Depends(require(*FORMS))) -> v.CouncilView:
    with acting(actor, request):
        council = await handlers.appoint_member(ports_of(request), actor, council_id, Member(**body.model_dump()))
    return v.CouncilView.of(council)


@router.post("/councils/{council_id}/members/{member_id}/withdrawal", tags=["councils"])
async def withdraw_member(council_id: str, member_id: str, body: s.WithdrawalBody, request: Request,
                          actor: Actor = Depends(require(*FORMS))) -> v.CouncilView:
    with acting(actor, request):
        council = await handlers.withdraw_member(ports_of(request), actor, council_id, member_id, body.reason)
    return v.CouncilView.of(council)


@router.get("/councils", tags=["councils"])
async def list_councils(request: Request, level: str | None = Query(default=None, pattern="^(district|provincial|central)$"),
                        _: Actor = Depends(current_actor)) -> list[v.CouncilRecord]:
    return [v.CouncilRecord(**row) for row in await _read(request, queries.councils, level)]


@router.get("/councils/{council_id}", tags=["councils"])
async def get_council(council_id: str, request: Request, _: Actor = Depends(current_actor)) -> v.CouncilRecord:
    return v.CouncilRecord(**_found(await _read(request, queries.council, council_id), "council", council_id))


# ----------------------------------------------------------------------------------------------- sessions


@router.post("/sessions", status_code=status.HTTP_201_CREATED, tags=["sessions"])
async def open_session(body: s.SessionBody, request: Request, actor: Actor = Depends(require(*COUNCIL_STAFF))
                       ) -> v.SessionView:
    session_id = body.session_id or f"S-{body.cycle_year}-{uuid.uuid4().hex[:10]}"
    with acting(actor, request):
        session = await handlers.open_session(ports_of(request), actor, session_id=session_id,
                                              council_id=body.council_id, cycle_year=body.cycle_year, round_=body.round,
                                              title=body.title, held_on=body.held_on, product_ids=body.product_ids)
    return v.SessionView.of(session)


@router.post("/sessions/{session_id}/products", tags=["sessions"])
async def examine(session_id: str, body: s.ProductsBody, request: Request,
                  actor: Actor = Depends(require(*COUNCIL_STAFF))) -> v.SessionView:
    with acting(actor, request):
        session = await handlers.examine(ports_of(request), actor, session_id, body.product_ids)
    return v.SessionView.of(session)


@router.post("/sessions/{session_id}/products/{product_id}/withdrawal", tags=["sessions"])
async def withdraw(session_id: str, product_id: str, body: s.WithdrawalBody, request: Request,
                   actor: Actor = Depends(require(*COUNCIL_STAFF))) -> v.SessionView:
    """Take a product off the list before finalisation (the producer withdrew, the dossier is incomplete…)."""
    with acting(actor, request):
        session = await handlers.withdraw(ports_of(request), actor, session_id, product_id, body.reason)
    return v.SessionView.of(session)


@router.put("/sessions/{session_id}/products/{product_id}/scorecards/{member_id}", tags=["sessions"])
async def submit_scorecard(session_id: str, product_id: str, member_id: str, body: s.ScorecardBody, request: Request,
                           actor: Actor = Depends(require(Role.council_member, Role.council_secretary))
                           ) -> v.SubmittedScorecard:
    with acting(actor, request):
        card = await handlers.submit_scorecard(ports_of(request), actor, session_id=session_id,
                                               product_id=product_id, member_id=member_id, choices=body.choices,
                                               note=body.note)
    return v.SubmittedScorecard.of(session_id, card)


@router.post("/sessions/{session_id}/finalisation", tags=["sessions"])
async def finalise(session_id: str, body: s.FinaliseBody, request: Request,
                   actor: Actor = Depends(require(*COUNCIL_STAFF))) -> v.FinalisedSessionView:
    with acting(actor, request):
        session = await handlers.finalise_session(ports_of(request), actor, session_id,
                                                  body.finalised_on or ports_of(request).today())
    return v.FinalisedSessionView.of(session)


@router.get("/sessions", tags=["sessions"])
async def list_sessions(request: Request, level: str | None = Query(default=None, pattern="^(district|provincial|central)$"),
                        district_code: str | None = District, cycle_year: int | None = Year,
                        status_: str | None = Query(default=None, alias="status",
                                                    pattern="^(open|partly_finalised|finalised|decided)$"),
                        examined_district: str | None = Query(default=None, pattern=r"^\d{3}$"),
                        limit: int = Limit, offset: int = Offset, _: Actor = Depends(current_actor)
                        ) -> v.SessionPage:
    """Sessions by level, council district, cycle and status; ``examined_district``: those that examined products of
    that district (any level), each with how many."""
    f = queries.SessionFilter(level, district_code, cycle_year, status_, limit, offset, examined_district)
    return v.SessionPage(**await _read(request, queries.sessions, f))


@router.get("/sessions/{session_id}", tags=["sessions"])
async def get_session(session_id: str, request: Request, _: Actor = Depends(current_actor)) -> v.SessionDetail:
    return v.SessionDetail(**_found(await _read(request, queries.session, session_id), "council-session", session_id))


@router.get("/sessions/{session_id}/results", tags=["sessions"], response_model=v.SessionResults,
            responses={200: {"content": {"text/plain": {"schema": {"type": "string"}},
                                         "text/html": {"schema": {"type": "string"}}},
                             "description": "The results table as JSON, printed (format=text) or as a page to "
                                            "print (format=html)."}})
async def session_results(session_id: str, request: Request,
                          format_: str = Query(default="json", alias="format", pattern="^(json|text|html)$"),
                          _: Actor = Depends(current_actor)) -> v.SessionResults | PlainTextResponse | HTMLResponse:
    """The results table (bảng tổng hợp kết quả): product, producer, district and commune, mean, star, outcome.
    ``format=text`` prints it and ``format=html`` gives a page to print, both usable as the decision's annex."""
    session = _found(await _read(request, queries.session, session_id), "council-session", session_id)
    rows = await _read(request, queries.session_results, session_id)
    places = ports_of(request).places
    if format_ == "text":
        return PlainTextResponse(results_table(session, rows, places))
    if format_ == "html":
        return HTMLResponse(results_page(session, rows, places))
    return v.SessionResults.of(session, rows, places)


# ----------------------------------------------------------------------------------------------- certificates


@router.get("/certificates", tags=["certificates"])
async def certified(request: Request, as_of: CivilDate | None = None, district_code: str | None = District,
                    product_set: int | None = ProductSet,
                    stars: int | None = Query(default=None, ge=3, le=5), limit: int = Limit, offset: int = Offset,
                    _: Actor = Depends(current_actor)) -> dv.CertifiedPage:
    """Certified products as of a date (default today): certificates valid that day."""
    f = queries.CertificateFilter(as_of or ports_of(request).today(), district_code, product_set, stars, limit, offset)
    return dv.CertifiedPage(as_of=f.as_of, **await _read(request, queries.certified, f))


@router.get("/certificates/counts", tags=["certificates"])
async def certificate_counts(request: Request, as_of: CivilDate | None = None, district_code: str | None = District,
                             _: Actor = Depends(current_actor)) -> dv.CertificateCounts:
    """How many certificates are held on a date (default today), in all and by star, product set and district: the
    figures of a dashboard in one call (the lists are ``GET /certificates``)."""
    on = as_of or ports_of(request).today()
    counts = await _read(request, queries.certificate_counts, on, district_code)
    return dv.CertificateCounts(as_of=on, district_code=district_code, **counts)


@router.get("/certificates/expiring", tags=["certificates"])
async def expiring(request: Request, within_days: int = Query(ge=0, le=3660), as_of: CivilDate | None = None,
                   limit: int = Limit, offset: int = Offset, _: Actor = Depends(current_actor)) -> dv.ExpiringPage:
    on = as_of or ports_of(request).today()
    return dv.ExpiringPage(as_of=on, within_days=within_days,
                           **await _read(request, queries.expiring, on, within_days, limit, offset))


@router.get("/certificates/ended", tags=["certificates"])
async def ended(request: Request, until: CivilDate | None = None, since: CivilDate | None = None,
                district_code: str | None = District, product_set: int | None = ProductSet,
                reason: str | None = Query(default=None, pattern="^(expired|revoked|superseded|withdrawn)$"),
                limit: int = Limit, offset: int = Offset, _: Actor = Depends(current_actor)) -> dv.EndedPage:
    """Certificates that ended from ``since`` to ``until`` (default today), with the reason and the first day they no
    longer held: the products whose OCOP logo and star must no longer be printed. A certificate past its last valid
    day is listed as expired even before the expiry check reports it (``reported`` false). A ``since`` after
    ``until`` is an empty period, in which nothing ended (a rule between two parameters that OpenAPI cannot state)."""
    until = until or ports_of(request).today()
    f = queries.EndedFilter(until, since, district_code, product_set, reason, limit, offset)
    return dv.EndedPage(since=f.since, until=f.until, **await _read(request, queries.ended, f))


@router.post("/certificates/expiry-check", tags=["certificates"])
async def expiry_check(body: s.ExpiryCheckBody, request: Request,
                       actor: Actor = Depends(require(Role.provincial_office, Role.operator))) -> dv.ExpiryCheck:
    """Run the expiry check now, as of a date (default today); running it again changes nothing."""
    ports = ports_of(request)
    as_of = body.as_of or ports.today()
    with acting(actor, request):
        expired = await handlers.expire_due(ports, as_of)
    return dv.ExpiryCheck(as_of=as_of, expired=expired)
