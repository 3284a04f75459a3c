"""Helpers of the audit and operations tests (no tests here): one product's flow across the four services as public
events with their traces, operators' tokens, and the monitoring service on the session's PostgreSQL and broker."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

import httpx

from services.monitoring.operations.config import OperationsSettings
from services.monitoring.service import definition
from shared.auth import mint_token
from shared.contracts import CONTRACTS, kafka_headers, new_envelope, serialize_event
from shared.contracts.envelope import VIETNAM_TZ
from shared.contracts.roles import Role
from tests.kernel.support import produce, running_service

START = datetime(2021, 3, 1, 9, 0, tzinfo=VIETNAM_TZ)


def traceparent() -> tuple[str, str]:
    """A new W3C traceparent and its trace id."""
    trace_id = uuid.uuid4().hex
    return f"00-{trace_id}-{uuid.uuid4().hex[:16]}-01", trace_id


def product_flow(product_id: str, *, actor: str | None = None) -> list[Any]:
    """ProductRegistered → ProductRated (recognised 4★) → RewardApproved → InspectionFailed → ProductRated (revoked),
    a day apart, as the four services publish them; ``actor`` names who decided each (else one person per service)."""
    flow, at = uuid.uuid4(), lambda days: START + timedelta(days=days)
    who = {"district_officer": "officer-380", "provincial_office": "vpdp-1", "finance_officer": "stc-1",
           "inspector": "insp-1"}
    by = {role: {"id": actor or person, "role": role} for role, person in who.items()}
    cert = {"number": f"{product_id}-GCN", "valid_from": "2021-04-06", "valid_until": "2024-04-05"}
    decision = {"number": "1114/QĐ-UBND", "date": "2021-04-06", "issued_by": "UBND tỉnh Thanh Hóa"}
    return [
        new_envelope("ProductRegistered", product_id, {
            "registration_id": f"reg-{product_id}", "cycle_year": 2021,
            "product": {"name": "Nem chua Thanh Hóa", "sector": "Thực phẩm", "group": "Thực phẩm chế biến",
                        "product_set": 5, "description": "Nem chua lá ổi"},
            "producer": {"producer_id": f"p-{product_id}", "name": "HTX Nem chua", "legal_form": "cooperative"},
            "location": {"district_code": "380", "commune_code": "14758"}},
            correlation_id=flow, occurred_at=at(0), actor=by["district_officer"]),
        new_envelope("ProductRated", product_id, {
            "evaluation_id": f"ev-{product_id}", "cycle_year": 2021, "level": "provincial", "average_score": 78.5,
            "stars": 4, "status": "recognized", "decision": decision, "certificate": cert, "reason": None,
            "inspection_id": None}, correlation_id=flow, occurred_at=at(1), actor=by["provincial_office"]),
        new_envelope("RewardApproved", product_id, {
            "reward_id": f"rw-{product_id}", "plan_year": 2021, "level": "provincial", "stars": 4,
            "amount_vnd": 20_000_000, "funding_source": "ngân sách tỉnh", "budget_line": "OCOP-2021-01",
            "decision": {"number": "2150/QĐ-UBND", "date": "2021-06-20"}},
            correlation_id=flow, occurred_at=at(2), actor=by["finance_officer"]),
        new_envelope("InspectionFailed", product_id, {
            "inspection_id": f"insp-{product_id}", "inspected_on": "2021-08-01",
            "inspector_org": "Sở Công Thương Thanh Hóa", "certificate_number": cert["number"],
            "findings": [{"criterion": "food_safety", "description": "Không duy trì công bố chất lượng"}],
            "severity": "critical", "recommended_action": "revocation"},
            correlation_id=flow, occurred_at=at(3), actor=by["inspector"]),
        new_envelope("ProductRated", product_id, {
            "evaluation_id": f"ev2-{product_id}", "cycle_year": 2021, "level": "provincial", "average_score": 78.5,
            "stars": 0, "status": "revoked", "decision": {**decision, "number": "4000/QĐ-UBND", "date": "2021-09-01"},
            "certificate": None, "reason": "Vi phạm quy chế", "inspection_id": f"insp-{product_id}"},
            correlation_id=flow, occurred_at=at(4), actor=by["provincial_office"]),
    ]


async def publish(bootstrap: str, envelope: Any, traceparent_header: str | None = None) -> None:
    """One public event on its topic, as a relay sends it (key = product id, the contract's headers)."""
    await produce(bootstrap, CONTRACTS[envelope.event_type].topic,
                  [(envelope.product_id.encode(), serialize_event(envelope), kafka_headers(envelope, traceparent_header))])


def token(settings: Any, role: Role, actor_id: str = "tester", district: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(settings, actor_id=actor_id, role=role, district=district)}"}


@asynccontextmanager
async def monitoring(launcher: Any, **operations: Any) -> AsyncIterator[tuple[httpx.AsyncClient, Any, Any]]:
    """The monitoring service in process, with the operations part's settings given (defaults otherwise)."""
    async with running_service(launcher, definition) as (client, settings, runtime):
        client._transport.app.state.operations_settings = OperationsSettings(**operations)  # type: ignore[attr-defined]
        yield client, settings, runtime


def otlp_spans(service: str, trace_id: str, spans: list[dict[str, Any]]) -> bytes:
    """An OTLP/HTTP export body (binary protobuf) with ``spans`` of one trace from ``service``: each a dict of
    span_id, parent (span id or None), name, kind (OTLP number), start and end (ns), error (bool), attributes."""
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
    from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
    from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status

    request = ExportTraceServiceRequest()
    resource_spans = request.resource_spans.add()
    resource_spans.resource.attributes.append(KeyValue(key="service.name", value=AnyValue(string_value=service)))
    scope = resource_spans.scope_spans.add()
    for s in spans:
        scope.spans.append(Span(
            trace_id=bytes.fromhex(trace_id), span_id=bytes.fromhex(s["span_id"]),
            parent_span_id=bytes.fromhex(s["parent"]) if s.get("parent") else b"", name=s["name"], kind=s.get("kind", 1),
            start_time_unix_nano=s["start"], end_time_unix_nano=s["end"],
            status=Status(code=2, message="boom") if s.get("error") else Status(code=1),
            attributes=[KeyValue(key=k, value=AnyValue(string_value=v)) for k, v in s.get("attributes", {}).items()]))
    return request.SerializeToString()


async def produce_at(bootstrap: str, topic: str, envelopes: list[Any], timestamp_ms: int) -> None:
    """Public events on ``topic`` whose records carry ``timestamp_ms`` (as if they had waited since then)."""
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False, acks="all")
    await producer.start()
    try:
        for e in envelopes:
            await producer.send_and_wait(topic, serialize_event(e), key=e.product_id.encode(),
                                         headers=kafka_headers(e), timestamp_ms=timestamp_ms)
    finally:
        await producer.stop()


async def health(client: httpx.AsyncClient, settings: Any) -> dict[str, Any]:
    response = await client.get("/pipeline/health", headers=token(settings, Role.operator))
    assert response.status_code == 200, response.text
    return response.json()


def group_of(report: dict[str, Any], group: str) -> dict[str, Any] | None:
    return next((g for g in report["consumer_groups"] if g["group"] == group), None)


def service_in(report: dict[str, Any], service: str) -> dict[str, Any] | None:
    return next((s for s in report["services"] if s["service"] == service), None)


async def read_models(runtime: Any) -> dict[str, list[Any]]:
    """Every row of the part's read models, in key order (to compare live with rebuilt)."""
    async with runtime.pool.acquire() as conn:
        return {table: [dict(r) for r in await conn.fetch(f"SELECT * FROM {table} ORDER BY {key}")]
                for table, key in (("audit_timeline", "event_id"), ("dead_letter_redrives", "service, dead_letter_id"))}
