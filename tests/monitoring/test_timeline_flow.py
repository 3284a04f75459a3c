"""The audit timeline over the real broker and PostgreSQL: the public events of the four services about a product,
in order, each with its actor, decisions, service and trace; the spans the services export, listed per trace; the
read models rebuilt from monitoring's store equal the live ones."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider

from services.monitoring.operations.adapters.span_sink import STORE_CHUNK, LocalSpans, keep_own_spans
from services.monitoring.operations.adapters.traces import prune
from services.monitoring.operations.entrypoints import otlp
from services.monitoring.service import definition
from shared.contracts.roles import Role
from shared.rebuild import rebuild
from tests.kernel.support import eventually
from tests.monitoring.test_operations_helpers import (
    monitoring,
    otlp_spans,
    product_flow,
    publish,
    read_models,
    token,
    traceparent,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")
FOUR = ["ProductRegistered", "ProductRated", "RewardApproved", "InspectionFailed", "ProductRated"]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def service(launcher) -> AsyncIterator[tuple[Any, Any, Any]]:
    async with monitoring(launcher, trace_link="http://jaeger:16686/trace/{trace_id}") as running:
        yield running


async def timeline(service: Any, path: str, count: int, role: Role = Role.provincial_office) -> list[dict[str, Any]]:
    """The timeline at ``path`` once it holds ``count`` entries."""
    client, settings, _ = service

    async def check() -> list[dict[str, Any]] | None:
        response = await client.get(path, headers=token(settings, role))
        assert response.status_code == 200, response.text
        items = response.json()["items"]
        return items if len(items) >= count else None

    return await eventually(check, timeout=60, what=f"{count} entries at {path}")


async def test_the_product_timeline_shows_the_four_services_events_in_order_with_their_traces(service, launcher):
    product = f"tl-{uuid.uuid4().hex[:10]}"
    flow, traces = product_flow(product), [traceparent() for _ in range(5)]
    # Published last first: they travel on four topics, and the timeline orders them by when they happened.
    for envelope, (header, _) in reversed(list(zip(flow, traces))):
        await publish(launcher.bootstrap_servers, envelope, header)

    entries = await timeline(service, f"/timeline/products/{product}", 5)

    assert [e["event_type"] for e in entries] == FOUR
    assert [e["source"] for e in entries] == ["registration", "rating", "finance", "monitoring", "rating"]
    assert [e["event_id"] for e in entries] == [str(e.event_id) for e in flow]
    assert [e["trace"]["trace_id"] for e in entries] == [trace_id for _, trace_id in traces]
    assert entries[0]["trace"]["href"] == f"/traces/{traces[0][1]}"
    assert entries[0]["trace"]["external"] == f"http://jaeger:16686/trace/{traces[0][1]}"
    assert [e["actor"]["id"] for e in entries] == ["officer-380", "vpdp-1", "stc-1", "insp-1", "vpdp-1"]
    assert {"kind": "decision", "value": "4000/QĐ-UBND", "on": "2021-09-01", "issued_by": "UBND tỉnh Thanh Hóa"} \
        in entries[4]["references"]
    assert entries[3]["summary"].startswith("inspection by Sở Công Thương Thanh Hóa")
    assert {e["correlation_id"] for e in entries} == {str(flow[0].correlation_id)}


async def test_an_event_delivered_twice_appears_once(service, launcher):
    product = f"tl-{uuid.uuid4().hex[:10]}"
    registered, recognised, *_ = product_flow(product)
    marker = product_flow(product)[0]  # another registration of the product, after the repeat on its partition
    for envelope in (registered, registered, marker):
        await publish(launcher.bootstrap_servers, envelope)
    await publish(launcher.bootstrap_servers, recognised)

    entries = await timeline(service, f"/timeline/products/{product}", 3)

    ids = [e["event_id"] for e in entries]
    assert sorted(ids) == sorted({str(registered.event_id), str(marker.event_id), str(recognised.event_id)})


async def test_the_actor_view_lists_what_one_officer_did_across_services(service, launcher):
    officer = f"can-bo-{uuid.uuid4().hex[:8]}"
    first, second = product_flow(f"tl-{uuid.uuid4().hex[:8]}", actor=officer), product_flow(f"tl-{uuid.uuid4().hex[:8]}")
    for envelope in (*first, *second):
        await publish(launcher.bootstrap_servers, envelope)

    entries = await timeline(service, f"/timeline/actors/{officer}", 5, role=Role.operator)

    assert [e["event_id"] for e in entries] == [str(e.event_id) for e in first]
    assert {e["source"] for e in entries} == {"registration", "rating", "finance", "monitoring"}


def _flow_spans(now: int) -> list[dict[str, Any]]:
    """An HTTP command, its outbox row published by the relay, and a consumer that failed."""
    ms = 1_000_000
    return [
        {"span_id": "a" * 16, "name": "POST /registrations", "kind": 2, "start": now, "end": now + 40 * ms},
        {"span_id": "b" * 16, "parent": "a" * 16, "name": "INSERT ocop", "kind": 3, "start": now + 5 * ms,
         "end": now + 9 * ms, "attributes": {"db.system": "postgresql"}},
        {"span_id": "c" * 16, "parent": "a" * 16, "name": "ocop.product-registered.v1 publish", "kind": 4,
         "start": now + 50 * ms, "end": now + 52 * ms},
        {"span_id": "d" * 16, "parent": "c" * 16, "name": "rating.product-registered handle ProductRegistered",
         "kind": 5, "start": now + 60 * ms, "end": now + 75 * ms, "error": True},
    ]


async def post_spans(client: Any, body: bytes) -> None:
    response = await client.post("/v1/traces", content=body, headers={"content-type": "application/x-protobuf"})
    assert response.status_code == 200, response.text
    ExportTraceServiceResponse().ParseFromString(response.content)  # what OTLP exporters expect back


async def test_spans_posted_over_otlp_are_kept_and_listed_span_by_span(service, launcher):
    client, settings, _ = service
    product = f"tl-{uuid.uuid4().hex[:10]}"
    header, trace_id = traceparent()
    now = time.time_ns()
    await post_spans(client, otlp_spans("ocop-registration", trace_id, _flow_spans(now)))
    await post_spans(client, otlp_spans("ocop-registration", trace_id, _flow_spans(now)))  # an exporter's retry
    lone = uuid.uuid4().hex
    await post_spans(client, otlp_spans("ocop-rating", lone, [{"span_id": "e" * 16, "name": "SELECT ocop", "kind": 3,
                     "start": now, "end": now + 1, "attributes": {"db.system": "postgresql"}}]))
    await publish(launcher.bootstrap_servers, product_flow(product)[0], header)

    response = await client.get(f"/traces/{trace_id}", headers=token(settings, Role.operator))

    assert response.status_code == 200, response.text
    found = response.json()
    assert [(s["name"], s["depth"], s["status"]) for s in found["spans"]] == [
        ("POST /registrations", 0, "ok"), ("INSERT ocop", 1, "ok"), ("ocop.product-registered.v1 publish", 1, "ok"),
        ("rating.product-registered handle ProductRegistered", 2, "error")]
    assert [s["kind"] for s in found["spans"]] == ["server", "client", "producer", "consumer"]
    assert found["spans"][3]["duration_ms"] == pytest.approx(15.0)
    assert found["services"] == ["ocop-registration"]
    (entry,) = await timeline(service, f"/timeline/products/{product}", 1)
    assert entry["trace"]["spans"] == 4
    assert (await client.get(f"/traces/{trace_id}", headers=token(settings, Role.operator))).json()["events"][0][
        "product_id"] == product
    lone_query = await client.get(f"/traces/{lone}", headers=token(settings, Role.operator))
    assert lone_query.status_code == 404  # a database poll outside any flow is not kept


async def test_a_body_that_is_not_an_otlp_export_is_refused_naming_the_body(service):
    client, _, _ = service
    response = await client.post("/v1/traces", content=b"\xff\x00 not protobuf",
                                 headers={"content-type": "application/x-protobuf"})
    assert response.status_code == 400
    assert response.json()["detail"]["field"] == "body"


async def test_readers_of_the_timeline_and_traces_by_role(service):
    client, settings, _ = service
    product, trace_id = "tl-roles", uuid.uuid4().hex
    for role, district in ((Role.producer, None), (Role.district_officer, "380"), (Role.finance_officer, None)):
        assert (await client.get(f"/timeline/products/{product}", headers=token(settings, role, district=district))).status_code == 403
    for role in (Role.inspector, Role.central_office, Role.operator):
        assert (await client.get(f"/timeline/products/{product}", headers=token(settings, role))).status_code == 200
    assert (await client.get("/timeline/actors/someone", headers=token(settings, Role.inspector))).status_code == 403
    assert (await client.get(f"/traces/{trace_id}", headers=token(settings, Role.inspector))).status_code == 403
    assert (await client.get(f"/timeline/products/{product}")).status_code == 401
    assert (await client.get("/traces/not-a-trace-id", headers=token(settings, Role.operator))).status_code == 422


async def test_the_timeline_rebuilt_from_the_store_equals_the_live_one(service, launcher):
    _, _, runtime = service
    product = f"tl-{uuid.uuid4().hex[:10]}"
    for envelope in product_flow(product):
        await publish(launcher.bootstrap_servers, envelope)
    await timeline(service, f"/timeline/products/{product}", 5)
    live = await read_models(runtime)

    await rebuild(runtime.pool, runtime.projections, definition.events)

    assert await read_models(runtime) == live
    assert any(row["product_id"] == product for row in live["audit_timeline"])


async def test_monitorings_own_spans_reach_the_store_and_old_spans_are_pruned(service):
    client, settings, runtime = service
    provider, sink = TracerProvider(resource=Resource.create({"service.name": "ocop-monitoring"})), LocalSpans()
    provider.add_span_processor(sink)
    with provider.get_tracer("test").start_as_current_span("monitoring.timeline handle ProductRated") as span:
        trace_id = format(span.get_span_context().trace_id, "032x")
    keeping = asyncio.create_task(keep_own_spans(runtime.pool, sink, lone_database_spans=False, every=0.05))
    try:
        async def stored() -> bool:
            return (await client.get(f"/traces/{trace_id}", headers=token(settings, Role.operator))).status_code == 200

        await eventually(stored, what="the process's own span in the store")
    finally:
        keeping.cancel()
    async with runtime.pool.acquire() as conn:
        await conn.execute("UPDATE trace_spans SET received_at = now() - interval '4 days' WHERE trace_id = $1", trace_id)
        assert await prune(conn, 3) >= 1
    assert (await client.get(f"/traces/{trace_id}", headers=token(settings, Role.operator))).status_code == 404


async def test_a_backlog_of_own_spans_longer_than_one_statement_is_stored_whole(service):
    client, settings, runtime = service
    provider, sink = TracerProvider(resource=Resource.create({"service.name": "ocop-monitoring"})), LocalSpans()
    provider.add_span_processor(sink)
    tracer = provider.get_tracer("test")
    with tracer.start_as_current_span("monitoring.timeline handle a backlog") as span:
        trace_id = format(span.get_span_context().trace_id, "032x")
        for n in range(2 * STORE_CHUNK):
            with tracer.start_as_current_span(f"step {n}"):
                pass
    keeping = asyncio.create_task(keep_own_spans(runtime.pool, sink, lone_database_spans=False, every=0.05))
    try:
        async def stored() -> int:
            async with runtime.pool.acquire() as conn:
                count = await conn.fetchval("SELECT count(*) FROM trace_spans WHERE trace_id = $1", trace_id)
            return count if count == 2 * STORE_CHUNK + 1 else 0

        await eventually(stored, what="every span of the backlog in the store")
    finally:
        keeping.cancel()
    assert sink.drain() == [] and sink.dropped == 0


async def test_the_intakes_lifespan_prunes_old_spans_while_the_service_serves(service):
    client, settings, runtime = service
    app = client._transport.app
    trace_id = uuid.uuid4().hex
    await post_spans(client, otlp_spans("ocop-rating", trace_id, _flow_spans(time.time_ns())))
    async with runtime.pool.acquire() as conn:
        await conn.execute("UPDATE trace_spans SET received_at = now() - interval '4 days' WHERE trace_id = $1", trace_id)

    async def pruned() -> bool:
        return (await client.get(f"/traces/{trace_id}", headers=token(settings, Role.operator))).status_code == 404

    assert otlp.router in definition.routers
    async with otlp.span_store(app):  # what FastAPI runs inside the app's lifespan
        await eventually(pruned, what="the four-day-old spans pruned")
