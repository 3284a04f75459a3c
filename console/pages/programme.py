"""The programme page (``/``): the plan year's targets, the registration pipeline, certificates in force and those
about to expire, province-wide or for one district (a district officer's own, whatever the address says).

Every figure comes from an aggregate of a service: monitoring's target progress, registration's summary by district
and status, rating's dossier counts by district and status (the "rated" stage) and certificate counts by star, product
set and district, monitoring's register with its total (of which the 50 soonest to expire are listed). A render makes
7 calls to the services at once, whatever the number of products.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from console.params import CivilDay
from console.formatting import today
from console.gateway import Refusal, gather
from console.i18n import translator
from console.rendering import render
from console.session import Page, Viewer, viewer_for

router = APIRouter()

FIRST_PLAN_YEAR, LAST_PLAN_YEAR = 2018, 2100
DEFAULT_PLAN_YEAR = 2021
DEFAULT_WITHIN_DAYS = 90
#: How many certificates about to expire the page lists (their total is always shown).
EXPIRING_SHOWN = 50
STARS = (3, 4, 5)
PRODUCT_SETS = range(1, 27)
#: Registration's statuses in the order of the pipeline (returned and rejected branch off "proposed").
STATUSES = ("submitted", "proposed", "returned", "selected", "rejected", "sent_to_province")
#: The pipeline's stages: a registration has reached a stage when its status is one of these.
REACHED: dict[str, tuple[str, ...]] = {
    "submitted": STATUSES,
    "proposed": ("proposed", "returned", "selected", "rejected", "sent_to_province"),
    "selected": ("selected", "sent_to_province"),
    "sent": ("sent_to_province",),
}
STAGES = ("submitted", "proposed", "selected", "sent", "rated")
#: A dossier in these statuses has no council result in its cycle yet (re-entered: not yet in the new cycle).
NOT_RATED = frozenset({"new", "awaiting_council", "in_session", "withdrawn_from_session"})

#: The 27 district-level units on a tile grid (column, row) that keeps their places roughly as on a map of Thanh Hóa:
#: the mountains to the west, the coast to the east, Nghi Sơn to the south.
TILES: dict[str, tuple[int, int]] = {
    "384": (0, 0), "385": (1, 0), "386": (2, 0), "390": (3, 0), "391": (4, 0), "381": (5, 0), "392": (6, 0),
    "401": (7, 0),
    "387": (1, 1), "388": (2, 1), "389": (3, 1), "393": (4, 1), "394": (5, 1), "400": (6, 1),
    "396": (2, 2), "395": (3, 2), "398": (4, 2), "405": (5, 2), "380": (6, 2), "399": (7, 2),
    "402": (2, 3), "403": (3, 3), "397": (4, 3), "404": (5, 3), "406": (6, 3), "382": (7, 3),
    "407": (5, 4),
}


@dataclass(frozen=True)
class Scope:
    """What the page shows: a plan year, a day, a window, and one district or (None) the whole province."""

    plan_year: int
    as_of: date
    within_days: int
    district: str | None
    province_figures: bool  # False for a district officer: no province totals, no other district


async def programme_figures(gateway: Any, token: str, scope: Scope, t: Any) -> dict[str, Any]:
    """Every read of the page, issued at once: 7 calls."""
    day, district = scope.as_of.isoformat(), scope.district
    districts, product_sets, progress, summary, dossiers, expiring, in_force = await gather(
        gateway.get(token, "registration", "/reference/districts"),
        gateway.get(token, "registration", "/reference/product-sets"),
        gateway.get(token, "monitoring", f"/targets/{scope.plan_year}/progress"),
        gateway.get(token, "registration", "/summary", {"cycle_year": scope.plan_year}),
        gateway.get(token, "rating", "/dossiers/counts", {"cycle_year": scope.plan_year, "district_code": district}),
        gateway.get(token, "monitoring", "/register", {"as_of": day, "within_days": scope.within_days,
                                                       "district_code": district, "limit": EXPIRING_SHOWN}),
        certificates_in_force(gateway, token, day, district))
    names = {d["code"]: d["name"] for d in districts} if isinstance(districts, list) else {}
    set_names = {s["number"]: s["name"] for s in product_sets} if isinstance(product_sets, list) else {}
    shown = [district] if district else list(names or TILES)
    targets = _targets(progress, scope, t)
    pipeline = _pipeline(summary, dossiers, shown)
    if not isinstance(pipeline, Refusal):
        pipeline["funnel"] = [(t(f"programme.stage.{stage}"), pipeline["total"][stage]) for stage in STAGES
                              if pipeline["total"][stage] is not None]
    if not isinstance(in_force, Refusal):
        in_force["by_set"] = [(n, set_names.get(n, str(n)), count) for n, count in in_force["by_set"].items() if count]
        in_force["district_chart"] = [(names.get(code, code), n) for code, n in in_force["by_district"].items() if n]
    return {
        "district_names": names,
        "districts_shown": shown,
        "targets": targets,
        "target_districts": [] if isinstance(targets, Refusal) else
        [code for code in shown if any(target["by_district"].get(code) for target in targets)],
        "pipeline": pipeline,
        "certificates": in_force,
        "expiring": expiring,
    }


async def certificates_in_force(gateway: Any, token: str, day: str, district: str | None) -> Any:
    """Certificates in force on ``day`` (in one district): their total and counts by star, product set and district
    (none for one district), from rating's ``/certificates/counts`` (one call), or a refusal."""
    counts = await gateway.get(token, "rating", "/certificates/counts", {"as_of": day, "district_code": district})
    if isinstance(counts, Refusal):
        return counts
    return {"total": counts["total"],
            "by_star": {s: counts["by_stars"].get(str(s), 0) for s in STARS},
            "by_set": {n: counts["by_product_set"].get(str(n), 0) for n in PRODUCT_SETS},
            "by_district": {} if district else {d: counts["by_district"].get(d, 0) for d in TILES}}


def _targets(progress: Any, scope: Scope, t: Any) -> Any:
    if isinstance(progress, Refusal):
        return progress

    def label(target: dict[str, Any]) -> str:
        key = f"programme.target.{target['target_id']}"
        return target["name_vi"] if t(key) == key else t(key)

    return [{
        "target_id": target["target_id"], "label": label(target), "at_least": target["at_least"],
        "rounds_chart": [(t("programme.round", n=r["round"]) if r["round"] else t("programme.round.none"),
                          r["products"]) for r in target["by_round"]],
        "achieved": target["achieved"], "met": target["met"], "by_round": target["by_round"],
        "by_district": target["by_district"],
        "district_achieved": target["by_district"].get(scope.district, 0) if scope.district else None,
    } for target in progress["targets"]]


def _pipeline(summary: Any, dossiers: Any, districts: list[str]) -> Any:
    """district → stage → registrations that reached it (rated: rating's dossiers of the cycle that a council has
    given a result), with the current returned and rejected counts; and the totals."""
    if isinstance(summary, Refusal):
        return summary
    status_counts: dict[str, dict[str, int]] = {d: dict.fromkeys(STATUSES, 0) for d in districts}
    for row in summary:
        if row["district_code"] in status_counts and row["status"] in STATUSES:
            status_counts[row["district_code"]][row["status"]] += row["count"]
    rated: dict[str, int | None] = dict.fromkeys(districts, None)
    if not isinstance(dossiers, Refusal):
        rated = dict.fromkeys(districts, 0)
        for code, statuses in dossiers["by_district"].items():
            if code in rated:
                rated[code] = sum(n for status, n in statuses.items() if status not in NOT_RATED)
    rows = []
    for code in districts:
        counts = status_counts[code]
        row = {stage: sum(counts[s] for s in statuses) for stage, statuses in REACHED.items()}
        row.update(rated=rated[code], returned=counts["returned"], rejected=counts["rejected"], district=code)
        rows.append(row)
    keys = (*STAGES, "returned", "rejected")
    total = {key: sum(row[key] or 0 for row in rows) for key in keys}
    if isinstance(dossiers, Refusal):
        total["rated"] = None
    return {"rows": [row for row in rows if any(row[key] for key in keys)] if len(rows) > 1 else rows,
            "total": total, "rated_refused": dossiers if isinstance(dossiers, Refusal) else None}


def tile_map(names: dict[str, str], counts: dict[str, int | None]) -> list[dict[str, Any]]:
    """The map's tiles: each district's place, name, count and shade (0 none … 4 the most)."""
    top = max((c or 0 for c in counts.values()), default=0)
    tiles = []
    for code, (column, row) in TILES.items():
        count = counts.get(code) or 0
        shade = 0 if not count else 1 + min(3, (3 * count) // max(top, 1))
        short = re.sub(r"^(Huyện|Thị xã|Thành phố)\s+", "", names.get(code, code))
        tiles.append({"code": code, "column": column, "row": row, "name": names.get(code, code), "short": short,
                      "count": count, "shade": shade})
    return tiles


@router.get("/", include_in_schema=False)
async def programme(request: Request, viewer: Annotated[Viewer, Depends(viewer_for(Page.programme))],
                    plan_year: Annotated[int, Query(ge=FIRST_PLAN_YEAR, le=LAST_PLAN_YEAR)] = DEFAULT_PLAN_YEAR,
                    as_of: Annotated[CivilDay, Query()] = None,
                    within_days: Annotated[int, Query(ge=0, le=3660)] = DEFAULT_WITHIN_DAYS,
                    district: Annotated[str | None, Query(pattern=r"^(\d{3})?$")] = None):
    day = as_of or today()
    forced = viewer.scoped_district
    scope = Scope(plan_year=plan_year, as_of=day, within_days=within_days,
                  district=forced or district or None, province_figures=forced is None)
    figures = await programme_figures(request.app.state.gateway, viewer.token, scope, translator(viewer.language))
    counts = figures["certificates"]["by_district"] if isinstance(figures["certificates"], dict) else {}
    return render(request, "programme.html", viewer, page=Page.programme, scope=scope, stages=STAGES,
                  tiles=tile_map(figures["district_names"], counts) if scope.district is None else [],
                  plan_years=range(max(FIRST_PLAN_YEAR, today().year - 8), today().year + 2), **figures)
