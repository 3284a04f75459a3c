"""Which product a form registers: a new one (form 01), or one registered before that keeps its id (form 02).

A product's id carries its ratings, certificates and right to an upgrade request from cycle to cycle, so it must
not hang on the product's name: real products change names when they are upgraded (a fish sauce gains a grade
suffix). Form 02 (*sản phẩm đã có*) names the product it registers again, by id or by the number of a certificate it
held, and the product keeps its id; a new name is a ``ProductRenamed`` in its file. Two products of one producer
still cannot share a folded name in one cycle (``registration.ensure_first_registration``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from services.registration.domain.errors import (
    DoesNotFit,
    DuplicateRegistration,
    InvalidInput,
    NotANewProduct,
    ProductOfAnotherProducer,
    UnknownProduct,
)
from services.registration.domain.producer import Producer
from services.registration.domain.product_file import ProductFile
from services.registration.domain.registration import (
    Registration,
    ensure_first_registration,
    ensure_form_and_cycle,
    product_id_for,
    same_product,
)
from services.registration.domain.values import Product, ProductReference

NEW_PRODUCT, EXISTING_PRODUCT = "01", "02"


@dataclass(frozen=True)
class ProductOnRecord:
    """A registered product as the store holds it: every registration of it (oldest cycle first) and its file."""

    product_id: str
    registrations: tuple[Registration, ...]
    file: ProductFile

    @property
    def latest(self) -> Registration:
        return self.registrations[-1]

    @property
    def producer_id(self) -> str:
        return self.latest.producer_id

    @property
    def name(self) -> str:
        """The name it was last registered under."""
        return self.latest.product.name

    def registration_in(self, cycle_year: int) -> Registration | None:
        return next((r for r in self.registrations if r.cycle_year == cycle_year), None)


def ensure_well_formed(form: str, cycle_year: int, reference: ProductReference | None) -> None:
    """Form 02 names its product by exactly one of id or certificate number; form 01 names none (422)."""
    ensure_form_and_cycle(form, cycle_year)
    if form == EXISTING_PRODUCT and reference is None:
        raise InvalidInput("form 02 (existing product) must name the product it registers again:"
                           " existing_product.product_id or existing_product.certificate_number",
                           field="existing_product")
    if form == NEW_PRODUCT and reference is not None:
        raise InvalidInput("form 01 registers a new product and names no existing one; a product registered before"
                           " comes back with form 02", field="existing_product")
    if reference is not None and (reference.product_id is None) == (reference.certificate_number is None):
        raise InvalidInput("name the existing product by one of product_id or certificate_number, not both",
                           field="existing_product")


def register(producer: Producer, *, cycle_year: int, form: str, product: Product, reference: ProductReference | None,
             found: Sequence[ProductOnRecord]) -> tuple[Registration, ProductFile]:
    """The registration and the product file it enters.

    ``found`` are the registered products the form points at: the one form 02 names (if it exists); for form 01 the
    producer's products last registered under this name, and the product holding the id this name gives.
    """
    ensure_well_formed(form, cycle_year, reference)
    renamed_from = None
    if reference is None:
        product_id = new_product_id(producer.id, product.name, cycle_year, found)
        product_file = ProductFile(product_id)
    else:
        known = named_product(producer.id, reference, found)
        ensure_next_cycle(known, cycle_year, reference)
        product_id, product_file = known.product_id, known.file
        renamed_from = known.name if product.name != known.name else None
    registration = Registration.submit(producer, cycle_year=cycle_year, form=form, product=product,
                                       product_id=product_id)
    product_file.enter(registration, renamed_from)
    return registration, product_file


def new_product_id(producer_id: str, name: str, cycle_year: int, found: Sequence[ProductOnRecord]) -> str:
    """Form 01: a product of this producer last registered under this name comes back with form 02 (409).

    A new product's id comes from its producer and name; when a product renamed since holds that id, the old name
    is free again and the new product's id also carries the cycle.
    """
    same = next((p for p in found if p.producer_id == producer_id and same_product(p.name, name)), None)
    if same is not None:
        # Registered in this very cycle (a form that came in while this one was read): the cycle's duplicate.
        ensure_first_registration(producer_id, name, cycle_year, same.registration_in(cycle_year) is not None)
        cycles = ", ".join(str(r.cycle_year) for r in same.registrations)
        raise NotANewProduct(
            f"producer {producer_id!r} registered {same.name!r} before (cycle {cycles}, product"
            f" {same.product_id}): register it again with form 02 naming existing_product.product_id",
            field="form",
        )
    derived = product_id_for(producer_id, name)
    return product_id_for(producer_id, name, cycle_year) if any(p.product_id == derived for p in found) else derived


def named_product(producer_id: str, reference: ProductReference, found: Sequence[ProductOnRecord]) -> ProductOnRecord:
    """The product form 02 names must be registered here (404) and be the producer's own (409)."""
    on_record = next(iter(found), None)
    if on_record is None or (reference.certificate_number is not None
                             and not on_record.file.held(reference.certificate_number)):
        raise UnknownProduct(f"no registered product is {reference}", field=reference.field)
    if on_record.producer_id != producer_id:
        raise ProductOfAnotherProducer(f"{reference} belongs to another producer, not to {producer_id!r}",
                                       field=reference.field)
    return on_record


def ensure_next_cycle(known: ProductOnRecord, cycle_year: int, reference: ProductReference) -> None:
    """A product is registered once a cycle (409), and form 02 brings it into a cycle after its last one (409)."""
    already = known.registration_in(cycle_year)
    if already is not None:
        raise DuplicateRegistration(
            f"product {known.product_id} ({already.product.name!r}) is already registered in cycle {cycle_year}"
            f" (registration {already.id})", field=reference.field)
    if cycle_year < known.latest.cycle_year:
        raise DoesNotFit(
            f"product {known.product_id} was last registered in cycle {known.latest.cycle_year}: form 02 registers it"
            " again in a later cycle", field="cycle_year")
