"""Pages rendered on the server with Jinja2: the frame (navigation, language switch, who is signed in), the texts of
the person's language and the console's formats as filters (``|day``, ``|moment``, ``|money``, ``|number``,
``|stars``)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from opentelemetry import trace

from console import formatting
from console.gateway import Refusal
from console.i18n import translator
from console.session import PAGE_PATHS, Page, Viewer, form_key, language

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
_env = TEMPLATES.env
_env.filters.update(day=formatting.day, moment=formatting.moment, money=formatting.money, number=formatting.number,
                    stars=formatting.stars)
_env.globals.update(percent=formatting.percent, Page=Page, PAGE_PATHS=PAGE_PATHS,
                    refused=lambda value: isinstance(value, Refusal))


def render(request: Request, template: str, viewer: Viewer | None, *, status_code: int = 200,
           page: Page | None = None, **context: Any) -> HTMLResponse:
    """``template`` in the person's language, inside the frame; ``page`` marks the navigation's current entry."""
    lang = viewer.language if viewer else language(request)
    settings = request.app.state.settings
    return TEMPLATES.TemplateResponse(request, template, {
        "t": translator(lang),
        "lang": lang,
        "viewer": viewer,
        "page": page,
        "form_key": form_key(request),
        "refresh_seconds": settings.refresh_seconds,
        "rendered_at": datetime.now(formatting.VIETNAM).strftime("%H:%M:%S"),
        "asset_version": request.app.state.asset_version,
        "page_trace": _trace_id(),
        **context,
    }, status_code=status_code)


def _trace_id() -> str | None:
    """The trace of this page view (the console's calls to the services carry it), for the footer's link."""
    context = trace.get_current_span().get_span_context()
    return format(context.trace_id, "032x") if context.is_valid and context.trace_flags.sampled else None
