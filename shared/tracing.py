"""OpenTelemetry tracing, configured once per process: one trace per business flow, exported by OTLP when configured.

Also the attributes of the messaging semantic conventions that our publish (relay, dead letters) and process
(consumer) spans carry: one place says what a Kafka span of ours looks like.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import (
    ALWAYS_ON,
    Decision,
    ParentBased,
    Sampler,
    SamplingResult,
    TraceIdRatioBased,
)
from opentelemetry.semconv._incubating.attributes import messaging_attributes as messaging
from opentelemetry.semconv.attributes.error_attributes import ERROR_TYPE
from opentelemetry.trace import Link, SpanKind, Status, StatusCode
from opentelemetry.util.types import Attributes

SEND = messaging.MessagingOperationTypeValues.SEND.value
PROCESS = messaging.MessagingOperationTypeValues.PROCESS.value
_KAFKA = messaging.MessagingSystemValues.KAFKA.value
# Old and stable names of the database system attribute: the asyncpg instrumentation writes either, by its opt-in mode.
_DB_SYSTEM = ("db.system", "db.system.name")


class DropLoneDatabaseSpans(Sampler):
    """Root sampler: a database statement outside any request or event is not a flow, and is not traced.

    Background loops (the relay's outbox polls, a consumer batch's inbox claim, retention prunes, schedules,
    projections) run statements with no span around them; traced, each poll would be a one-span trace every second per
    service. Dropping them here, at the root, covers every such loop at once and cannot hide a statement of a flow:
    those have a request's or an event's span as their parent and are sampled with it (``ParentBased``).
    Suppressing instrumentation around each loop instead would have to be remembered in every new loop.
    """

    def __init__(self, roots: Sampler) -> None:
        self._roots = roots

    def should_sample(self, parent_context: otel_context.Context | None, trace_id: int, name: str,
                      kind: SpanKind | None = None, attributes: Attributes = None, links: Sequence[Link] | None = None,
                      trace_state: Any = None) -> SamplingResult:
        if kind == SpanKind.CLIENT and attributes and any(key in attributes for key in _DB_SYSTEM):
            return SamplingResult(Decision.DROP)
        return self._roots.should_sample(parent_context, trace_id, name, kind, attributes, links, trace_state)

    def get_description(self) -> str:
        return f"DropLoneDatabaseSpans{{{self._roots.get_description()}}}"


class DropTransactionStarts(Sampler):
    """Inside a sampled flow: a transaction's ``BEGIN`` is not traced, every other statement is.

    BEGIN waits for nothing (no lock, no flush) and tells nothing the unit of work's next statements do not; it was one
    in five of a single-event command's spans, each built and exported by the service and decoded and stored by
    monitoring (bench.http_path). COMMIT, which waits for the WAL flush, stays.
    """

    def __init__(self, inner: Sampler) -> None:
        self._inner = inner

    def should_sample(self, parent_context: otel_context.Context | None, trace_id: int, name: str,
                      kind: SpanKind | None = None, attributes: Attributes = None, links: Sequence[Link] | None = None,
                      trace_state: Any = None) -> SamplingResult:
        # asyncpg sends "BEGIN;" for a default transaction (its instrumentation names the span by the first word).
        if name.rstrip(";") == "BEGIN" and kind == SpanKind.CLIENT and attributes and any(key in attributes for key in _DB_SYSTEM):
            return SamplingResult(Decision.DROP)
        return self._inner.should_sample(parent_context, trace_id, name, kind, attributes, links, trace_state)

    def get_description(self) -> str:
        return f"DropTransactionStarts{{{self._inner.get_description()}}}"


def sampler(sample_ratio: float = 1.0) -> Sampler:
    """Parent-based, so a flow is traced end to end or not at all; real roots at ``sample_ratio``, lone statements never,
    a transaction's BEGIN never."""
    in_flow = DropTransactionStarts(ALWAYS_ON)
    return ParentBased(DropLoneDatabaseSpans(TraceIdRatioBased(sample_ratio)),
                       remote_parent_sampled=in_flow, local_parent_sampled=in_flow)


def configure_tracing(service: str, sample_ratio: float = 1.0) -> TracerProvider:
    """The process's tracer provider (see :func:`sampler`); OTLP export when configured."""
    provider = TracerProvider(
        resource=Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME", f"ocop-{service}")}),
        sampler=sampler(sample_ratio),
    )
    if os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    return provider


def span_name(operation: str, topic: str) -> str:
    """``{operation type} {destination}``, as the messaging conventions name spans."""
    return f"{operation} {topic}"


def message_attributes(operation: str, topic: str, *, key: bytes | str | None, event_id: str | None,
                       partition: int | None = None, offset: int | None = None,
                       group: str | None = None) -> dict[str, Any]:
    """The messaging attributes of one Kafka record's span (partition and offset: once known, for a send)."""
    attributes: dict[str, Any] = {
        messaging.MESSAGING_SYSTEM: _KAFKA,
        messaging.MESSAGING_DESTINATION_NAME: topic,
        messaging.MESSAGING_OPERATION_TYPE: operation,
        messaging.MESSAGING_OPERATION_NAME: operation,
    }
    if key is not None:  # the conventions: a null key is not set; a key is given as its string form
        attributes[messaging.MESSAGING_KAFKA_MESSAGE_KEY] = key.decode("utf-8", "replace") if isinstance(key, bytes) else key
    if event_id:
        attributes[messaging.MESSAGING_MESSAGE_ID] = event_id
    if group:
        attributes[messaging.MESSAGING_CONSUMER_GROUP_NAME] = group
    return attributes | placed(partition, offset)


def placed(partition: int | None, offset: int | None) -> dict[str, Any]:
    """Where a record is in its topic: the partition id (a string, by the conventions) and the offset."""
    found: dict[str, Any] = {}
    if partition is not None:
        found[messaging.MESSAGING_DESTINATION_PARTITION_ID] = str(partition)
    if offset is not None:
        found[messaging.MESSAGING_KAFKA_OFFSET] = offset
    return found


def batch_attributes(topic: str, *, group: str, count: int) -> dict[str, Any]:
    """A process span of several records at once (their shared commit)."""
    return message_attributes(PROCESS, topic, key=None, event_id=None, group=group) | {
        messaging.MESSAGING_BATCH_MESSAGE_COUNT: count}


def failed(span: trace.Span, error: BaseException) -> None:
    """Mark ``span`` as failed with ``error`` (exception event, error status and ``error.type``)."""
    span.record_exception(error)
    span.set_status(Status(StatusCode.ERROR, f"{type(error).__name__}: {error}"))
    span.set_attribute(ERROR_TYPE, type(error).__qualname__)


def headers_with(span: trace.Span, headers: Mapping[str, str]) -> dict[str, str]:
    """``headers`` with the trace context of ``span`` in place of the one they carried."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier, context=trace.set_span_in_context(span))
    if not carrier:  # no trace at all: the headers stay as they were
        return dict(headers)
    return {name: value for name, value in headers.items() if name not in ("traceparent", "tracestate")} | carrier
