"""OTLP/HTTP intake: the services export their spans here when no collector is configured (``make run``).

The router's lifespan runs the span store's background work (pruning, and keeping monitoring's own spans) while the
service process serves: FastAPI enters an included router's lifespan inside the app's, once the runtime started.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, Request, Response
from opentelemetry.instrumentation.utils import suppress_instrumentation
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse

from services.monitoring.operations.adapters import traces
from services.monitoring.operations.adapters.span_sink import span_store_work
from services.monitoring.operations.entrypoints.deps import app_settings, settings_of
from shared.http.app import runtime_of
from shared.http.errors import ErrorBody


@asynccontextmanager
async def span_store(app: Any) -> AsyncIterator[None]:
    settings = app_settings(app)
    async with span_store_work(app.state.runtime.pool, retention_days=settings.trace_retention_days,
                               prune_every=settings.trace_prune_every_seconds, own_spans=settings.trace_store_own_spans,
                               lone_database_spans=settings.trace_keep_lone_database_spans):
        yield


router = APIRouter(tags=["traces"], lifespan=span_store)
PROTOBUF = "application/x-protobuf"
#: The request body as OTLP/HTTP defines it. JSON Schema cannot describe a protobuf message: the binary body is any
#: bytes to the document, and bytes that are no ExportTraceServiceRequest are the documented 400. Another content type
#: is read as protobuf too (exporters differ); an empty body is an empty export.
_EXPORT_REQUEST = {"requestBody": {"required": False, "description": (
    "An ExportTraceServiceRequest (opentelemetry-proto collector/trace/v1): binary protobuf, or the same message in "
    "protobuf's JSON mapping (unknown fields ignored); `Content-Encoding: gzip` allowed."), "content": {
        PROTOBUF: {"schema": {"type": "string", "format": "binary"}},
        "application/json": {"schema": {
            "type": "object", "description": "ExportTraceServiceRequest in protobuf's JSON mapping",
            # Any other member is ignored, whatever it holds (the edge's storage rules apply to routes with a body
            # model; this one reads its body itself).
            "properties": {"resourceSpans": {"type": "array", "items": {"type": "object"}}}}}}}}


@router.post(traces.INGEST_ROUTE, response_class=Response, openapi_extra=_EXPORT_REQUEST, responses={
    200: {"content": {PROTOBUF: {"schema": {"type": "string", "format": "binary"}}},
          "description": "ExportTraceServiceResponse (binary protobuf): every span was kept"},
    400: {"model": ErrorBody, "description": "The body is not an ExportTraceServiceRequest, or not gzip when "
          "`Content-Encoding` says so (`error`: `invalid_otlp`, `field`: body)."}})
async def receive_spans(request: Request) -> Response:
    """OTLP/HTTP trace export (binary protobuf, or JSON; gzip allowed), as OpenTelemetry exporters send it.

    Unauthenticated, as exporters send no token: it only adds spans to the store, which operators read.
    """
    body = await request.body()
    export = traces.decode_otlp(body, request.headers.get("content-type", PROTOBUF),
                                request.headers.get("content-encoding", ""))
    lone = settings_of(request).trace_keep_lone_database_spans
    rows = [row for row in traces.spans_from_otlp(export) if row.kept(lone_database_spans=lone)]
    with suppress_instrumentation():  # the intake's own queries would be spans to store in turn
        async with runtime_of(request).pool.acquire() as conn:
            await traces.store(conn, rows)
    return Response(ExportTraceServiceResponse().SerializeToString(), media_type=PROTOBUF)
