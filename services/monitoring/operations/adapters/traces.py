"""The span store: spans the services export over OTLP/HTTP (and monitoring's own), kept to show a flow's trace.

Spans are telemetry, not facts: they are written as they come (an exporter retrying a batch sends the same spans
again, kept once), pruned after ``OCOP_MONITORING_TRACE_RETENTION_DAYS`` and never rebuilt.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from google.protobuf import json_format
from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue

from services.monitoring.operations.domain.errors import TraceRejected

_KINDS = ("unspecified", "internal", "server", "client", "producer", "consumer")  # OTLP's SpanKind numbers
_STATUSES = ("unset", "ok", "error")
MAX_ATTRIBUTES, MAX_TEXT = 40, 500
# The route that receives spans: its own spans are not kept (each export would otherwise leave spans to export).
INGEST_ROUTE = "/v1/traces"


@dataclass(frozen=True)
class SpanRow:
    trace_id: str
    span_id: str
    parent_span_id: str | None
    service: str
    name: str
    kind: str
    start_ns: int
    end_ns: int
    status: str
    status_message: str | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict)

    @property
    def started_at(self) -> datetime:
        return _time(self.start_ns)

    @property
    def ended_at(self) -> datetime:
        return _time(self.end_ns)

    @property
    def duration_ms(self) -> float:
        return (self.end_ns - self.start_ns) / 1e6

    def kept(self, *, lone_database_spans: bool) -> bool:
        """Not a span of the span intake itself; a database query outside any flow (a relay's poll) only if asked."""
        if self.name.startswith(f"POST {INGEST_ROUTE}"):
            return False
        lone_query = self.parent_span_id is None and ("db.system" in self.attributes or "db.system.name" in self.attributes)
        return lone_database_spans or not lone_query


def decode_otlp(body: bytes, content_type: str, content_encoding: str = "") -> ExportTraceServiceRequest:
    """An OTLP/HTTP export request, binary protobuf or JSON, gzip-compressed or not."""
    request = ExportTraceServiceRequest()
    try:
        if content_encoding.strip().lower() == "gzip":
            body = gzip.decompress(body)
        if content_type.split(";")[0].strip().lower() == "application/json":
            json_format.ParseDict(_export_json(body), request, ignore_unknown_fields=True)
        else:
            request.ParseFromString(body)
    except (DecodeError, json_format.ParseError, OSError, EOFError, ValueError) as exc:
        raise TraceRejected(f"not an OTLP ExportTraceServiceRequest: {exc}", field="body") from exc
    return request


def _export_json(body: bytes) -> dict[str, Any]:
    """The JSON export as an object whose ``resourceSpans`` lists objects, as the document says: protobuf's parser
    takes any iterable for a message (a string's characters become unknown field names, ignored), so ``"AAA"`` or
    ``{"resourceSpans": ["AAA"]}`` would be read as an empty export."""
    parsed = json.loads(body)
    listed = parsed.get("resourceSpans", []) if isinstance(parsed, dict) else None
    if not isinstance(listed, list) or not all(isinstance(item, dict) for item in listed):
        raise ValueError("a JSON export is an object whose resourceSpans is a list of objects")
    return parsed


def _text(value: str) -> str:
    """Text as the store keeps it: cut to ``MAX_TEXT``, NUL (which PostgreSQL text and jsonb cannot hold) shown as
    U+FFFD; an exporter's span named with a NUL answered 500."""
    return value[:MAX_TEXT].replace("\x00", "\ufffd")


def _value(value: AnyValue) -> Any:
    kind = value.WhichOneof("value")
    if kind == "array_value":
        return [_value(v) for v in value.array_value.values]
    if kind == "kvlist_value":
        return {kv.key: _value(kv.value) for kv in value.kvlist_value.values}
    if kind == "bytes_value":
        return value.bytes_value.hex()
    found = getattr(value, kind) if kind else None
    return _text(found) if isinstance(found, str) else found


def _plain(value: Any) -> Any:
    """A value JSON can hold: SDK attributes may be bytes or tuples (asyncpg's query parameters)."""
    if isinstance(value, str):
        return _text(value)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, bytes):
        return value[:MAX_TEXT].hex()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value[:MAX_ATTRIBUTES]]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in list(value.items())[:MAX_ATTRIBUTES]}
    return _text(str(value))


def _attributes(pairs: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for key, value in pairs:
        if len(kept) == MAX_ATTRIBUTES:
            break
        kept[_text(key)] = _plain(value)
    return kept


def _time(nanos: int) -> datetime:
    seconds, rest = divmod(nanos, 1_000_000_000)
    return datetime.fromtimestamp(seconds, UTC) + timedelta(microseconds=rest // 1000)


def spans_from_otlp(request: ExportTraceServiceRequest) -> list[SpanRow]:
    rows = []
    for resource_spans in request.resource_spans:
        resource = {kv.key: _value(kv.value) for kv in resource_spans.resource.attributes}
        service = _text(str(resource.get("service.name") or "unknown"))
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                status = span.status.code if 0 <= span.status.code < len(_STATUSES) else 0
                rows.append(SpanRow(
                    trace_id=span.trace_id.hex(), span_id=span.span_id.hex(),
                    parent_span_id=span.parent_span_id.hex() or None, service=service, name=_text(span.name),
                    kind=_KINDS[span.kind] if 0 <= span.kind < len(_KINDS) else "unspecified",
                    start_ns=span.start_time_unix_nano, end_ns=max(span.end_time_unix_nano, span.start_time_unix_nano),
                    status=_STATUSES[status], status_message=_text(span.status.message) or None,
                    attributes=_attributes((kv.key, _value(kv.value)) for kv in span.attributes)))
    return rows


def spans_from_sdk(spans: Iterable[Any]) -> list[SpanRow]:
    """Spans this process ended (``opentelemetry.sdk.trace.ReadableSpan``), as the store keeps them."""
    rows = []
    for span in spans:
        context, parent = span.context, span.parent
        rows.append(SpanRow(
            trace_id=format(context.trace_id, "032x"), span_id=format(context.span_id, "016x"),
            parent_span_id=format(parent.span_id, "016x") if parent is not None else None,
            service=str(span.resource.attributes.get("service.name", "unknown")), name=span.name[:MAX_TEXT],
            # The SDK numbers kinds from INTERNAL = 0; OTLP from UNSPECIFIED = 0.
            kind=_KINDS[span.kind.value + 1], start_ns=span.start_time or 0,
            end_ns=span.end_time or span.start_time or 0, status=_STATUSES[span.status.status_code.value],
            status_message=(span.status.description or "")[:MAX_TEXT] or None,
            attributes=_attributes((span.attributes or {}).items())))
    return rows


_INSERT = """
INSERT INTO trace_spans (trace_id, span_id, parent_span_id, service, name, kind, started_at, ended_at, duration_ms,
                         status, status_message, attributes)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[],
                     $8::timestamptz[], $9::float8[], $10::text[], $11::text[], $12::jsonb[])
ON CONFLICT (trace_id, span_id) DO NOTHING
"""


async def store(conn: asyncpg.Connection, rows: Sequence[SpanRow]) -> int:
    """Keep the spans (those already kept are skipped); returns how many were given."""
    if rows:
        columns = list(zip(*((r.trace_id, r.span_id, r.parent_span_id, r.service, r.name, r.kind, r.started_at,
                              r.ended_at, r.duration_ms, r.status, r.status_message, dict(r.attributes))
                             for r in rows)))
        await conn.execute(_INSERT, *columns)
    return len(rows)


async def trace(conn: asyncpg.Connection, trace_id: str) -> list[dict[str, Any]]:
    """Every span of the trace, in the order they started."""
    rows = await conn.fetch("SELECT * FROM trace_spans WHERE trace_id = $1 ORDER BY started_at, span_id", trace_id)
    return [dict(r) for r in rows]


async def prune(conn: asyncpg.Connection, older_than_days: float) -> int:
    status = await conn.execute("DELETE FROM trace_spans WHERE received_at < now() - make_interval(secs => $1)",
                                older_than_days * 86400)
    return int(status.split()[-1])
