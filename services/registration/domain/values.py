"""Value objects of registration: a product and its producer as a form names them, and what other services report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Product:
    """A product as registered; its set (1–26) decides its sector and group (``catalogue.describe_product``)."""

    name: str
    sector: str
    group: str
    product_set: int
    description: str


@dataclass(frozen=True)
class ProductReference:
    """How a form 02 names its product: its id, or the number of a certificate it held (exactly one of the two)."""

    product_id: str | None = None
    certificate_number: str | None = None

    @property
    def field(self) -> str:
        return "existing_product.product_id" if self.product_id is not None else "existing_product.certificate_number"

    def __str__(self) -> str:
        return f"product {self.product_id}" if self.product_id is not None else f"certificate {self.certificate_number}"


@dataclass(frozen=True)
class ProducerRef:
    """The producer as a registration form names it (and ProductRegistered carries it)."""

    producer_id: str
    name: str
    legal_form: str


@dataclass(frozen=True)
class Certificate:
    """The OCOP certificate rating reported; ``valid_until`` is the last valid day, as rating computed it."""

    number: str
    valid_from: date
    valid_until: date


@dataclass(frozen=True)
class Decision:
    """The decision (quyết định) behind a rating result."""

    number: str
    date: date
    issued_by: str


@dataclass(frozen=True)
class Finding:
    """One criterion an inspection found no longer met."""

    criterion: str
    description: str
