"""The console's app: session cookie, its own static assets, the sign-in pages and every page router."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from starlette.exceptions import HTTPException
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from console.config import ConsoleSettings
from console.gateway import Gateway
from console.pages import PAGE_ROUTERS
from console.rendering import render
from console.session import FormKeyMismatch, PageForbidden, SignInRequired, current_viewer, token_sealer
from shared.http.access import log_requests
from shared.settings import KernelSettings

STATIC = Path(__file__).with_name("static")
log = structlog.get_logger(__name__)


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
    app.state.token_sealer = token_sealer(secret)
    app.add_middleware(SessionMiddleware, secret_key=secret, session_cookie="ocop_console",
                       max_age=int(settings.session_hours * 3600), same_site="lax",
                       https_only=settings.cookies_over_https_only(kernel))
    app.add_middleware(PageHeaders)
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

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        # A page's bad query or form: 400 naming the field and the rule, in the person's language, never a 500.
        first = exc.errors()[0] if exc.errors() else {}
        field = ".".join(str(part) for part in first.get("loc", ())[1:]) or "?"
        given = first.get("input")
        shown = given[:100] if isinstance(given, str) else "" if given is None else str(given)[:100]
        rule = str(first.get("msg", "")).removeprefix("Value error, ")
        return render(request, "error.html", _viewer_or_none(request), status_code=400,
                      message_key="error.invalid_field", message_values={"field": field, "rule": rule, "value": shown})

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        key = "error.not_found" if exc.status_code == 404 else "error.bad_request"
        return render(request, "error.html", _viewer_or_none(request), status_code=exc.status_code,
                      message_key=key, message_values={"detail": str(exc.detail)})

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        reference = secrets.token_hex(6)
        log.error("console page failed", reference=reference, path=request.url.path, exc_info=exc)
        return render(request, "error.html", None, status_code=500, message_key="error.unexpected",
                      message_values={"reference": reference})

    @app.exception_handler(FormKeyMismatch)
    async def stale_form(request: Request, exc: FormKeyMismatch):
        return render(request, "error.html", _viewer_or_none(request), status_code=403, message_key="error.stale_form",
                      message_values={})


def _viewer_or_none(request: Request):
    """The signed-in person for an error page's frame, or None (an error page never asks anyone to sign in)."""
    try:
        return current_viewer(request)
    except SignInRequired:
        return None


#: Sent with every answer: the console's pages may be shown only by itself (no framing by another site: the re-drive
#: button cannot be clicked through a frame), take scripts, styles and images only from it, post forms only to it;
#: what they show about people is not kept in shared caches or the browser's after sign-out.
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                                 b"img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'self'"),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
)


class PageHeaders:
    """ASGI middleware adding :data:`SECURITY_HEADERS`, and ``Cache-Control: no-store`` to everything but the static
    assets (whose addresses change with their content)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        static = scope["path"].startswith("/static/")

        async def sending(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", [])) + list(SECURITY_HEADERS)
                headers.append((b"cache-control", b"public, max-age=86400" if static else b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, sending)
