"""Chủ thể OCOP: the producer that owns products (enterprise, cooperative, cooperative group, household business)."""

from __future__ import annotations

from services.registration.domain import events as ev
from services.registration.domain.errors import InvalidInput
from services.registration.domain.values import ProducerRef
from shared.aggregate import Aggregate, DomainEvent

LEGAL_FORMS = ("enterprise", "cooperative", "cooperative_group", "household")


class Producer(Aggregate):
    stream_type = "producer"
    event_types = {"ProducerRegistered": ev.ProducerRegistered}

    registered: ev.ProducerRegistered

    @classmethod
    def register(cls, producer_id: str, *, name: str, legal_form: str, district_code: str, commune_code: str,
                 business_registration_number: str | None) -> Producer:
        if legal_form not in LEGAL_FORMS:
            raise InvalidInput(f"legal form must be one of {', '.join(LEGAL_FORMS)}", field="legal_form")
        producer = cls(producer_id)
        producer.record(ev.ProducerRegistered(producer_id, name, legal_form, district_code, commune_code,
                                              business_registration_number))
        return producer

    def apply(self, event: DomainEvent) -> None:
        if isinstance(event, ev.ProducerRegistered):
            self.registered = event

    @property
    def name(self) -> str:
        return self.registered.name

    @property
    def legal_form(self) -> str:
        return self.registered.legal_form

    @property
    def district_code(self) -> str:
        return self.registered.district_code

    @property
    def commune_code(self) -> str:
        return self.registered.commune_code

    def as_ref(self) -> ProducerRef:
        return ProducerRef(self.id, self.name, self.legal_form)
