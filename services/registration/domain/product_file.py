"""What the producer sees of a product after registration: its ratings and failed inspections."""

from __future__ import annotations

from services.registration.domain import events as ev
from shared.aggregate import Aggregate, DomainEvent


class ProductFile(Aggregate):
    """Keyed by product id; each report of another service is recorded once, however often it is delivered."""

    stream_type = "product-file"
    event_types = {"RatingRecorded": ev.RatingRecorded, "InspectionFailureRecorded": ev.InspectionFailureRecorded}

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.seen: set[str] = set()

    def record_rating(self, rating: ev.RatingRecorded) -> None:
        if rating.source_event_id not in self.seen:
            self.record(rating)

    def record_inspection_failure(self, failure: ev.InspectionFailureRecorded) -> None:
        if failure.source_event_id not in self.seen:
            self.record(failure)

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, ev.RatingRecorded | ev.InspectionFailureRecorded):
            self.seen.add(event.source_event_id)
