"""Re-driving a dead letter (phát lại thư chết): an operator sends a dead-lettered event back to its topic, once.

A dead letter is a record one service's consumer could not handle; once its cause is fixed, publishing it again on
its original topic lets that consumer handle it (the other consumers of the topic have it in their inbox already and
skip it). The re-drive is recorded before the record is published and confirmed after: a confirmed re-drive is never
repeated, and one that was not confirmed (the broker was away, the process stopped) may be asked again, which
publishes the same event (same id) again; consumers take a second copy as a repeat.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.monitoring.operations.domain.errors import AlreadyRedriven, NotRedrivable
from shared.aggregate import Aggregate, DomainEvent


@dataclass(frozen=True)
class DeadLetterRef:
    """Which dead letter: the service whose consumer gave up on it, its row there, and the event it carries."""

    service: str
    dead_letter_id: int
    consumer: str
    topic: str
    partition: int
    offset: int
    event_id: str
    event_type: str
    product_id: str


@dataclass(frozen=True)
class Operator:
    """Who asked (the token's subject and role)."""

    id: str
    role: str


@dataclass(frozen=True)
class RedriveRequested(DomainEvent):
    """An operator asked for the dead letter to be published again on its original topic."""

    letter: DeadLetterRef
    requested_by: Operator
    requested_at: datetime


@dataclass(frozen=True)
class RedrivePublished(DomainEvent):
    """The broker acknowledged the record on its original topic."""

    service: str
    dead_letter_id: int
    published_at: datetime


def redrive_id(service: str, dead_letter_id: int) -> str:
    return f"redrive/{service}/{dead_letter_id}"


class DeadLetterRedrive(Aggregate):
    """The re-drive of one dead letter: requested (perhaps more than once, until confirmed), then published."""

    stream_type = "dead-letter-redrive"
    event_types = {"RedriveRequested": RedriveRequested, "RedrivePublished": RedrivePublished}

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.letter: DeadLetterRef | None = None
        self.requests: list[RedriveRequested] = []
        self.published_at: datetime | None = None

    def request(self, letter: DeadLetterRef, by: Operator, at: datetime) -> None:
        """Ask for the re-drive; refused once it was confirmed (``AlreadyRedriven``), or when the row now holds
        another event than the one first asked for (``NotRedrivable``: the service's dead letters were reset)."""
        if self.published_at is not None:
            first = self.requests[-1].requested_by
            raise AlreadyRedriven(
                f"dead letter {letter.service}/{letter.dead_letter_id} (event {letter.event_id}) was re-driven at"
                f" {self.published_at.isoformat()} by {first.id} ({first.role}); it is not published twice",
                field="dead_letter_id")
        if self.letter is not None and self.letter.event_id != letter.event_id:
            raise NotRedrivable(
                f"dead letter {letter.service}/{letter.dead_letter_id} now holds event {letter.event_id}, not the"
                f" {self.letter.event_id} its re-drive was asked for", field="dead_letter_id")
        self.record(RedriveRequested(letter, by, at))

    def confirm(self, at: datetime) -> None:
        """The broker took the record; a second confirmation changes nothing."""
        if self.letter is None:
            raise ValueError(f"{self.id}: nothing was requested")
        if self.published_at is None:
            self.record(RedrivePublished(self.letter.service, self.letter.dead_letter_id, at))

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, RedriveRequested):
            self.letter = event.letter
            self.requests.append(event)
        elif isinstance(event, RedrivePublished):
            self.published_at = event.published_at


@dataclass(frozen=True)
class DeadLetter:
    """A dead letter as its service's ``dead_letters`` table keeps it: the record, why it failed, when."""

    service: str
    dead_letter_id: int
    consumer: str
    topic: str
    partition: int
    offset: int
    key: bytes | None
    payload: bytes | None
    error: str
    attempts: int
    failed_at: datetime
    published: bool
    """The record reached the service's dead-letter topic (a row without it is still being dead-lettered)."""
