"""structlog JSON lines carry the service, the trace and, where known, the event and product."""

from __future__ import annotations

import io
import json

import pytest
import structlog
from opentelemetry import trace

from shared.observability import configure_logging


@pytest.fixture
def json_logs():
    buffer = io.StringIO()
    configure_logging("registration", "INFO", stream=buffer)
    yield buffer
    structlog.reset_defaults()
    structlog.contextvars.clear_contextvars()


def test_log_lines_are_json_with_service_trace_event_and_product(json_logs):
    log = structlog.get_logger("test")
    with trace.get_tracer("tests").start_as_current_span("command") as span:
        with structlog.contextvars.bound_contextvars(event_id="e-1", product_id="bánh-gai-1"):
            log.info("đã đăng ký", district="380")
        log.debug("hidden at INFO")
    lines = [json.loads(line) for line in json_logs.getvalue().splitlines() if line.startswith("{")]

    assert len(lines) == 1
    line = lines[0]
    assert line["event"] == "đã đăng ký" and line["service"] == "registration" and line["level"] == "info"
    assert line["trace_id"] == format(span.get_span_context().trace_id, "032x")
    assert line["span_id"] == format(span.get_span_context().span_id, "016x")
    assert (line["event_id"], line["product_id"]) == ("e-1", "bánh-gai-1")
