"""HTTP routes of rating: validate, query or call one handler, answer."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from services.rating.adapters import queries
from shared.auth import Actor, current_actor
from shared.service import runtime_of
from shared.uow import NotFound

router = APIRouter()



@router.get("/dossiers", tags=["dossiers"])
async def list_dossiers(
    request: Request,
    district_code: str | None = Query(default=None, pattern=r"^\d{3}$"),
    product_set: int | None = Query(default=None, ge=1, le=26),
    cycle_year: int | None = Query(default=None, ge=2018, le=2100),
    limit: int = Query(default=50, ge=1, le=500),
    offset: int = Query(default=0, ge=0),
    _: Actor = Depends(current_actor),
) -> dict[str, Any]:
    f = queries.DossierFilter(district_code, product_set, cycle_year, limit, offset)
    async with runtime_of(request).pool.acquire() as conn:
        return await queries.list_dossiers(conn, f)


@router.get("/dossiers/{product_id}", tags=["dossiers"])
async def get_dossier(product_id: str, request: Request, _: Actor = Depends(current_actor)) -> dict[str, Any]:
    async with runtime_of(request).pool.acquire() as conn:
        found = await queries.dossier(conn, product_id)
    if found is None:
        raise NotFound("rating-dossier", product_id)
    return found
