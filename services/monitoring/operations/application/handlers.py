"""Handlers of audit and operations: load, decide through the domain, commit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from opentelemetry import trace

from services.monitoring.operations.adapters.republish import PublishFailed
from services.monitoring.operations.application import translators
from services.monitoring.operations.application.ports import RedrivePorts
from services.monitoring.operations.domain.audit import AuditEntry, entry_id
from services.monitoring.operations.domain.redrive import DeadLetterRedrive, Operator, redrive_id
from shared.ports import UnitOfWorkPort
from shared.uow import NotFound


def current_trace_id() -> str | None:
    """The trace the consumer continues for this event (its record's traceparent), if it carried one."""
    span = trace.get_current_span()
    context = span.get_span_context()
    # A recording span knows whether it continues the record's trace or began one of its own (no traceparent).
    if not context.is_valid or (hasattr(span, "parent") and span.parent is None):
        return None
    return format(context.trace_id, "032x")


async def observe_public_event(envelope: Any, uow: UnitOfWorkPort, _ports: Any) -> None:
    """Any of the four public events (the consumer's unit of work is open and commits with the inbox row): its audit
    entry records it, once."""
    event = translators.observed(envelope, trace_id=current_trace_id())
    repo = uow.repository(AuditEntry)
    entry = await repo.find(entry_id(event.event_id))
    if entry is None:
        entry = AuditEntry(entry_id(event.event_id))
        repo.add(entry)
    entry.observe(event)


async def redrive_dead_letter(ports: RedrivePorts, operator: Operator, service: str,
                              dead_letter_id: int) -> DeadLetterRedrive:
    """Record the request, publish the record on its original topic, record the outcome. A published re-drive is
    refused after; one whose outcome is awaited is refused for the lease; a failed one may be asked again at once.

    Two operators asking at once race on the re-drive's stream: one of them gets the 409 conflict.
    """
    letter = await ports.dead_letters.find(service, dead_letter_id)
    if letter is None:
        raise NotFound("dead-letter", f"{service}/{dead_letter_id}")
    envelope = translators.redrivable(letter)
    ref = translators.dead_letter_ref(letter, envelope)
    key = redrive_id(service, dead_letter_id)
    async with ports.uow() as uow:
        repo = uow.repository(DeadLetterRedrive)
        redrive = await repo.find(key)
        if redrive is None:
            redrive = DeadLetterRedrive(key)
            repo.add(redrive)
        redrive.request(ref, operator, ports.clock(), lease=ports.lease)
        await uow.commit()
    try:
        await ports.publish(letter.topic, letter.key, letter.payload or b"",
                            translators.redrive_headers(envelope, ref, operator.id))
    except PublishFailed as exc:
        await _conclude(ports, key, lambda r: r.fail(str(exc), ports.clock()))
        raise
    return await _conclude(ports, key, lambda r: r.confirm(ports.clock()))


async def _conclude(ports: RedrivePorts, key: str, outcome: Callable[[DeadLetterRedrive], None]) -> DeadLetterRedrive:
    async with ports.uow() as uow:
        redrive = await uow.repository(DeadLetterRedrive).get(key)
        outcome(redrive)
        await uow.commit()
    return redrive
