"""Monitoring's own spans, kept in the span store from inside the process.

The other services export to monitoring over OTLP/HTTP; monitoring cannot do the same to itself, since every export
would be a request whose spans are exported in turn. A span processor collects the spans this process ends, and a
task writes them every second with tracing suppressed (its own queries leave no spans).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any

import asyncpg
import structlog
from opentelemetry import trace
from opentelemetry.instrumentation.utils import suppress_instrumentation
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor, TracerProvider

from services.monitoring.operations.adapters.traces import SpanRow, prune, spans_from_sdk, store

log = structlog.get_logger(__name__)


class LocalSpans(SpanProcessor):
    """Holds the spans this process ended, as the store's rows, until they are written (the oldest give way beyond
    ``capacity``).

    Rows, not the SDK's spans: a ReadableSpan of a consumer's statement takes about 2.9 kB (its context, resource
    reference, attribute container, events and links lists), its row about a fifth of that. Under load the store's
    writes fall behind and the sink fills: 20,000 ReadableSpans were 55 MB of monitoring's 150 MB.
    """

    def __init__(self, capacity: int = 20_000) -> None:
        self._ended: deque[SpanRow] = deque(maxlen=capacity)
        self.dropped = 0

    def on_start(self, span: Any, parent_context: Any = None) -> None:
        return None

    def on_end(self, span: ReadableSpan) -> None:
        try:
            row = spans_from_sdk((span,))[0]
        except Exception:  # never into the code that ended the span; a span the store cannot read is one lost
            self.dropped += 1
            return
        if len(self._ended) == self._ended.maxlen:
            self.dropped += 1
        self._ended.append(row)  # deque appends are thread-safe: spans may end on any thread

    def drain(self, limit: int | None = None) -> list[SpanRow]:
        """The rows held, oldest first; at most ``limit`` of them."""
        drained = []
        while self._ended and (limit is None or len(drained) < limit):
            drained.append(self._ended.popleft())
        return drained

    def shutdown(self) -> None:
        return None

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        return True


#: Rows per INSERT of the process's own spans: a second's worth under load was one statement of thousands of rows,
#: its argument arrays and encoded buffer all in memory at once.
STORE_CHUNK = 1_000


async def keep_own_spans(pool: asyncpg.Pool, sink: LocalSpans, *, lone_database_spans: bool, every: float = 1.0) -> None:
    while True:
        await asyncio.sleep(every)
        while drained := sink.drain(STORE_CHUNK):
            rows = [r for r in drained if r.kept(lone_database_spans=lone_database_spans)]
            if not rows:
                continue
            try:
                with suppress_instrumentation():
                    async with pool.acquire() as conn:
                        await store(conn, rows)
            except Exception as exc:  # the database away: these spans are lost, the service goes on
                log.warning("own spans not stored", spans=len(rows), error=repr(exc))


async def prune_spans_periodically(pool: asyncpg.Pool, *, retention_days: float, every: float) -> None:
    while True:
        try:
            with suppress_instrumentation():
                async with pool.acquire() as conn:
                    pruned = await prune(conn, retention_days)
            if pruned:
                log.info("old spans pruned", spans=pruned, retention_days=retention_days)
        except Exception as exc:
            log.warning("spans not pruned", error=repr(exc))
        await asyncio.sleep(every)


@asynccontextmanager
async def span_store_work(pool: asyncpg.Pool, *, retention_days: float, prune_every: float, own_spans: bool,
                          lone_database_spans: bool) -> AsyncIterator[LocalSpans | None]:
    """While open: old spans pruned, and this process's own spans kept when it is traced by the OpenTelemetry SDK
    (``shared.serve`` configures it; a process without it has no spans of its own to keep)."""
    tasks = [asyncio.create_task(prune_spans_periodically(pool, retention_days=retention_days, every=prune_every),
                                 name="monitoring-trace-pruning")]
    provider, sink = trace.get_tracer_provider(), None
    if own_spans and isinstance(provider, TracerProvider):
        sink = LocalSpans()
        provider.add_span_processor(sink)
        tasks.append(asyncio.create_task(keep_own_spans(pool, sink, lone_database_spans=lone_database_spans),
                                         name="monitoring-own-spans"))
    try:
        yield sink
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with suppress(asyncio.CancelledError):
                await task
