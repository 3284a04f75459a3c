"""The monitoring page (*Giám sát*): inspection campaigns, failed inspections and their follow-ups (overdue flagged),
and the districts' periodic reports as a grid of districts × periods (filed on time, late, missing, not due).

Everything comes from monitoring's API as the person reads it; a district officer sees their district only (their
district is forced into every query whatever the address says, and the district picker is not shown to them).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from console.params import CivilDay
from console.gateway import Refusal, gather
from console.rendering import render
from console.session import Page, Viewer, viewer_for

router = APIRouter()

#: The plan year shown when none is asked: the year the shipped reference data (units, deadlines, targets) covers.
DEFAULT_PLAN_YEAR = 2021
#: The order of the report periods in the grid (a kind the year adds comes after them).
PERIOD_ORDER = ("six_month", "annual")
REPORT_STATES = ("on_time", "late", "missing", "not_due")
DistrictCode = Annotated[str | None, Query(pattern=r"^\d{3}$")]


def report_grid(schedule: dict[str, Any]) -> dict[str, Any]:
    """The schedule as rows (one per district, in code order) of cells (one per period kind): ``{"kinds": [...],
    "rows": [{"code", "name", "cells": {kind: report}}]}``."""
    items = schedule.get("items", [])
    found = {item["kind"] for item in items}
    kinds = [k for k in PERIOD_ORDER if k in found] + sorted(found - set(PERIOD_ORDER))
    rows: dict[str, dict[str, Any]] = {}
    for item in items:
        row = rows.setdefault(item["district_code"], {"code": item["district_code"], "name": item["district_name"],
                                                      "cells": {}})
        row["cells"][item["kind"]] = item
    return {"kinds": kinds, "rows": [rows[code] for code in sorted(rows)]}


@router.get("/monitoring", include_in_schema=False)
async def monitoring(request: Request, viewer: Annotated[Viewer, Depends(viewer_for(Page.monitoring))],
                     plan_year: Annotated[int, Query(ge=2018, le=2100)] = DEFAULT_PLAN_YEAR,
                     as_of: Annotated[CivilDay, Query()] = None,
                     district_code: DistrictCode = None):
    gateway = request.app.state.gateway
    district = viewer.scoped_district or district_code
    on = as_of.isoformat() if as_of else None
    plan_params: dict[str, Any] = {"as_of": on, "limit": 50}
    if viewer.scoped_district:  # a district officer: the plans their district made
        plan_params.update(planner_kind="district", planner_code=viewer.scoped_district)
    plans, failed, follow_ups, schedule, districts = await gather(
        gateway.get(viewer.token, "monitoring", "/inspection-plans", plan_params),
        gateway.get(viewer.token, "monitoring", "/inspections",
                    {"result": "failed", "district_code": district, "as_of": on, "limit": 100}),
        gateway.get(viewer.token, "monitoring", "/follow-ups", {"as_of": on, "district_code": district}),
        gateway.get(viewer.token, "monitoring", "/reports",
                    {"plan_year": plan_year, "as_of": on, "district_code": district}),
        gateway.get(viewer.token, "registration", "/reference/districts"),
    )
    grid = report_grid(schedule) if not isinstance(schedule, Refusal) else None
    district_names = {d["code"]: d["name"] for d in districts} if isinstance(districts, list) else {}
    return render(request, "monitoring/monitoring.html", viewer, page=Page.monitoring, plans=plans, failed=failed,
                  follow_ups=follow_ups, schedule=schedule, grid=grid, plan_year=plan_year, as_of=on,
                  district=district, district_names=district_names, report_states=REPORT_STATES)
