"""Sign-in (a bearer token, or the development sign-in while the development key is in use), sign-out, the
language switch and the health probes."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse

from console.gateway import Refusal
from console.rendering import render
from console.session import PAGE_PATHS, check_form_key, current_viewer, sign_in, sign_out, SignInRequired
from console.i18n import LANGUAGES
from shared.auth import mint_token
from shared.auth.errors import AuthError
from shared.contracts.roles import Role

router = APIRouter()

#: The roles the development sign-in offers (every role; the services decide what each may read).
DEVELOPMENT_ROLES: tuple[Role, ...] = tuple(Role)


def _local(path: str | None) -> str:
    """Only a path of this console (never another site) is a place to go back to."""
    if not path:
        return "/"
    parts = urlsplit(path)
    if parts.scheme or parts.netloc or not path.startswith("/") or path.startswith("//"):
        return "/"
    return path


def _landing(request: Request, next_path: str | None) -> RedirectResponse:
    if next_path and _local(next_path) != "/":
        return RedirectResponse(_local(next_path), status_code=303)
    viewer = current_viewer(request)
    pages = viewer.pages
    return RedirectResponse(PAGE_PATHS[pages[0]] if pages else f"/products", status_code=303)


async def _districts(request: Request) -> list[dict]:
    answer = await request.app.state.gateway.get(None, "registration", "/reference/districts")
    if isinstance(answer, Refusal):
        return []
    return answer.get("items", answer) if isinstance(answer, dict) else answer


@router.get("/sign-in", include_in_schema=False)
async def sign_in_page(request: Request, next: Annotated[str | None, Query(max_length=2000)] = None,
                       reason: Annotated[str | None, Query(max_length=100)] = None):
    development = request.app.state.development_sign_in
    return render(request, "sign_in.html", None, next_path=_local(next),
                  reason=reason if reason in ("signin.expired",) else None, refusal=None,
                  development=development, roles=DEVELOPMENT_ROLES,
                  districts=await _districts(request) if development else [])


@router.post("/sign-in", include_in_schema=False)
async def sign_in_with_token(request: Request, token: Annotated[str, Form(max_length=8000)],
                             form_key: Annotated[str, Form(max_length=100)],
                             next: Annotated[str | None, Form(max_length=2000)] = None):
    check_form_key(request, form_key)
    try:
        sign_in(request, request.app.state.kernel, token)
    except AuthError as exc:
        return await _refused(request, next, str(exc))
    return _landing(request, next)


@router.post("/sign-in/development", include_in_schema=False)
async def development_sign_in(request: Request, role: Annotated[str, Form(max_length=40)],
                              form_key: Annotated[str, Form(max_length=100)],
                              actor: Annotated[str, Form(min_length=1, max_length=100)] = "console-user",
                              district: Annotated[str | None, Form(max_length=3)] = None,
                              next: Annotated[str | None, Form(max_length=2000)] = None):
    check_form_key(request, form_key)
    if not request.app.state.development_sign_in:
        return await _refused(request, next, "development sign-in is off (a real OCOP_JWT_SECRET is in use)", 403)
    try:
        token = mint_token(request.app.state.kernel, actor_id=actor.strip() or "console-user", role=role,
                           district=district or None)
        sign_in(request, request.app.state.kernel, token)
    except (ValueError, AuthError) as exc:
        return await _refused(request, next, str(exc))
    return _landing(request, next)


@router.get("/sign-in/link", include_in_schema=False)
async def sign_in_link(request: Request, token: Annotated[str, Query(max_length=8000)],
                       next: Annotated[str | None, Query(max_length=2000)] = None):
    """The link ``ocop console-login`` prints: signs in with its token and goes on without it in the address."""
    try:
        sign_in(request, request.app.state.kernel, token)
    except AuthError as exc:
        return await _refused(request, next, str(exc))
    return _landing(request, next)


async def _refused(request: Request, next_path: str | None, reason: str, status: int = 400):
    development = request.app.state.development_sign_in
    return render(request, "sign_in.html", None, status_code=status, next_path=_local(next_path), reason=None,
                  refusal=reason, development=development, roles=DEVELOPMENT_ROLES,
                  districts=await _districts(request) if development else [])


@router.post("/sign-out", include_in_schema=False)
async def sign_out_route(request: Request, form_key: Annotated[str, Form(max_length=100)]):
    check_form_key(request, form_key)
    sign_out(request)
    return RedirectResponse("/sign-in", status_code=303)


@router.get("/language/{lang}", include_in_schema=False)
async def switch_language(request: Request, lang: str, next: Annotated[str | None, Query(max_length=2000)] = None):
    if lang in LANGUAGES:
        request.session["lang"] = lang
    return RedirectResponse(_local(next), status_code=303)


@router.get("/healthz", tags=["health"])
async def healthz() -> dict[str, str]:
    """The process answers."""
    return {"status": "ok"}


@router.get("/readyz", tags=["health"])
async def readyz() -> dict[str, str]:
    """The console is ready: it holds no data of its own, so it is ready once it answers (a service down shows on
    the pages that read it)."""
    return {"status": "ready"}
