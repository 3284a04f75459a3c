"""Hồ sơ sản phẩm: one product across cycles — the forms that registered it, its renames, its ratings and failed
inspections. The producer's view and the product's history read it."""

from __future__ import annotations

from services.registration.domain import events as ev
from services.registration.domain.registration import Registration
from shared.aggregate import Aggregate, DomainEvent


class ProductFile(Aggregate):
    """Keyed by product id; each report of another service is recorded once, however often it is delivered.

    Every registration of the product records a fact here, so two forms entering one product at once meet on this
    stream (one of them then finds the other's registration: ``identity.ensure_next_cycle``).
    """

    stream_type = "product-file"
    event_types = {
        e.__name__: e
        for e in (ev.RegistrationFiled, ev.ProductRenamed, ev.RatingRecorded, ev.InspectionFailureRecorded)
    }

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.seen: set[str] = set()
        self.certificates: set[str] = set()

    def enter(self, registration: Registration, renamed_from: str | None) -> None:
        """``registration`` entered the product in its cycle; under a new name when ``renamed_from`` is given."""
        if renamed_from is not None:
            self.record(ev.ProductRenamed(renamed_from, registration.product.name, registration.cycle_year,
                                          registration.id))
        self.record(ev.RegistrationFiled(registration.id, registration.cycle_year, registration.submitted.form,
                                         registration.producer_id, registration.product.name))

    def record_rating(self, rating: ev.RatingRecorded) -> None:
        if rating.source_event_id not in self.seen:
            self.record(rating)

    def record_inspection_failure(self, failure: ev.InspectionFailureRecorded) -> None:
        if failure.source_event_id not in self.seen:
            self.record(failure)

    def held(self, certificate_number: str) -> bool:
        """Whether rating ever reported this certificate of the product (valid, ended or superseded)."""
        return certificate_number in self.certificates

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, ev.RatingRecorded | ev.InspectionFailureRecorded):
            self.seen.add(event.source_event_id)
        if isinstance(event, ev.RatingRecorded) and event.certificate is not None:
            self.certificates.add(event.certificate.number)
