"""Aggregates of registration: producers, registration forms, the district's list, the product file.

Registration life cycle (Kế hoạch 75/KH-UBND §II.4.1):

    submitted ─commune proposes→ proposed ─district selects→ selected ─on the district's list→ sent_to_province
                                   │  ▲
                 district returns  ▼  │ resubmitted
                                 returned
    proposed ─district rejects→ rejected
"""

from __future__ import annotations

import uuid
from typing import Any

from services.registration.domain import events as ev
from services.registration.domain.errors import IllegalTransition, InvalidInput
from services.registration.domain.text import fold
from shared.aggregate import Aggregate, DomainEvent

LEGAL_FORMS = ("enterprise", "cooperative", "cooperative_group", "household")
FORMS = {"01": "new product", "02": "existing product"}
_IDS = uuid.UUID("6f0c8f3e-9d2a-4f7e-8a51-0c0c0a0b2021")


def product_id_for(producer_id: str, product_name: str) -> str:
    """One product of one producer keeps its id across cycles, so its ratings stay linked."""
    return str(uuid.uuid5(_IDS, f"product|{producer_id}|{fold(product_name)}"))


def registration_id_for(producer_id: str, product_name: str, cycle_year: int) -> str:
    """Deterministic: registering the same product twice in a cycle hits the same stream."""
    return str(uuid.uuid5(_IDS, f"registration|{producer_id}|{fold(product_name)}|{cycle_year}"))


class Producer(Aggregate):
    """Chủ thể OCOP: enterprise, cooperative, cooperative group or household business."""

    stream_type = "producer"
    event_types = {"ProducerRegistered": ev.ProducerRegistered}

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.details: dict[str, Any] = {}

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
            self.details = event.to_data()

    def as_public(self) -> dict[str, str]:
        return {"producer_id": self.id, "name": self.details["name"], "legal_form": self.details["legal_form"]}


class Registration(Aggregate):
    """Phiếu đăng ký sản phẩm OCOP of one producer, for one product, in one cycle."""

    stream_type = "registration"
    event_types = {
        e.__name__: e
        for e in (ev.RegistrationSubmitted, ev.RegistrationProposedByCommune, ev.RegistrationReturned,
                  ev.RegistrationResubmitted, ev.RegistrationSelected, ev.RegistrationRejected,
                  ev.RegistrationSentToProvince)
    }

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.status = "new"
        self.facts: dict[str, Any] = {}
        self.product: dict[str, Any] = {}
        self.list_id: str | None = None

    @classmethod
    def submit(cls, producer: Producer, *, cycle_year: int, form: str, product: dict[str, Any]) -> Registration:
        if form not in FORMS:
            raise InvalidInput("form must be '01' (new product) or '02' (existing product)", field="form")
        if not 2018 <= cycle_year <= 2100:
            raise InvalidInput("cycle year must be between 2018 and 2100", field="cycle_year")
        registration = cls(registration_id_for(producer.id, product["name"], cycle_year))
        registration.record(ev.RegistrationSubmitted(
            registration.id, product_id_for(producer.id, product["name"]), cycle_year, form, producer.as_public(),
            product, producer.details["district_code"], producer.details["commune_code"],
        ))
        return registration

    def propose(self, note: str | None) -> None:
        self._require("propose it to the district", "submitted")
        self.record(ev.RegistrationProposedByCommune(note))

    def return_for_completion(self, reasons: list[str]) -> None:
        self._require("return it for completion", "proposed")
        if not reasons or not all(r.strip() for r in reasons):
            raise InvalidInput("at least one non-empty reason is needed to return a registration", field="reasons")
        self.record(ev.RegistrationReturned(reasons))

    def resubmit(self, product: dict[str, Any], note: str | None) -> None:
        self._require("resubmit it", "returned")
        if fold(product["name"]) != fold(self.product["name"]):
            raise InvalidInput("a resubmission completes the same product; register a new product instead",
                               field="product.name")
        self.record(ev.RegistrationResubmitted(product, note))

    def select(self, note: str | None) -> None:
        self._require("select it", "proposed")
        self.record(ev.RegistrationSelected(note))

    def reject(self, reason: str) -> None:
        self._require("reject it", "proposed")
        if not reason.strip():
            raise InvalidInput("a rejection needs a reason", field="reason")
        self.record(ev.RegistrationRejected(reason))

    def ensure_can_be_sent(self) -> None:
        self._require("send it to the province", "selected")

    def send_to_province(self, list_id: str) -> None:
        self.ensure_can_be_sent()
        self.record(ev.RegistrationSentToProvince(list_id))

    @property
    def district_code(self) -> str:
        return self.facts["district_code"]

    @property
    def commune_code(self) -> str:
        return self.facts["commune_code"]

    @property
    def producer_id(self) -> str:
        return self.facts["producer"]["producer_id"]

    def _require(self, step: str, *allowed: str) -> None:
        if self.status not in allowed:
            raise IllegalTransition(
                f"cannot {step}: registration {self.id} is {self.status!r} (allowed from {', '.join(allowed)})",
                field="status",
            )

    def apply(self, event: DomainEvent) -> None:
        match event:
            case ev.RegistrationSubmitted():
                self.facts, self.product, self.status = event.to_data(), dict(event.product), "submitted"
            case ev.RegistrationProposedByCommune():
                self.status = "proposed"
            case ev.RegistrationReturned():
                self.status = "returned"
            case ev.RegistrationResubmitted(product=product):
                self.product, self.status = dict(product), "proposed"
            case ev.RegistrationSelected():
                self.status = "selected"
            case ev.RegistrationRejected():
                self.status = "rejected"
            case ev.RegistrationSentToProvince(list_id=list_id):
                self.status, self.list_id = "sent_to_province", list_id


class DistrictList(Aggregate):
    """Danh sách sản phẩm: the district's selected products, sent to the provincial Coordination Office."""

    stream_type = "district-list"
    event_types = {"DistrictListSent": ev.DistrictListSent}

    @classmethod
    def send(cls, list_id: str, district_code: str, cycle_year: int, registrations: list[Registration]) -> DistrictList:
        if not registrations:
            raise InvalidInput("the list is empty: the district has no selected registration to send",
                               field="registration_ids")
        for registration in registrations:
            if registration.district_code != district_code:
                raise InvalidInput(f"registration {registration.id} belongs to district {registration.district_code}",
                                   field="registration_ids")
            if registration.facts["cycle_year"] != cycle_year:
                raise InvalidInput(f"registration {registration.id} is of cycle {registration.facts['cycle_year']}",
                                   field="registration_ids")
            registration.ensure_can_be_sent()
        for registration in registrations:
            registration.send_to_province(list_id)
        district_list = cls(list_id)
        district_list.record(ev.DistrictListSent(
            district_code, cycle_year, [r.id for r in registrations], [r.facts["product_id"] for r in registrations]
        ))
        return district_list

    def apply(self, event: DomainEvent) -> None:
        self.sent = event.to_data()


class ProductFile(Aggregate):
    """What the producer sees of a product after registration: its ratings and failed inspections."""

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
        self.seen.add(event.source_event_id)  # type: ignore[attr-defined]
