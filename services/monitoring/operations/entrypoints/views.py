"""Response models of audit and operations: what the timeline, traces and pipeline pages answer."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from services.monitoring.operations.adapters.broker_lag import GroupLag
from services.monitoring.operations.application.health import PipelineHealth, ServiceHealth
from services.monitoring.operations.domain.redrive import DeadLetterRedrive


class ActorView(BaseModel):
    id: str
    role: str


class ReferenceView(BaseModel):
    kind: str = Field(description="registration | evaluation | decision | certificate | reward | budget_line | inspection")
    value: str
    on: date | None = None
    issued_by: str | None = None


class TraceLink(BaseModel):
    trace_id: str
    spans: int = Field(description="spans of the trace the store holds (0: none reached it yet, or pruned)")
    href: str = Field(description="this service's listing of the trace, span by span")
    external: str | None = Field(default=None, description="the trace in an external UI (Jaeger), when configured")


class TimelineEntry(BaseModel):
    event_id: uuid.UUID
    event_type: str
    occurred_at: datetime
    source: str = Field(description="the service that emitted the event")
    product_id: str
    actor: ActorView | None = Field(description="who decided; null for automatic decisions")
    correlation_id: uuid.UUID
    causation_id: uuid.UUID | None
    references: list[ReferenceView] = Field(description="decisions and documents the event names")
    summary: str
    observed_at: datetime = Field(description="when monitoring heard it")
    trace: TraceLink | None

    @classmethod
    def of(cls, row: dict[str, Any], external: str) -> TimelineEntry:
        trace_id = row["trace_id"]
        link = None if trace_id is None else TraceLink(
            trace_id=trace_id, spans=row["spans"], href=f"/traces/{trace_id}",
            external=external.format(trace_id=trace_id) if external else None)
        actor = ActorView(id=row["actor_id"], role=row["actor_role"]) if row["actor_id"] else None
        return cls(event_id=row["event_id"], event_type=row["event_type"], occurred_at=row["occurred_at"],
                   source=row["source"], product_id=row["product_id"], actor=actor,
                   correlation_id=row["correlation_id"], causation_id=row["causation_id"],
                   references=[ReferenceView(**ref) for ref in row["refs"]], summary=row["summary"],
                   observed_at=row["observed_at"], trace=link)


class TimelinePage(BaseModel):
    total: int
    items: list[TimelineEntry]


class SpanView(BaseModel):
    span_id: str
    parent_span_id: str | None
    depth: int = Field(description="0 for a root span, its parent's depth + 1 otherwise (a parent not stored: 0)")
    service: str
    name: str
    kind: str
    started_at: datetime
    ended_at: datetime
    duration_ms: float
    status: str = Field(description="unset | ok | error")
    status_message: str | None
    attributes: dict[str, Any]


class TraceEvent(BaseModel):
    event_id: uuid.UUID
    event_type: str
    product_id: str
    occurred_at: datetime


class TraceView(BaseModel):
    trace_id: str
    services: list[str]
    started_at: datetime
    duration_ms: float
    spans: list[SpanView]
    events: list[TraceEvent] = Field(description="the public events heard within this trace")

    @classmethod
    def of(cls, trace_id: str, spans: list[dict[str, Any]], events: list[dict[str, Any]]) -> TraceView:
        depths: dict[str, int] = {}
        for span in spans:  # in start order: a parent starts before its children
            depths[span["span_id"]] = depths.get(span["parent_span_id"], -1) + 1
        start, end = min(s["started_at"] for s in spans), max(s["ended_at"] for s in spans)
        return cls(trace_id=trace_id, services=sorted({s["service"] for s in spans}), started_at=start,
                   duration_ms=(end - start).total_seconds() * 1000,
                   spans=[SpanView(depth=depths[s["span_id"]], **{k: v for k, v in s.items() if k in SpanView.model_fields})
                          for s in spans],
                   events=[TraceEvent(**e) for e in events])


class AlertView(BaseModel):
    kind: str = Field(description="consumer_lag | consumer_delay | outbox_age | dead_letters | broker")
    subject: str
    value: float
    threshold: float
    message: str


class DeadLetterCount(BaseModel):
    consumer: str
    total: int
    awaiting: int
    last_failed_at: datetime


class ServiceHealthView(BaseModel):
    service: str
    found: bool = Field(description="false: the service's tables are not in its database (not deployed there)")
    outbox_pending: int | None
    outbox_oldest_pending_seconds: float | None
    dead_letters: int | None
    dead_letters_awaiting_redrive: int | None
    dead_letters_by_consumer: list[DeadLetterCount]

    @classmethod
    def of(cls, s: ServiceHealth) -> ServiceHealthView:
        letters = s.dead_letters
        return cls(service=s.service, found=s.outbox is not None and letters is not None,
                   outbox_pending=s.outbox.pending if s.outbox else None,
                   outbox_oldest_pending_seconds=s.outbox.oldest_seconds if s.outbox else None,
                   dead_letters=letters.total if letters else None,
                   dead_letters_awaiting_redrive=letters.awaiting if letters else None,
                   dead_letters_by_consumer=[DeadLetterCount(**c) for c in letters.by_consumer] if letters else [])


class PartitionView(BaseModel):
    topic: str
    partition: int
    committed: int | None
    end: int
    lag: int
    seconds_behind: float | None


class GroupView(BaseModel):
    group: str
    service: str
    subscription: str
    lag_messages: int
    seconds_behind: float | None = Field(description="age of the oldest record the group has not consumed")
    partitions: list[PartitionView]

    @classmethod
    def of(cls, g: GroupLag) -> GroupView:
        return cls(group=g.group, service=g.service, subscription=g.subscription, lag_messages=g.lag,
                   seconds_behind=g.seconds_behind,
                   partitions=[PartitionView(topic=p.topic, partition=p.partition, committed=p.committed, end=p.end,
                                             lag=p.lag, seconds_behind=p.seconds_behind) for p in g.partitions])


class PipelineHealthView(BaseModel):
    checked_at: datetime
    state: str = Field(description="ok | alert")
    alerts: list[AlertView]
    broker: str
    services: list[ServiceHealthView]
    consumer_groups: list[GroupView]

    @classmethod
    def of(cls, h: PipelineHealth) -> PipelineHealthView:
        return cls(checked_at=h.checked_at, state=h.state, alerts=[AlertView(**vars(a)) for a in h.alerts],
                   broker=h.broker, services=[ServiceHealthView.of(s) for s in h.services],
                   consumer_groups=[GroupView.of(g) for g in h.groups])


class RedriveView(BaseModel):
    service: str
    dead_letter_id: int
    event_id: uuid.UUID
    event_type: str
    product_id: str
    topic: str
    state: str = Field(description="requested (its outcome not known yet) | published | failed (ask again)")
    requested_by: str = Field(description="who asked last")
    requested_by_role: str
    requested_at: datetime
    requests: int
    published_at: datetime | None
    failed_at: datetime | None = None
    failure: str | None = None

    @classmethod
    def of_row(cls, row: dict[str, Any]) -> RedriveView:
        return cls(**{k: v for k, v in row.items() if k in cls.model_fields})

    @classmethod
    def of(cls, redrive: DeadLetterRedrive) -> RedriveView:
        letter, last, failure = redrive.letter, redrive.requests[-1], redrive.failure
        assert letter is not None
        return cls(service=letter.service, dead_letter_id=letter.dead_letter_id, event_id=letter.event_id,
                   event_type=letter.event_type, product_id=letter.product_id, topic=letter.topic, state=redrive.state,
                   requested_by=last.requested_by.id, requested_by_role=last.requested_by.role,
                   requested_at=last.requested_at, requests=len(redrive.requests), published_at=redrive.published_at,
                   failed_at=failure.failed_at if failure else None, failure=failure.reason if failure else None)


class DeadLetterView(BaseModel):
    service: str
    dead_letter_id: int
    consumer: str
    topic: str
    partition: int
    offset: int
    key: str | None
    error: str = Field(description="why the consumer gave up on the record")
    attempts: int
    failed_at: datetime
    dead_lettered: bool = Field(description="the record reached the service's dead-letter topic")
    event_id: str | None
    event_type: str | None
    product_id: str | None
    redrive: RedriveView | None
    payload: str | None = Field(default=None, description="the record's value (in the detail only)")


class DeadLetterPage(BaseModel):
    total: int
    items: list[DeadLetterView]
