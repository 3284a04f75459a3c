"""What audit and operations start with the service: the span store's pruning and, when this process is traced by
the OpenTelemetry SDK, the keeping of its own spans (``OPERATIONS.on_start``)."""

from __future__ import annotations

from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

from services.monitoring.operations.adapters.span_sink import LocalSpans, keep_own_spans, prune_spans_periodically
from services.monitoring.operations.config import OperationsSettings


def start(runtime: Any, settings: OperationsSettings | None = None) -> None:
    """Called with the started runtime (its pool is connected): background work of the part, stopped with it."""
    settings = settings or OperationsSettings()
    runtime.spawn(prune_spans_periodically(runtime.pool, retention_days=settings.trace_retention_days,
                                           every=settings.trace_prune_every_seconds), "trace-pruning")
    provider = trace.get_tracer_provider()
    if settings.trace_store_own_spans and isinstance(provider, TracerProvider):
        sink = LocalSpans()
        provider.add_span_processor(sink)
        runtime.spawn(keep_own_spans(runtime.pool, sink, lone_database_spans=settings.trace_keep_lone_database_spans),
                      "own-spans")
