"""The console's app: session cookie, its own static assets, the sign-in pages and every page router."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from console.config import ConsoleSettings
from console.gateway import Gateway
from console.pages import PAGE_ROUTERS
from console.rendering import render
from console.session import FormKeyMismatch, PageForbidden, SignInRequired
from shared.http.access import log_requests
from shared.settings import KernelSettings

STATIC = Path(__file__).with_name("static")


def create_app(settings: ConsoleSettings | None = None, kernel: KernelSettings | None = None,
               gateway: Gateway | None = None) -> FastAPI:
    settings = settings or ConsoleSettings()
    kernel = kernel or KernelSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.gateway = gateway or Gateway(settings.service_urls(), settings.request_timeout_seconds)
        try:
            yield
        finally:
            await app.state.gateway.close()

    # The console's pages are HTML for people; its OpenAPI documents the few JSON routes (health) and the forms.
    app = FastAPI(title="OCOP console", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.kernel = kernel
    app.state.development_sign_in = settings.development_sign_in_allowed(kernel)
    app.state.asset_version = _asset_version()
    secret = settings.session_secret.get_secret_value() if settings.session_secret else secrets.token_urlsafe(32)
    app.add_middleware(SessionMiddleware, secret_key=secret, session_cookie="ocop_console",
                       max_age=int(settings.session_hours * 3600), same_site="lax", https_only=settings.secure_cookies)
    log_requests(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in PAGE_ROUTERS:
        app.include_router(router)
    _install_error_pages(app)
    return app


def _asset_version() -> str:
    """A digest of the static files: their URLs change when they do, so a browser never mixes old and new."""
    digest = hashlib.sha256()
    for path in sorted(STATIC.iterdir()):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def _install_error_pages(app: FastAPI) -> None:
    @app.exception_handler(SignInRequired)
    async def to_sign_in(request: Request, exc: SignInRequired):
        where = f"/sign-in?next={quote(exc.next_path, safe='')}"
        if exc.reason:
            where += f"&reason={exc.reason}"
        return RedirectResponse(where, status_code=303)

    @app.exception_handler(PageForbidden)
    async def forbidden(request: Request, exc: PageForbidden):
        return render(request, "error.html", exc.viewer, status_code=403,
                      message_key="error.page_forbidden", message_values={"role": exc.viewer.role.value})

    @app.exception_handler(FormKeyMismatch)
    async def stale_form(request: Request, exc: FormKeyMismatch):
        return render(request, "error.html", None, status_code=403, message_key="error.bad_request",
                      message_values={"detail": "form key"})
