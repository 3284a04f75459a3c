"""The audit trail of one product (nhật ký kiểm tra): every public event about it, as monitoring heard it.

The trail records what other services published, not what monitoring decided: the facts belong to the services that
emitted them, and the public events are their audit record. Monitoring keeps them as facts of its own (one
``PublicEventObserved`` per event, in its event store) so that the timeline read model is a projection like any
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


def trail_id(product_id: str) -> str:
    """The trail's stream id; prefixed, as monitoring's register already keys a stream by the bare product id."""
    return f"audit/{product_id}"


class AuditTrail(Aggregate):
    """Every public event about one product, each once."""

    stream_type = "audit-trail"
    event_types = {"PublicEventObserved": PublicEventObserved}

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.seen: set[str] = set()

    def observe(self, event: ObservedEvent) -> bool:
        """Record the event unless it was recorded before (a repeat: False). An event of another product is refused
        (``ValueError``: a caller mixing trails is a bug, not input)."""
        if trail_id(event.product_id) != self.id:
            raise ValueError(f"event about {event.product_id!r} offered to the trail {self.id!r}")
        if event.event_id in self.seen:
            return False
        self.record(PublicEventObserved(event))
        return True

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, PublicEventObserved):
            self.seen.add(event.event.event_id)
