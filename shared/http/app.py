"""The FastAPI app of a service: its routers, operations routes, error bodies and body limit around a runtime.

``create_app`` turns a :class:`~shared.runtime.ServiceDefinition` into an app whose lifespan starts and stops the
service's :class:`~shared.runtime.ServiceRuntime`; routes reach the runtime with :func:`runtime_of`, the ports its
bootstrap built with :func:`ports_of`, and name their actor on recorded events with :func:`acting`.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

from shared.auth import Actor, require
from shared.context import message_context
from shared.http.access import log_requests
from shared.http.errors import SHARED_RESPONSES, install_error_handlers
from shared.http.faults import DatabaseFaults
from shared.http.limits import BodySizeLimit
from shared.http.openapi import document_storable_input
from shared.http.storable import storable_input
from shared.runtime import ServiceDefinition, ServiceRuntime
from shared.settings import ServiceSettings, service_settings


def create_app(definition: ServiceDefinition, settings: ServiceSettings | None = None) -> FastAPI:
    settings = settings or service_settings(definition.name)
    runtime = ServiceRuntime(definition, settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(title=f"OCOP {definition.name}", lifespan=lifespan, responses=SHARED_RESPONSES,
                  dependencies=[Depends(storable_input)])
    app.state.runtime = runtime
    app.state.settings = settings
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    app.add_middleware(DatabaseFaults, attempts=settings.http_attempts, retry_after=settings.http_retry_after_seconds,
                       reconnect=runtime.reconnect)
    log_requests(app)
    _add_operations_routes(app, runtime)
    install_error_handlers(app, definition.errors)
    for router in definition.routers:
        app.include_router(router)
    document_storable_input(app)
    # An HTTP command starts (or continues, from an incoming traceparent) the flow's trace. Without the ASGI
    # "http receive"/"http send" spans (two or three per request, each exported and stored by monitoring): the server
    # span already has the status and the duration, and they were half of a command's spans.
    FastAPIInstrumentor.instrument_app(app, excluded_urls="healthz,readyz", exclude_spans=["receive", "send"])
    return app


def _add_operations_routes(app: FastAPI, runtime: ServiceRuntime) -> None:
    name = runtime.definition.name
    operators = require(*runtime.settings.roles.operations_roles())

    @app.get("/healthz", tags=["operations"])
    async def healthz() -> dict[str, str]:
        return {"status": "alive", "service": name}

    @app.get("/readyz", tags=["operations"])
    async def readyz() -> JSONResponse:
        checks = await runtime.readiness()
        ready = all(v == "ok" for v in checks.values())
        return JSONResponse({"status": "ready" if ready else "not ready", **checks}, status_code=200 if ready else 503)

    @app.get("/ops/status", tags=["operations"])
    async def ops_status(_: Actor = Depends(operators)) -> dict[str, Any]:
        return await runtime.status()


@contextlib.contextmanager
def acting(actor: Actor, request: Request) -> Iterator[None]:
    """Events recorded in this block name the actor and carry the request's X-Correlation-ID, if any."""
    values: dict[str, Any] = {"actor": actor.as_event_actor()}
    if correlation := request.headers.get("x-correlation-id"):
        try:
            values["correlation_id"] = uuid.UUID(correlation)
        except ValueError:
            raise RequestValidationError([{"loc": ("header", "x-correlation-id"), "msg": "must be a UUID",
                                           "type": "uuid_parsing"}]) from None
    with message_context(**values):
        yield


def runtime_of(request: Request) -> ServiceRuntime:
    """The running service behind a route (set by ``create_app``)."""
    return request.app.state.runtime


def ports_of(request: Request) -> Any:
    """The ports the service's bootstrap built (its units of work, clock, catalogue, policy …)."""
    ports = request.app.state.runtime.ports
    assert ports is not None, "service not started"
    return ports
