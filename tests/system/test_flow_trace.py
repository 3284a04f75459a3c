"""One business flow is one trace, by the OpenTelemetry conventions, from an HTTP command to the database writes of a
consumer in another service; idle services trace nothing.

The flow: registration's district officer sends a list (HTTP) → ProductRegistered in registration's outbox → the
relay's send span → rating's process span → rating's statements. Both services run in this process, with the
session's tracer provider (configured as a service's) and asyncpg instrumented as ``shared.serve`` does.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import structlog
from opentelemetry import trace
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind

from services.rating.service import definition as rating
from services.registration.service import definition as registration
from shared.contracts import PRODUCT_REGISTERED_TOPIC
from tests.kernel.support import eventually, isolated_settings, running_service, start_groups_at_the_end
from tests.registration.support import RegistrationClient


@pytest.fixture
def asyncpg_traced() -> Iterator[None]:
    """Statements traced as in a service process (``shared.serve``), for this test only."""
    AsyncPGInstrumentor().instrument()
    try:
        yield
    finally:
        AsyncPGInstrumentor().uninstrument()


def _in_current_span(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    """What the logs' trace processor reads: the span current when the line is made."""
    return event | {"span_context": trace.get_current_span().get_span_context()}


def _children(spans: list[ReadableSpan], parent: ReadableSpan) -> list[ReadableSpan]:
    return [s for s in spans if s.parent is not None and s.parent.span_id == parent.context.span_id]


async def test_an_http_command_and_its_event_handled_by_another_service_are_one_trace(launcher, spans, asyncpg_traced):
    rating_settings = isolated_settings(launcher, rating)
    await start_groups_at_the_end(rating, rating_settings)  # this rating hears the product of this test only
    with structlog.testing.capture_logs(processors=[_in_current_span]) as lines:
        async with (
            running_service(launcher, registration) as (client, settings, runtime),
            running_service(launcher, rating, rating_settings),
        ):
            chosen = await RegistrationClient(client, settings, runtime).sent_to_province()

            def processed() -> ReadableSpan | None:
                return next((s for s in spans.get_finished_spans() if s.kind == SpanKind.CONSUMER
                             and s.attributes.get("ocop.product_id") == chosen.product_id), None)

            async def rating_processed() -> ReadableSpan | None:
                return processed()

            process = await eventually(rating_processed, timeout=60, what="rating's process span of the product")

    flow = [s for s in spans.get_finished_spans() if s.context.trace_id == process.context.trace_id]
    by_id = {s.context.span_id: s for s in flow}
    # One trace, rooted in the HTTP command.
    roots = [s for s in flow if s.parent is None]
    assert [(r.kind, r.name) for r in roots] == [(SpanKind.SERVER, "POST /districts/{district_code}/lists")]
    # The relay's send span: a child of the command's trace, timing the send until the broker's ack.
    sends = [s for s in flow if s.kind == SpanKind.PRODUCER
             and s.attributes.get("messaging.destination.name") == PRODUCT_REGISTERED_TOPIC]
    assert len(sends) == 1, [s.name for s in sends]
    send = sends[0]
    assert send.name == f"send {PRODUCT_REGISTERED_TOPIC}"
    assert _ancestors(send, by_id)[-1] is roots[0]
    assert send.end_time > send.start_time
    event_id = send.attributes["messaging.message.id"]
    assert {k: v for k, v in send.attributes.items() if k != "messaging.kafka.offset"} == {
        "messaging.system": "kafka", "messaging.destination.name": PRODUCT_REGISTERED_TOPIC,
        "messaging.operation.type": "send", "messaging.operation.name": "send",
        "messaging.kafka.message.key": chosen.product_id, "messaging.message.id": event_id,
        "messaging.destination.partition.id": process.attributes["messaging.destination.partition.id"],
    }
    assert send.attributes["messaging.kafka.offset"] == process.attributes["messaging.kafka.offset"]  # known at the ack
    # Rating's process span, the only one of the event, is the send span's child.
    assert [s for s in flow if s.kind == SpanKind.CONSUMER] == [process]
    assert process.parent.span_id == send.context.span_id
    assert process.name == f"process {PRODUCT_REGISTERED_TOPIC}"
    assert dict(process.attributes) == {
        "messaging.system": "kafka", "messaging.destination.name": PRODUCT_REGISTERED_TOPIC,
        "messaging.operation.type": "process", "messaging.operation.name": "process",
        "messaging.kafka.message.key": chosen.product_id, "messaging.message.id": event_id,
        "messaging.destination.partition.id": send.attributes["messaging.destination.partition.id"],
        "messaging.kafka.offset": send.attributes["messaging.kafka.offset"],
        "messaging.consumer.group.name": f"{rating_settings.consumer_group}.product-registered",
        "ocop.consumer": f"{rating_settings.service}.product-registered",
        "ocop.event_type": "ProductRegistered", "ocop.product_id": chosen.product_id,
    }
    # Its database statements are its children: the handler's read of the stream and its append; the read model and
    # the commit too when the record was committed alone. A commit shared with other records of the batch (records of
    # other tests on the shared topic can arrive with it) runs in a batch process span linked to this one.
    statements = [s.attributes["db.statement"] for s in _children(flow, process)]
    assert all(s.kind == SpanKind.CLIENT for s in _children(flow, process))
    assert any("FROM events" in st for st in statements), statements
    assert any("INSERT INTO events" in st for st in statements), statements
    everything = spans.get_finished_spans()
    batch = next((s for s in everything if any(link.context.span_id == process.context.span_id for link in s.links)),
                 None)
    if batch is not None:
        assert (batch.kind, batch.name, batch.parent) == (SpanKind.CONSUMER, process.name, None)
        assert batch.attributes["messaging.batch.message_count"] == len(batch.links) > 1
        statements = [s.attributes["db.statement"] for s in _children(list(everything), batch)]
    assert any(st.startswith("INSERT INTO dossiers") for st in statements), statements
    assert statements[-1] == "COMMIT;"
    # No spans of faststream's middleware or any other library: ours, FastAPI's (ASGI) and asyncpg's.
    assert {s.instrumentation_scope.name for s in flow} <= {
        "ocop.relay", "ocop.consumer", "opentelemetry.instrumentation.asgi", "opentelemetry.instrumentation.fastapi",
        "opentelemetry.instrumentation.asyncpg"}
    # One line for the event published and one for it handled, each made in its span.
    published = [line for line in lines if line.get("outcome") == "published" and line["event_id"] == event_id]
    handled = [line for line in lines if line.get("outcome") == "handled" and line["event_id"] == event_id]
    assert [line["span_context"].span_id for line in published] == [send.context.span_id]
    assert [line["span_context"].span_id for line in handled] == [process.context.span_id]
    assert handled[0] | {"span_context": None} == {
        "event": "event handled", "log_level": "info", "outcome": "handled", "consumer": process.attributes["ocop.consumer"],
        "event_id": event_id, "event_type": "ProductRegistered", "product_id": chosen.product_id,
        "topic": PRODUCT_REGISTERED_TOPIC, "partition": int(process.attributes["messaging.destination.partition.id"]),
        "offset": process.attributes["messaging.kafka.offset"], "span_context": None,
    }


def _ancestors(span: ReadableSpan, by_id: dict[int, ReadableSpan]) -> list[ReadableSpan]:
    """``span``'s parents within the trace, nearest first."""
    found = []
    while span.parent is not None and span.parent.span_id in by_id:
        span = by_id[span.parent.span_id]
        found.append(span)
    return found


async def test_idle_services_trace_nothing_while_their_relays_poll(launcher, spans, asyncpg_traced):
    settings = isolated_settings(launcher, registration, relay_poll_seconds=0.02)
    async with running_service(launcher, registration, settings) as (_, _, runtime):
        relay = runtime.relay

        async def polls(count: int) -> int | None:
            return relay.polls if relay.is_leader and relay.polls >= count else None

        started = await eventually(lambda: polls(1), what="the relay leading and polling")
        spans.clear()  # start-up (migrations, topics) is done
        await eventually(lambda: polls(started + 20), what="20 more polls of the outbox")

        assert spans.get_finished_spans() == ()
