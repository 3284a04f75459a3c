"""The only place audit and operations read public events: what the timeline keeps of one, and whether a dead
letter's record is an event its topic may carry again."""

from __future__ import annotations

from typing import Any

from services.monitoring.operations.domain.audit import ObservedEvent, Reference
from services.monitoring.operations.domain.errors import NotRedrivable
from services.monitoring.operations.domain.redrive import DeadLetter, DeadLetterRef
from shared.contracts import ContractError, contract_for_topic, kafka_headers, parse_event


def observed(envelope: Any, *, trace_id: str | None) -> ObservedEvent:
    """A public event as the timeline keeps it: its envelope, the references in its data and a one-line summary."""
    actor = envelope.actor
    return ObservedEvent(
        event_id=str(envelope.event_id),
        event_type=envelope.event_type,
        occurred_at=envelope.occurred_at,
        source=envelope.source,
        product_id=envelope.product_id,
        correlation_id=str(envelope.correlation_id),
        causation_id=str(envelope.causation_id) if envelope.causation_id else None,
        actor_id=actor.id if actor else None,
        actor_role=actor.role if actor else None,
        trace_id=trace_id,
        references=references(envelope.event_type, envelope.data),
        summary=summary(envelope.event_type, envelope.data),
    )


def references(event_type: str, d: Any) -> tuple[Reference, ...]:
    """The decisions and documents an event names, in the contract's words."""
    if event_type == "ProductRegistered":
        return (Reference("registration", d.registration_id),)
    if event_type == "ProductRated":
        found = [Reference("evaluation", d.evaluation_id)]
        if d.decision is not None:
            found.append(Reference("decision", d.decision.number, d.decision.date, d.decision.issued_by))
        if d.certificate is not None:
            found.append(Reference("certificate", d.certificate.number, d.certificate.valid_from))
        if d.inspection_id:
            found.append(Reference("inspection", d.inspection_id))
        return tuple(found)
    if event_type == "RewardApproved":
        return (Reference("reward", d.reward_id), Reference("decision", d.decision.number, d.decision.date),
                Reference("budget_line", d.budget_line))
    if event_type == "InspectionFailed":
        return (Reference("inspection", d.inspection_id, d.inspected_on, d.inspector_org),
                Reference("certificate", d.certificate_number))
    return ()


def summary(event_type: str, d: Any) -> str:
    """One line an auditor reads: what happened to the product."""
    if event_type == "ProductRegistered":
        return (f"{d.product.name} ({d.producer.name}) sent to the province for {d.cycle_year},"
                f" district {d.location.district_code}")
    if event_type == "ProductRated":
        line = f"{d.level} rating {d.average_score:g} points: {d.stars}★ {d.status}"
        return f"{line} ({d.reason})" if d.reason else line
    if event_type == "RewardApproved":
        amount = f"{d.amount_vnd:,}".replace(",", ".")  # Vietnamese grouping: 20.000.000 đồng
        return f"reward of {amount} VND for {d.stars}★ at {d.level} level, plan year {d.plan_year}"
    if event_type == "InspectionFailed":
        return (f"inspection by {d.inspector_org} on {d.inspected_on.isoformat()} failed ({d.severity}):"
                f" {d.recommended_action} recommended")
    return event_type


def redrivable(letter: DeadLetter) -> Any:
    """The event a dead letter carries, when it can go back to its topic; ``NotRedrivable`` naming why not."""
    if not letter.published:
        raise NotRedrivable(f"dead letter {letter.service}/{letter.dead_letter_id} has not reached the dead-letter"
                            " topic yet; its consumer is still handling it", field="dead_letter_id")
    try:
        envelope = parse_event(letter.payload or b"")
    except ContractError as exc:
        raise NotRedrivable(f"the record is not an event and would fail again: {exc}", field="payload") from exc
    carried = contract_for_topic(letter.topic)
    if carried is None or carried.event_type != envelope.event_type:
        raise NotRedrivable(f"{envelope.event_type} is not an event of topic {letter.topic}", field="topic")
    return envelope


def dead_letter_ref(letter: DeadLetter, envelope: Any) -> DeadLetterRef:
    return letter.ref(str(envelope.event_id), envelope.event_type, envelope.product_id)


def redrive_headers(envelope: Any, letter: DeadLetterRef, requested_by: str) -> dict[str, str]:
    """The contract's headers of the event, and which dead letter it re-drives and who asked (the trace is the
    re-drive request's, written by the broker's telemetry)."""
    headers = {name: value.decode() for name, value in kafka_headers(envelope)}
    return headers | {"ocop.redrive": f"{letter.service}/{letter.dead_letter_id}", "ocop.redrive.by": requested_by}
