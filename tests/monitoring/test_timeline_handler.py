"""The timeline's handler in memory: each public event about a product becomes one audit fact, with the
actor, the decisions it names, its service and its trace; an event heard again records nothing."""

from __future__ import annotations

from datetime import date

import pytest
from opentelemetry import propagate, trace

from services.monitoring.operations.application import translators
from services.monitoring.operations.application.handlers import observe_public_event
from services.monitoring.operations.domain.audit import AuditEntry, PublicEventObserved, Reference, entry_id
from services.monitoring.service import definition
from shared.memory import InMemoryStore
from shared.publication import Publications
from tests.monitoring.test_operations_helpers import product_flow, traceparent



def store() -> InMemoryStore:
    return InMemoryStore(definition.events, Publications(definition.publishers))


async def hear(memory: InMemoryStore, envelope, header: str | None = None) -> None:
    """As the consumer does: the handler inside its unit of work, within the span continuing the record's trace."""
    parent = propagate.extract({"traceparent": header} if header else {})
    with trace.get_tracer("test").start_as_current_span("consume", context=parent):
        async with memory.unit_of_work() as uow:
            await observe_public_event(envelope, uow, None)
            await uow.commit()


def observed(memory: InMemoryStore) -> list:
    return [r.event.event for r in memory.recorded() if isinstance(r.event, PublicEventObserved)]


async def test_an_event_heard_twice_is_recorded_once():
    memory, (registered, *_) = store(), product_flow("tl-twice")
    await hear(memory, registered)
    await hear(memory, registered)
    assert [e.event_id for e in observed(memory)] == [str(registered.event_id)]


async def test_each_of_the_four_event_types_is_recorded_with_its_service_actor_and_trace():
    memory, flow = store(), product_flow("tl-four")
    traces = [traceparent() for _ in flow]
    for envelope, (header, _) in zip(flow, traces):
        await hear(memory, envelope, header)
    kept = observed(memory)
    assert [(e.event_type, e.source) for e in kept] == [
        ("ProductRegistered", "registration"), ("ProductRated", "rating"), ("RewardApproved", "finance"),
        ("InspectionFailed", "monitoring"), ("ProductRated", "rating")]
    assert [e.trace_id for e in kept] == [trace_id for _, trace_id in traces]
    assert [e.actor_id for e in kept] == ["officer-380", "vpdp-1", "stc-1", "insp-1", "vpdp-1"]
    assert {e.correlation_id for e in kept} == {str(flow[0].correlation_id)}
    assert [r.stream_id for r in memory.recorded()] == [entry_id(str(e.event_id)) for e in flow]


async def test_an_event_without_a_traceparent_has_no_trace_id():
    memory, (registered, *_) = store(), product_flow("tl-untraced")
    await hear(memory, registered)
    assert observed(memory)[0].trace_id is None


def test_the_references_are_the_decisions_and_documents_each_event_names():
    registered, recognised, reward, failed, revoked = product_flow("tl-refs")
    assert translators.references("ProductRegistered", registered.data) == (Reference("registration", "reg-tl-refs"),)
    assert translators.references("ProductRated", recognised.data) == (
        Reference("evaluation", "ev-tl-refs"), Reference("decision", "1114/QĐ-UBND", date(2021, 4, 6), "UBND tỉnh Thanh Hóa"),
        Reference("certificate", "tl-refs-GCN", date(2021, 4, 6)))
    assert [r.kind for r in translators.references("RewardApproved", reward.data)] == ["reward", "decision", "budget_line"]
    assert translators.references("InspectionFailed", failed.data)[1] == Reference("certificate", "tl-refs-GCN")
    assert Reference("inspection", "insp-tl-refs") in translators.references("ProductRated", revoked.data)


def test_summaries_say_what_happened_in_one_line():
    registered, recognised, reward, failed, revoked = product_flow("tl-lines")
    assert translators.summary("ProductRated", recognised.data) == "provincial rating 78.5 points: 4★ recognized"
    assert translators.summary("RewardApproved", reward.data) == (
        "reward of 20.000.000 VND for 4★ at provincial level, plan year 2021")
    assert "critical" in translators.summary("InspectionFailed", failed.data)
    assert translators.summary("ProductRated", revoked.data).endswith("0★ revoked (Vi phạm quy chế)")
    assert "Nem chua Thanh Hóa" in translators.summary("ProductRegistered", registered.data)


def test_an_entry_refuses_another_event():
    entry = AuditEntry(entry_id("not-this-one"))
    event = translators.observed(product_flow("tl-other")[0], trace_id=None)
    with pytest.raises(ValueError):
        entry.observe(event)
    assert entry.pending == ()
