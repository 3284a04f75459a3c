"""The rating pages (*Đánh giá, phân hạng*): council sessions with their results tables (the printed Vietnamese table
as a page), decisions and certificates, read from rating's API.

A district officer sees their district only: its councils' sessions and certificates (``district_code`` forced), and
of the provincial and central sessions and of the decisions only the lines of their district's products (rating lets
every role read the whole table; the console keeps their district's rows).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request

from console.params import CivilDay
from console.gateway import Refusal, gather, segment
from console.rendering import render
from console.session import Page, Viewer, viewer_for

router = APIRouter()

LEVELS = ("district", "provincial", "central")
SESSION_STATUSES = ("open", "partly_finalised", "finalised", "decided")
DECISION_KINDS = ("recognition", "revocation", "re_rating", "warning")
PAGE_SIZE = 25
#: Upper (provincial, central) sessions shown to a district officer per level: a province holds a few a year.
UPPER_SESSIONS = 100
DISTRICT = r"^\d{3}$"
Viewing = Annotated[Viewer, Depends(viewer_for(Page.rating))]
Offset = Annotated[int, Query(ge=0, le=100_000)]
Year = Annotated[int | None, Query(ge=2000, le=2100)]


async def district_names(request: Request) -> dict[str, str]:
    """District code → name (registration's public reference; empty when it does not answer)."""
    answer = await request.app.state.gateway.get(None, "registration", "/reference/districts")
    if isinstance(answer, Refusal) or not isinstance(answer, list):
        return {}
    return {d["code"]: d["name"] for d in answer if isinstance(d, dict) and "code" in d}


def pager(path: str, filters: dict[str, Any], listing: Any, offset: int, size: int) -> dict[str, Any] | None:
    """The links to the previous and next pages of a listing (None at either end), keeping its filters."""
    if not isinstance(listing, dict):
        return None
    total = listing.get("total", 0)

    def at(start: int) -> str:
        kept = {key: value for key, value in filters.items() if value not in (None, "")}
        if start:
            kept["offset"] = start
        return path + ("?" + urlencode(kept) if kept else "")

    return {"previous": at(max(0, offset - size)) if offset > 0 else None,
            "next": at(offset + size) if offset + size < total else None,
            "first": offset + 1 if total else 0, "last": min(total, offset + size), "total": total}


def _mine(rows: list[dict[str, Any]], district: str | None) -> list[dict[str, Any]]:
    return rows if district is None else [r for r in rows if r.get("district_code") == district]


# ----------------------------------------------------------------------------------------------- sessions


@router.get("/rating", include_in_schema=False)
async def sessions(request: Request, viewer: Viewing,
                   level: Annotated[str | None, Query(pattern="^(district|provincial|central)$")] = None,
                   district_code: Annotated[str | None, Query(pattern=DISTRICT)] = None,
                   cycle_year: Year = None,
                   status: Annotated[str | None, Query(pattern="^(open|partly_finalised|finalised|decided)$")] = None,
                   offset: Offset = 0):
    gateway = request.app.state.gateway
    mine = viewer.scoped_district
    shown = {"level": level, "district_code": None if mine else district_code, "cycle_year": cycle_year,
             "status": status}
    filters = {**shown, "district_code": mine or district_code}
    if mine and level in ("provincial", "central"):
        filters["district_code"] = None  # the upper councils' sessions have no district: their rows are filtered
    listing, councils, names = await gather(
        gateway.get(viewer.token, "rating", "/sessions", {**filters, "limit": PAGE_SIZE, "offset": offset}),
        gateway.get(viewer.token, "rating", "/councils"),
        district_names(request))
    upper: list[dict[str, Any]] | Refusal = []
    if mine and level in (None, "provincial", "central"):
        upper = await _upper_sessions(request, viewer, cycle_year, status, level)
    if mine and level in ("provincial", "central"):
        listing = {"total": 0, "items": []}  # shown as ``upper``, with their district's products only
    if not isinstance(councils, Refusal):
        councils = [c for c in councils if not mine or c.get("district_code") in (None, mine)]
    return render(request, "rating/sessions.html", viewer, page=Page.rating, tab="sessions", listing=listing,
                  upper=upper, councils=councils, names=names, levels=LEVELS, statuses=SESSION_STATUSES,
                  filters=shown, pages=pager("/rating", shown, listing, offset, PAGE_SIZE))


async def _upper_sessions(request: Request, viewer: Viewer, cycle_year: int | None, status: str | None,
                          level: str | None) -> list[dict[str, Any]] | Refusal:
    """For a district officer: the provincial and central sessions that examined products of their district, each
    with how many of them (rating counts them: ``examined_district``)."""
    gateway = request.app.state.gateway
    levels = (level,) if level else ("provincial", "central")
    listings = await gather(*(gateway.get(viewer.token, "rating", "/sessions",
                                          {"level": one, "cycle_year": cycle_year, "status": status,
                                           "examined_district": viewer.scoped_district, "limit": UPPER_SESSIONS})
                              for one in levels))
    upper = []
    for listing in listings:
        if isinstance(listing, Refusal):
            return listing
        upper += [{**s, "ours": s["examined_in_district"]} for s in listing["items"]]
    return sorted(upper, key=lambda s: (s["held_on"], s["session_id"]))


@router.get("/rating/sessions/{session_id}", include_in_schema=False)
async def session(request: Request, viewer: Viewing, session_id: str):
    gateway = request.app.state.gateway
    path = f"/sessions/{segment(session_id)}"
    detail, results, names = await gather(gateway.get(viewer.token, "rating", path),
                                          gateway.get(viewer.token, "rating", path + "/results"),
                                          district_names(request))
    council = None
    if not isinstance(detail, Refusal):
        council = await gateway.get(viewer.token, "rating", f"/councils/{segment(detail['council_id'])}") or None
    mine = viewer.scoped_district
    other_district = (not isinstance(detail, Refusal) and mine is not None and detail["level"] == "district"
                      and detail["district_code"] != mine)
    rows: list[dict[str, Any]] = []
    outcomes: dict[str, int] = {}
    if not isinstance(results, Refusal) and not other_district:
        rows = _mine(results["results"], mine)
        outcomes = _outcomes(rows)
    return render(request, "rating/session.html", viewer, page=Page.rating, tab="sessions", detail=detail,
                  council=council, results=results, rows=rows, outcomes=outcomes, other_district=other_district,
                  filtered=mine is not None and not isinstance(detail, Refusal) and detail["level"] != "district",
                  names=names, status_code=404 if isinstance(detail, Refusal) and detail.kind == "not_found" else 200)


def _outcomes(rows: list[dict[str, Any]]) -> dict[str, int]:
    """Outcome → products among ``rows`` (withdrawn and products without a result apart), as the printed table
    closes."""
    counted: dict[str, int] = {}
    for row in rows:
        outcome = row.get("outcome")
        if outcome and outcome != "withdrawn":
            counted[outcome] = counted.get(outcome, 0) + 1
    return counted


# ----------------------------------------------------------------------------------------------- decisions


@router.get("/rating/decisions", include_in_schema=False)
async def decisions(request: Request, viewer: Viewing, year: Year = None,
                    kind: Annotated[str | None, Query(pattern="^(recognition|revocation|re_rating|warning)$")] = None,
                    offset: Offset = 0):
    """Decisions in date order; a district officer's those covering products of their district, with how many."""
    mine = viewer.scoped_district
    shown = {"year": year, "kind": kind}
    listing = await request.app.state.gateway.get(viewer.token, "rating", "/decisions", {
        "year": year, "kind": kind, "district_code": mine, "limit": PAGE_SIZE, "offset": offset})
    if mine and not isinstance(listing, Refusal):
        listing = {**listing, "items": [{**d, "ours": d["district_products"]} for d in listing["items"]]}
    return render(request, "rating/decisions.html", viewer, page=Page.rating, tab="decisions", listing=listing,
                  kinds=DECISION_KINDS, filters=shown, pages=pager("/rating/decisions", shown, listing, offset,
                                                                   PAGE_SIZE))


@router.get("/rating/decisions/{number:path}", include_in_schema=False)
async def decision(request: Request, viewer: Viewing, number: str, year: Year = None,
                   body: Annotated[str | None, Query(pattern="^(province|centre)$")] = None):
    detail, names = await gather(request.app.state.gateway.get(viewer.token, "rating", f"/decisions/{segment(number)}",
                                                               {"year": year, "body": body}),
                                 district_names(request))
    entries = [] if isinstance(detail, Refusal) else _mine(detail["entries"], viewer.scoped_district)
    return render(request, "rating/decision.html", viewer, page=Page.rating, tab="decisions", number=number,
                  detail=detail, entries=entries, names=names,
                  status_code=404 if isinstance(detail, Refusal) and detail.kind == "not_found" else 200)


# ----------------------------------------------------------------------------------------------- certificates


@router.get("/rating/certificates", include_in_schema=False)
async def certificates(request: Request, viewer: Viewing, as_of: Annotated[CivilDay, Query()] = None,
                       district_code: Annotated[str | None, Query(pattern=DISTRICT)] = None,
                       product_set: Annotated[int | None, Query(ge=1, le=26)] = None,
                       stars: Annotated[int | None, Query(ge=3, le=5)] = None, offset: Offset = 0):
    gateway = request.app.state.gateway
    filters = {"as_of": as_of.isoformat() if as_of else None,
               "district_code": viewer.scoped_district or district_code, "product_set": product_set, "stars": stars}
    listing, names = await gather(
        gateway.get(viewer.token, "rating", "/certificates", {**filters, "limit": PAGE_SIZE, "offset": offset}),
        district_names(request))
    shown = {**filters, "district_code": None if viewer.scoped_district else district_code}
    return render(request, "rating/certificates.html", viewer, page=Page.rating, tab="certificates",
                  listing=listing, names=names, filters=shown,
                  pages=pager("/rating/certificates", shown, listing, offset, PAGE_SIZE))
