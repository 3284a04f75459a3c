"""The span store's reading of OTLP/HTTP exports and of this process's own spans."""

from __future__ import annotations

import gzip
import json
import uuid

import pytest
from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import SpanKind, Status, StatusCode

from ocop.launcher import Launcher
from services.monitoring.service import definition
from services.monitoring.operations.adapters.span_sink import LocalSpans
from services.monitoring.operations.adapters.traces import decode_otlp, spans_from_otlp
from services.monitoring.operations.domain.errors import TraceRejected
from shared.http.app import create_app
from tests.monitoring.test_operations_helpers import otlp_spans

TRACE = uuid.uuid4().hex
SPANS = [{"span_id": "1" * 16, "name": "POST /sessions", "kind": 2, "start": 1_700_000_000_000_000_000,
          "end": 1_700_000_000_012_500_000},
         {"span_id": "2" * 16, "parent": "1" * 16, "name": "handle", "kind": 5, "start": 1_700_000_000_001_000_000,
          "end": 1_700_000_000_002_000_000, "error": True, "attributes": {"messaging.system": "kafka"}}]


def test_an_otlp_export_becomes_rows_with_service_kind_duration_and_status():
    rows = spans_from_otlp(decode_otlp(otlp_spans("ocop-rating", TRACE, SPANS), "application/x-protobuf"))
    assert [(r.trace_id, r.span_id, r.parent_span_id, r.service, r.kind, r.status) for r in rows] == [
        (TRACE, "1" * 16, None, "ocop-rating", "server", "ok"), (TRACE, "2" * 16, "1" * 16, "ocop-rating", "consumer", "error")]
    assert rows[0].duration_ms == 12.5 and rows[1].status_message == "boom"
    assert rows[1].attributes == {"messaging.system": "kafka"}


def test_json_and_gzip_exports_are_read_too():
    request = ExportTraceServiceRequest()
    request.ParseFromString(otlp_spans("ocop-finance", TRACE, SPANS))
    as_json = json_format.MessageToJson(request).encode()
    assert len(spans_from_otlp(decode_otlp(as_json, "application/json; charset=utf-8"))) == 2
    zipped = gzip.compress(otlp_spans("ocop-finance", TRACE, SPANS))
    assert len(spans_from_otlp(decode_otlp(zipped, "application/x-protobuf", "gzip"))) == 2


@pytest.mark.parametrize("body, content_type, encoding", [
    (b"\xff\xff\xff", "application/x-protobuf", ""), (b"plain", "application/x-protobuf", "gzip"),
    (b"{", "application/json", ""), (b"\xff", "application/json", ""),
    # protobuf's parser takes any iterable for a message: JSON that is no object is refused before it
    (b'"AAA"', "application/json", ""), (b"[]", "application/json", ""),
    (b'{"resourceSpans": null}', "application/json", ""), (b'{"resourceSpans": ["AAA"]}', "application/json", "")])
def test_a_body_that_is_no_export_is_refused_naming_the_body(body: bytes, content_type: str, encoding: str):
    with pytest.raises(TraceRejected) as refused:
        decode_otlp(body, content_type, encoding)
    assert refused.value.field == "body"


def test_the_document_states_the_intakes_bodies_and_answers():
    document = create_app(definition).openapi()
    intake = document["paths"]["/v1/traces"]["post"]
    assert set(intake["requestBody"]["content"]) == {"application/x-protobuf", "application/json"}
    assert not intake["requestBody"]["required"]  # an empty body is an empty export
    assert set(intake["responses"]["200"]["content"]) == {"application/x-protobuf"}
    assert intake["responses"]["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorBody"}
    as_json = intake["requestBody"]["content"]["application/json"]["schema"]
    assert as_json["properties"]["resourceSpans"] == {"type": "array", "items": {"type": "object"}}
    assert "additionalProperties" not in as_json  # other members are ignored, whatever they hold


def test_own_spans_are_collected_and_read_like_exported_ones():
    provider, sink = TracerProvider(resource=Resource.create({"service.name": "ocop-monitoring"})), LocalSpans()
    provider.add_span_processor(sink)
    tracer = provider.get_tracer("test")
    with tracer.start_as_current_span("GET /pipeline/health", kind=SpanKind.SERVER) as root:
        with tracer.start_as_current_span("SELECT ocop", kind=SpanKind.CLIENT) as child:
            child.set_status(Status(StatusCode.ERROR, "gone"))
    rows = sink.drain()
    assert [(r.name, r.kind, r.status, r.service) for r in rows] == [
        ("SELECT ocop", "client", "error", "ocop-monitoring"), ("GET /pipeline/health", "server", "unset", "ocop-monitoring")]
    assert rows[0].parent_span_id == format(root.get_span_context().span_id, "016x")
    assert sink.drain() == []


def test_the_intake_and_lone_database_polls_are_not_kept():
    provider, sink = TracerProvider(), LocalSpans()
    provider.add_span_processor(sink)
    tracer = provider.get_tracer("test")
    with tracer.start_as_current_span("POST /v1/traces"):
        pass
    with tracer.start_as_current_span("SELECT ocop", attributes={"db.system": "postgresql"}):
        pass
    rows = sink.drain()
    assert [r.kept(lone_database_spans=False) for r in rows] == [False, False]
    assert [r.kept(lone_database_spans=True) for r in rows] == [False, True]


def test_a_full_sink_gives_way_to_newer_spans_and_counts_them():
    provider, sink = TracerProvider(), LocalSpans(capacity=2)
    provider.add_span_processor(sink)
    for name in ("a", "b", "c"):
        with provider.get_tracer("test").start_as_current_span(name):
            pass
    assert [s.name for s in sink.drain()] == ["b", "c"] and sink.dropped == 1


def test_make_run_points_the_other_services_at_monitorings_intake_unless_a_collector_is_set():
    launcher = Launcher(env={"OCOP_MONITORING_PORT": "18004"})
    assert launcher.trace_export_env("rating") == {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:18004",
                                                   "OTEL_BSP_MAX_EXPORT_BATCH_SIZE": "100"}
    assert launcher.trace_export_env("monitoring") == {}  # its own spans are kept in process
    assert Launcher(env={"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}).trace_export_env("rating") == {}
    assert Launcher(env={}, services=("registration", "rating")).trace_export_env("rating") == {}


def test_attributes_json_cannot_hold_are_kept_as_text_or_hex():
    provider, sink = TracerProvider(), LocalSpans()
    provider.add_span_processor(sink)
    with provider.get_tracer("test").start_as_current_span("INSERT ocop", attributes={
            "db.statement.parameters": (b"\x01\xff", "bánh gai", 3), "long": "x" * 2000}):
        pass
    (row,) = sink.drain()
    assert row.attributes["db.statement.parameters"] == ["01ff", "bánh gai", 3]
    assert len(row.attributes["long"]) == 500


def test_text_postgresql_cannot_hold_is_kept_readable():
    nul = "\u0000"  # PostgreSQL's text and jsonb cannot hold it: storing it answered 500
    resource = {"attributes": [{"key": "service.name", "value": {"stringValue": f"a{nul}"}}]}
    span = {"traceId": "AAAAAAAAAAAAAAAAAAAAAA==", "name": f"n{nul}",
            "attributes": [{"key": f"k{nul}", "value": {"stringValue": f"v{nul}"}}]}
    export = {"resourceSpans": [{"resource": resource, "scopeSpans": [{"spans": [span]}]}]}
    [row] = spans_from_otlp(decode_otlp(json.dumps(export).encode(), "application/json"))
    assert (row.service, row.name, dict(row.attributes)) == ("a\ufffd", "n\ufffd", {"k\ufffd": "v\ufffd"})
