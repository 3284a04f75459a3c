"""Re-driving a dead letter (phát lại thư chết): an operator sends a dead-lettered event back to its topic, once.

A dead letter is a record one service's consumer could not handle; once its cause is fixed, publishing it again on
its original topic lets that consumer handle it (the other consumers of the topic have it in their inbox already and
skip it). The re-drive is recorded before the record is published and concluded after: published (never repeated)
or failed (the broker did not take it: it may be asked again at once). A request left without an outcome (the
process stopped while publishing) holds the re-drive for a lease, so two operators never publish it side by side;
after the lease it may be asked again, which publishes the same event (same id): a consumer that got the first copy
takes the second as a repeat.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from services.monitoring.operations.domain.errors import AlreadyRedriven, NotRedrivable, RedriveInProgress
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


@dataclass(frozen=True)
class RedriveFailed(DomainEvent):
    """The broker did not take the record; the re-drive may be asked again."""

    service: str
    dead_letter_id: int
    failed_at: datetime
    reason: str


def redrive_id(service: str, dead_letter_id: int) -> str:
    return f"redrive/{service}/{dead_letter_id}"


class DeadLetterRedrive(Aggregate):
    """The re-drive of one dead letter: requested, then published or failed (and requested again)."""

    stream_type = "dead-letter-redrive"
    event_types = {e.__name__: e for e in (RedriveRequested, RedrivePublished, RedriveFailed)}

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.letter: DeadLetterRef | None = None
        self.requests: list[RedriveRequested] = []
        self.published_at: datetime | None = None
        self.failure: RedriveFailed | None = None

    @property
    def state(self) -> str:
        """requested (its outcome not known yet) | published | failed"""
        if self.published_at is not None:
            return "published"
        return "failed" if self.failure is not None else "requested"

    def request(self, letter: DeadLetterRef, by: Operator, at: datetime, *, lease: timedelta) -> None:
        """Ask for the re-drive. Refused once published (``AlreadyRedriven``); while another request's outcome is
        awaited, for ``lease`` after it (``RedriveInProgress``); and when the row now holds another event than the one
        first asked for (``NotRedrivable``: the service's dead letters were reset)."""
        if self.published_at is not None:
            last = self.requests[-1].requested_by
            raise AlreadyRedriven(
                f"dead letter {letter.service}/{letter.dead_letter_id} (event {letter.event_id}) was re-driven at"
                f" {self.published_at.isoformat()} by {last.id} ({last.role}); it is not published twice",
                field="dead_letter_id")
        if self.requests and self.state == "requested" and at - self.requests[-1].requested_at < lease:
            last = self.requests[-1]
            raise RedriveInProgress(
                f"dead letter {letter.service}/{letter.dead_letter_id} is being re-driven (asked by"
                f" {last.requested_by.id} at {last.requested_at.isoformat()}); ask again after"
                f" {(last.requested_at + lease).isoformat()} if it does not conclude", field="dead_letter_id")
        if self.letter is not None and self.letter.event_id != letter.event_id:
            raise NotRedrivable(
                f"dead letter {letter.service}/{letter.dead_letter_id} now holds event {letter.event_id}, not the"
                f" {self.letter.event_id} its re-drive was asked for", field="dead_letter_id")
        self.record(RedriveRequested(letter, by, at))

    def confirm(self, at: datetime) -> None:
        """The broker took the record; a second confirmation changes nothing."""
        letter = self._requested()
        if self.published_at is None:
            self.record(RedrivePublished(letter.service, letter.dead_letter_id, at))

    def fail(self, reason: str, at: datetime) -> None:
        """The broker did not take the record (after a confirmation, nothing changes)."""
        letter = self._requested()
        if self.state == "requested":
            self.record(RedriveFailed(letter.service, letter.dead_letter_id, at, reason))

    def _requested(self) -> DeadLetterRef:
        if self.letter is None:
            raise ValueError(f"{self.id}: nothing was requested")
        return self.letter

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, RedriveRequested):
            self.letter, self.failure = event.letter, None
            self.requests.append(event)
        elif isinstance(event, RedrivePublished):
            self.published_at = event.published_at
        elif isinstance(event, RedriveFailed):
            self.failure = event


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

    def ref(self, event_id: str, event_type: str, product_id: str) -> DeadLetterRef:
        return DeadLetterRef(self.service, self.dead_letter_id, self.consumer, self.topic, self.partition, self.offset,
                             event_id, event_type, product_id)
