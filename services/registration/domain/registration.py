"""Phiếu đăng ký sản phẩm OCOP: one producer's registration of one product in one cycle.

Its steps and statuses are the life cycle's (``lifecycle.STEPS``); which product it registers, new or kept across
cycles, is decided by ``identity``.
"""

from __future__ import annotations

import uuid

from services.registration.domain import events as ev
from services.registration.domain.errors import DoesNotFit, DuplicateRegistration, InvalidInput
from services.registration.domain.lifecycle import ensure_allowed, status_after
from services.registration.domain.producer import Producer
from services.registration.domain.text import fold
from services.registration.domain.values import ProducerRef, Product
from shared.aggregate import Aggregate, DomainEvent

FORMS = {"01": "new product", "02": "existing product"}
FIRST_CYCLE, LAST_CYCLE = 2018, 2100  # OCOP began with the 2018 cycle (QĐ 490/QĐ-TTg)
_IDS = uuid.UUID("6f0c8f3e-9d2a-4f7e-8a51-0c0c0a0b2021")


def same_product(name: str, other: str) -> bool:
    """Two names are the same product when they differ only in case, accents or spacing."""
    return fold(name) == fold(other)


def product_id_for(producer_id: str, product_name: str, cycle_year: int | None = None) -> str:
    """The id a new product (form 01) gets; it keeps it in every later cycle, whatever its name then (form 02).

    From the producer and folded name, so the same form sent twice meets the same product. ``cycle_year`` joins in
    only when that id belongs to a product since renamed, whose old name a new product now takes
    (``identity.new_product_id``).
    """
    key = f"product|{producer_id}|{fold(product_name)}"
    return str(uuid.uuid5(_IDS, key if cycle_year is None else f"{key}|{cycle_year}"))


def registration_id_for(producer_id: str, product_name: str, cycle_year: int) -> str:
    """Deterministic: registering the same product twice in a cycle hits the same stream."""
    return str(uuid.uuid5(_IDS, f"registration|{producer_id}|{fold(product_name)}|{cycle_year}"))


def ensure_form_and_cycle(form: str, cycle_year: int) -> None:
    if form not in FORMS:
        raise InvalidInput("form must be '01' (new product) or '02' (existing product)", field="form")
    if not FIRST_CYCLE <= cycle_year <= LAST_CYCLE:
        raise InvalidInput(f"cycle year must be between {FIRST_CYCLE} and {LAST_CYCLE}", field="cycle_year")


def ensure_first_registration(producer_id: str, product_name: str, cycle_year: int, registered: bool) -> None:
    """The same producer registering the same product name (folded) twice in one cycle is a duplicate (409, naming
    product.name), whichever forms and products the two registrations are of.

    ``registration_id_for`` makes a second submission meet the first one's stream, so whether this registration is
    new is whether its stream already holds events — as read before the append, or as a lost race to create it shows.
    """
    if registered:
        raise DuplicateRegistration(
            f"producer {producer_id!r} already registered {product_name!r} in cycle {cycle_year}",
            field="product.name",
        )


class Registration(Aggregate):
    stream_type = "registration"
    event_types = {
        e.__name__: e
        for e in (ev.RegistrationSubmitted, ev.RegistrationProposedByCommune, ev.RegistrationReturned,
                  ev.RegistrationResubmitted, ev.RegistrationSelected, ev.RegistrationRejected,
                  ev.RegistrationSentToProvince)
    }

    submitted: ev.RegistrationSubmitted
    product: Product

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.status = "new"
        self.list_id: str | None = None

    @classmethod
    def submit(cls, producer: Producer, *, cycle_year: int, form: str, product: Product,
               product_id: str) -> Registration:
        """The form of ``product_id``, chosen by the identity rules (``identity.register``: new, or kept by form 02)."""
        ensure_form_and_cycle(form, cycle_year)
        registration = cls(registration_id_for(producer.id, product.name, cycle_year))
        registration.record(ev.RegistrationSubmitted(
            registration.id, product_id, cycle_year, form, producer.as_ref(), product,
            producer.district_code, producer.commune_code,
        ))
        return registration

    def propose(self, note: str | None) -> None:
        ensure_allowed(self.id, self.status, ev.RegistrationProposedByCommune)
        self.record(ev.RegistrationProposedByCommune(note))

    def return_for_completion(self, reasons: list[str]) -> None:
        ensure_allowed(self.id, self.status, ev.RegistrationReturned)
        if not reasons or not all(r.strip() for r in reasons):
            raise InvalidInput("at least one non-empty reason is needed to return a registration", field="reasons")
        self.record(ev.RegistrationReturned([r.strip() for r in reasons]))

    def resubmit(self, product: Product, note: str | None) -> None:
        ensure_allowed(self.id, self.status, ev.RegistrationResubmitted)
        if not same_product(product.name, self.product.name):
            raise DoesNotFit("a resubmission completes the same product; register a new product instead",
                               field="product.name")
        self.record(ev.RegistrationResubmitted(product, note))

    def select(self, note: str | None) -> None:
        ensure_allowed(self.id, self.status, ev.RegistrationSelected)
        self.record(ev.RegistrationSelected(note))

    def reject(self, reason: str) -> None:
        ensure_allowed(self.id, self.status, ev.RegistrationRejected)
        if not reason.strip():
            raise InvalidInput("a rejection needs a reason", field="reason")
        self.record(ev.RegistrationRejected(reason))

    def ensure_can_be_sent(self) -> None:
        ensure_allowed(self.id, self.status, ev.RegistrationSentToProvince)

    def send_to_province(self, list_id: str) -> None:
        self.ensure_can_be_sent()
        self.record(ev.RegistrationSentToProvince(list_id))

    @property
    def product_id(self) -> str:
        return self.submitted.product_id

    @property
    def cycle_year(self) -> int:
        return self.submitted.cycle_year

    @property
    def producer(self) -> ProducerRef:
        return self.submitted.producer

    @property
    def producer_id(self) -> str:
        return self.submitted.producer.producer_id

    @property
    def district_code(self) -> str:
        return self.submitted.district_code

    @property
    def commune_code(self) -> str:
        return self.submitted.commune_code

    def apply(self, event: DomainEvent) -> None:
        self.status = status_after(event)
        match event:
            case ev.RegistrationSubmitted(product=product):
                self.submitted, self.product = event, product
            case ev.RegistrationResubmitted(product=product):
                self.product = product
            case ev.RegistrationSentToProvince(list_id=list_id):
                self.list_id = list_id
