"""The audit record (nhật ký kiểm tra): every public event about a product, as monitoring heard it.

The trail records what other services published, not what monitoring decided: the facts belong to the services that
emitted them, and the public events are their audit record. Monitoring keeps them as facts of its own (one
``PublicEventObserved`` per event, in its event store) so that the product's timeline is a projection like any
other: dropped and rebuilt from the store it is the same, and an event heard again long after the inbox forgot it
(a relay publishing everything again after a broker lost its log) is still recorded once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from shared.aggregate import Aggregate, DomainEvent


@dataclass(frozen=True)
class Reference:
    """A decision or document an event names (số quyết định, số giấy chứng nhận, mã hồ sơ …)."""

    kind: str
    """registration | evaluation | decision | certificate | reward | budget_line | inspection"""
    value: str
    on: date | None = None
    """The decision's date, when the event gives one."""
    issued_by: str | None = None


@dataclass(frozen=True)
class ObservedEvent:
    """One public event as it reached monitoring: who, when, which flow and trace, what it refers to."""

    event_id: str
    event_type: str
    occurred_at: datetime
    source: str
    product_id: str
    correlation_id: str
    causation_id: str | None
    actor_id: str | None
    actor_role: str | None
    trace_id: str | None
    references: tuple[Reference, ...]
    summary: str


@dataclass(frozen=True)
class PublicEventObserved(DomainEvent):
    """A public event about the product reached monitoring (once per event id)."""

    event: ObservedEvent


def entry_id(event_id: str) -> str:
    """The stream of one heard event: its id, so hearing it again finds it (and two hearings at once race on it)."""
    return f"audit/{event_id}"


class AuditEntry(Aggregate):
    """One public event as monitoring heard it, once. A stream per event rather than per product: hearing an event
    reads one stream of at most one fact, however long the product's history (the timeline is the read model)."""

    stream_type = "audit-entry"
    event_types = {"PublicEventObserved": PublicEventObserved}

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.event: ObservedEvent | None = None

    def observe(self, event: ObservedEvent) -> bool:
        """Record the event unless it was recorded before (a repeat: False). Another event's entry refuses it
        (``ValueError``: a caller mixing entries is a bug, not input)."""
        if entry_id(event.event_id) != self.id:
            raise ValueError(f"event {event.event_id} offered to the entry {self.id!r}")
        if self.event is not None:
            return False
        self.record(PublicEventObserved(event))
        return True

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, PublicEventObserved):
            self.event = event.event
