"""One access line per HTTP request: method, route template, status, duration, actor, and the request's trace.

The middleware runs inside OpenTelemetry's server span (``FastAPIInstrumentor`` wraps every user middleware), so the
line's ``trace_id``/``span_id`` are the request's; once the app has answered, it reads the route routing chose and the
actor the auth dependency admitted (``request.state.actor``).
"""

from __future__ import annotations

import time
from typing import Any

import structlog
from starlette.applications import Starlette
from starlette.middleware import Middleware

# Probes come every few seconds from every orchestrator: at DEBUG they do not drown the requests of people.
PROBE_ROUTES = frozenset({"/healthz", "/readyz"})

log = structlog.get_logger("shared.http.access")
_ROUTE = "access_log_route"


def log_requests(app: Starlette) -> None:
    """Write an access line for every request of ``app``: call it after the app's other ``add_middleware``.

    :class:`AccessLog` goes outermost of the app's middleware, so it sees what the others answer (413, 503, 500);
    :class:`NoteRoute` innermost, where routing writes ``scope["route"]``: a middleware between them may give the
    inner app a copy of the scope (DatabaseFaults does, to run a request again), but not of the request's state.
    """
    app.user_middleware.insert(0, Middleware(AccessLog))
    app.user_middleware.append(Middleware(NoteRoute))


class NoteRoute:
    """ASGI middleware keeping the route routing chose in the request's state, for :class:`AccessLog`."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            if "route" in scope and "state" in scope:
                scope["state"][_ROUTE] = scope["route"]


class AccessLog:
    """ASGI middleware writing one ``http request`` line per request, also when the app raises (status 500)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        # Request state lives in the scope; created here so what routes store in it is seen after they answer.
        scope.setdefault("state", {})
        status: int | None = None

        async def sending(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception:
            # The server's error middleware answers 500 for what escaped the app (unless a response was started).
            status = status or 500
            raise
        finally:
            # status stays None only if the request was cancelled (client gone) before any answer.
            _write(scope, status, round((time.perf_counter() - started) * 1000, 2))


def _write(scope: dict[str, Any], status: int | None, duration_ms: float) -> None:
    route = _route_template(scope)
    actor = scope["state"].get("actor")
    write = log.debug if route in PROBE_ROUTES else log.info
    write(
        "http request",
        method=scope["method"],
        route=route,
        path=scope["path"],
        status=status,
        duration_ms=duration_ms,
        actor_id=getattr(actor, "id", None),
        actor_role=_role_of(actor),
    )


def _route_template(scope: dict[str, Any]) -> str | None:
    """The template of the route that took the request ("/registrations/{registration_id}"), None when none did."""
    route = scope["state"].get(_ROUTE) or scope.get("route")
    return getattr(route, "path", None)


def _role_of(actor: Any) -> str | None:
    role = getattr(actor, "role", None)
    return getattr(role, "value", role)
