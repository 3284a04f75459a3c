"""Every line a process writes is one JSON object with the service, level, time and, within a span, the trace: our
structlog lines and the libraries' stdlib lines alike, tracebacks included; levels quiet ours and theirs apart."""

from __future__ import annotations

import io
import json
import logging
import warnings

import pytest
import structlog
from opentelemetry import trace

from shared.observability import configure_logging


def _loggers() -> dict[str, logging.Logger]:
    return {name: logger for name, logger in logging.root.manager.loggerDict.items()
            if isinstance(logger, logging.Logger)} | {"": logging.getLogger()}


@pytest.fixture
def configure():
    """configure_logging into a buffer; loggers, warnings capture and structlog are put back afterwards.

    Filters are set aside meanwhile: a consumer started earlier in the session quiets repeats of the same aiokafka
    line for some seconds (shared.consumer.quiet_repeated_client_logs), which would eat these tests' lines."""
    saved = {name: (logger.level, list(logger.handlers), logger.propagate, logger.disabled, list(logger.filters))
             for name, logger in _loggers().items()}
    for logger in _loggers().values():
        logger.filters.clear()

    def configure_into(**options) -> io.StringIO:
        buffer = io.StringIO()
        configure_logging("registration", stream=buffer, **options)
        return buffer

    yield configure_into
    for name, logger in _loggers().items():
        level, handlers, propagate, disabled, filters = saved.get(name, (logging.NOTSET, [], True, False, []))
        logger.setLevel(level)
        logger.handlers[:] = handlers
        logger.filters[:] = filters
        logger.propagate, logger.disabled = propagate, disabled
    logging.captureWarnings(False)
    structlog.reset_defaults()
    structlog.contextvars.clear_contextvars()


@pytest.fixture
def json_logs(configure):
    return configure(level="INFO")


def lines_of(buffer: io.StringIO) -> list[dict]:
    """Each line of the buffer parsed as JSON (a line that is not one JSON object fails the test)."""
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def ids_of(span) -> tuple[str, str]:
    context = span.get_span_context()
    return format(context.trace_id, "032x"), format(context.span_id, "016x")


def test_log_lines_are_json_with_service_trace_event_and_product(json_logs):
    log = structlog.get_logger("test")
    with trace.get_tracer("tests").start_as_current_span("command") as span:
        with structlog.contextvars.bound_contextvars(event_id="e-1", product_id="bánh-gai-1"):
            log.info("đã đăng ký", district="380")
        log.debug("hidden at INFO")
    lines = lines_of(json_logs)

    assert len(lines) == 1
    line = lines[0]
    assert line["event"] == "đã đăng ký" and line["service"] == "registration" and line["level"] == "info"
    assert (line["trace_id"], line["span_id"]) == ids_of(span)
    assert (line["event_id"], line["product_id"]) == ("e-1", "bánh-gai-1")
    assert line["logger"] == "test" and line["timestamp"].endswith("Z")


def test_a_library_line_is_one_json_object_with_service_level_time_and_trace(json_logs):
    with trace.get_tracer("tests").start_as_current_span("consume") as span:
        with structlog.contextvars.bound_contextvars(event_id="e-2"):
            logging.getLogger("aiokafka.consumer.fetcher").warning("fetch of %s failed: %s", "ocop.x-0", "timeout")
    logging.getLogger("asyncpg").error("outside any span")

    inside, outside = lines_of(json_logs)
    assert inside["event"] == "fetch of ocop.x-0 failed: timeout"
    assert (inside["service"], inside["level"], inside["logger"]) == ("registration", "warning", "aiokafka.consumer.fetcher")
    assert (inside["trace_id"], inside["span_id"]) == ids_of(span) and inside["event_id"] == "e-2"
    assert inside["timestamp"].startswith("20") and inside["timestamp"].endswith("Z")
    assert (outside["service"], outside["level"]) == ("registration", "error")
    assert "trace_id" not in outside and "span_id" not in outside


def test_a_traceback_is_a_field_of_the_json_object_not_lines_of_text(json_logs):
    def fail() -> None:
        raise ValueError("khóa không hợp lệ")

    for logger in (logging.getLogger("uvicorn.error"), structlog.get_logger("shared.relay")):
        try:
            fail()
        except ValueError:
            logger.exception("Exception in ASGI application")
    lines = lines_of(json_logs)

    assert len(lines) == 2  # a traceback line of plain text would have failed json.loads above
    for line in lines:
        assert line["level"] == "error" and line["service"] == "registration"
        assert line["exception"].startswith("Traceback (most recent call last)")
        assert 'raise ValueError("khóa không hợp lệ")' in line["exception"]
        assert line["exception"].rstrip().endswith("ValueError: khóa không hợp lệ")
    assert [line["logger"] for line in lines] == ["uvicorn.error", "shared.relay"]


def test_warnings_are_json_lines_too(json_logs):
    warnings.warn("this option is deprecated", DeprecationWarning, stacklevel=1)

    (line,) = lines_of(json_logs)
    assert line["logger"] == "py.warnings" and line["level"] == "warning"
    assert "DeprecationWarning: this option is deprecated" in line["event"]


def test_libraries_have_their_own_level_and_warning_quiets_our_info_lines(configure):
    buffer = configure(level="INFO", library_level="WARNING")
    logging.getLogger("aiokafka").info("chatty: group joined")
    logging.getLogger("kafka.conn").info("chatty: connected")
    logging.getLogger("uvicorn.error").info("Uvicorn running on http://127.0.0.1:8001")
    logging.getLogger("uvicorn.access").info("uvicorn's own access line")
    structlog.get_logger("shared.http.access").info("http request")
    logging.getLogger("aiokafka").warning("heartbeat failed")
    assert [line["event"] for line in lines_of(buffer)] == [
        "Uvicorn running on http://127.0.0.1:8001", "http request", "heartbeat failed"]

    quiet = configure(level="warning", library_level="ERROR")
    structlog.get_logger("shared.http.access").info("http request")
    logging.getLogger("shared.consumer").info("handled")
    logging.getLogger("aiokafka").warning("heartbeat failed")
    structlog.get_logger("shared.relay").warning("broker unreachable")
    assert [line["event"] for line in lines_of(quiet)] == ["broker unreachable"]
    assert sum(isinstance(h, logging.StreamHandler) and getattr(h, "stream", None) in (buffer, quiet)
               for h in logging.getLogger().handlers) == 1  # configuring again replaced the handler


def test_console_mode_for_people_at_a_terminal(configure):
    buffer = configure(level="INFO", json=False)
    logging.getLogger("aiokafka").warning("heartbeat failed")
    structlog.get_logger("shared.relay").info("published", count=3)

    text = buffer.getvalue()
    assert "heartbeat failed" in text and "published" in text and "count" in text
    assert not text.lstrip().startswith("{")


def test_an_unknown_level_is_refused():
    with pytest.raises(ValueError, match="unknown log level 'loud'"):
        configure_logging("registration", "loud")


def test_when_how_bad_where_and_what_open_every_line(json_logs):
    structlog.get_logger("shared.relay").info("event published", topic="ocop.x", event_id="e-3")
    logging.getLogger("aiokafka").warning("heartbeat failed")

    for line in json_logs.getvalue().splitlines():
        assert list(json.loads(line))[:5] == ["timestamp", "level", "service", "logger", "event"]
