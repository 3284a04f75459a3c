"""structlog JSON logs, configured once per process (tracing: :mod:`shared.tracing`).

Every line a process writes goes through one root handler whose :class:`structlog.stdlib.ProcessorFormatter` renders
it: our structlog loggers and every library that logs with :mod:`logging` (uvicorn, aiokafka, kafka-python, asyncpg,
faststream, OpenTelemetry, warnings) alike, so each line is one JSON object with ``service``, ``level``,
``timestamp``, ``logger``, the trace ids where a span is current and any traceback under ``exception``.
"""

from __future__ import annotations

import logging
import sys
from typing import Any, TextIO

import structlog
from opentelemetry import trace

# Loggers of the libraries we run on, held at their own level: aiokafka alone writes lines per retry and rebalance.
LIBRARY_LOGGERS: tuple[str, ...] = (
    "aiokafka", "kafka", "asyncpg", "faststream", "opentelemetry", "uvicorn", "starlette", "fastapi", "httpx",
    "httpcore", "urllib3",
)
# uvicorn's lifecycle lines (started, listening, shutting down) are few and tell an operator the process is up.
_LIFECYCLE_LOGGERS: tuple[str, ...] = ("uvicorn.error",)
# uvicorn's own access lines would repeat shared.http.access's (which carry the route, actor and trace).
_SILENCED_LOGGERS: tuple[str, ...] = ("uvicorn.access",)


def _add_trace_ids(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    span = trace.get_current_span().get_span_context()
    if span.is_valid:
        event.setdefault("trace_id", format(span.trace_id, "032x"))
        event.setdefault("span_id", format(span.span_id, "016x"))
    return event


_LEADING_KEYS = ("timestamp", "level", "service", "logger", "event")


def _leading_keys_first(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    # When, how bad, where and what open every line, so a person scanning raw lines reads them in the same place.
    return {key: event[key] for key in _LEADING_KEYS if key in event} | event


def _service_adder(service: str) -> structlog.types.Processor:
    # A processor, not a context variable: lines from threads (span export, executors) carry the service too.
    def add_service(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
        event.setdefault("service", service)
        return event

    return add_service


class _OurHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The root handler configure_logging installs; found and replaced when it is called again."""


def configure_logging(service: str, level: str = "INFO", *, json: bool = True, stream: TextIO | None = None,
                      library_level: str = "WARNING") -> None:
    """Route structlog and every stdlib logger to one JSON (or, with ``json=False``, human console) stream.

    ``level`` applies to our own lines (access and event lines are INFO: ``WARNING`` quiets them), ``library_level``
    to the libraries in :data:`LIBRARY_LOGGERS`.
    """
    ours, libraries = _level(level), _level(library_level)
    before_render: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _service_adder(service),
        _add_trace_ids,
    ]
    render: list[structlog.types.Processor] = [structlog.stdlib.ProcessorFormatter.remove_processors_meta]
    if json:
        # The traceback becomes the "exception" string of the same JSON object, never lines of plain text.
        render += [structlog.processors.format_exc_info, _leading_keys_first,
                   structlog.processors.JSONRenderer(ensure_ascii=False)]
    else:
        render.append(structlog.dev.ConsoleRenderer())
    structlog.configure(
        processors=[*before_render, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        wrapper_class=structlog.make_filtering_bound_logger(ours),
        logger_factory=structlog.stdlib.LoggerFactory(),
        # Not cached: configuring again (another level, another stream) reaches loggers already used.
        cache_logger_on_first_use=False,
    )
    handler = _OurHandler(stream or sys.stderr)
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(foreign_pre_chain=before_render, processors=render))
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _OurHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(ours)
    for name in LIBRARY_LOGGERS:
        _own_handler_only(name).setLevel(libraries)
    for name in _LIFECYCLE_LOGGERS:
        _own_handler_only(name).setLevel(ours)
    for name in _SILENCED_LOGGERS:
        _own_handler_only(name).disabled = True
    logging.captureWarnings(True)


def _own_handler_only(name: str) -> logging.Logger:
    """A library's logger writing through the root handler only (uvicorn, for one, may have added its own)."""
    logger = logging.getLogger(name)
    logger.handlers.clear()
    logger.propagate = True
    return logger


def _level(name: str) -> int:
    level = logging.getLevelNamesMapping().get(name.upper())
    if level is None:
        raise ValueError(f"unknown log level {name!r}; one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
    return level
