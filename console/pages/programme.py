"""The programme page (being built)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from console.rendering import render
from console.session import Page, Viewer, viewer_for

router = APIRouter()


@router.get("/", include_in_schema=False)
async def programme(request: Request, viewer: Annotated[Viewer, Depends(viewer_for(Page.programme))]):
    gateway = request.app.state.gateway
    summary = await gateway.get(viewer.token, "registration", "/summary", {"cycle_year": 2021})
    return render(request, "programme.html", viewer, page=Page.programme, summary=summary)
