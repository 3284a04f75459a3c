"""The subscriber's one rule: which star a product counts in, from the public events heard about it.

- ``ProductRegistered`` says where the product is (district) and what it is called; a later registration (form 02,
  a renamed product) updates both.
- ``ProductRated`` moves the product's certificate, as rating is the authority on it:
  ``recognized`` and ``downgraded`` name the certificate the product now holds and its star (a warning is heard as
  ``recognized`` at the star kept); a ``downgraded`` below 3★ leaves it no certificate; ``revoked`` and ``expired``
  end the certificate they name (one the product no longer holds changes nothing); ``proposed`` and
  ``not_recognized`` leave the product as it was (a product proposed to the centre, or refused an upgrade, keeps
  the certificate it holds).
- A product counts once, in the star of the certificate it holds now (3★, 4★ or 5★; certificates exist only for
  these), under its district; a product rated before its registration was heard counts under "district unknown"
  until it is.

``RewardApproved`` and ``InspectionFailed`` change nothing in the table (an inspection's outcome arrives as the
``ProductRated`` that closes it).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

CERTIFIED_STARS = (3, 4, 5)
SETS_CERTIFICATE = ("recognized", "downgraded")
ENDS_CERTIFICATE = ("revoked", "expired")


@dataclass(frozen=True)
class Product:
    product_id: str
    district_code: str | None = None
    name: str | None = None
    stars: int = 0
    """The star of the certificate it holds now; 0 when it holds none."""
    certificate: str | None = None
    status: str | None = None
    """The status of the last ProductRated heard."""


def apply(product: Product | None, envelope: dict[str, Any]) -> Product | None:
    """The product after one public event (its envelope, as on Kafka and in the feed's ``data``): unchanged (None
    if not heard of before) when the event is of a type the table does not follow."""
    kind, data = envelope.get("event_type"), envelope.get("data") or {}
    if kind not in ("ProductRegistered", "ProductRated"):
        return product
    product = product or Product(product_id=envelope["product_id"])
    if kind == "ProductRegistered":
        location, named = data.get("location") or {}, data.get("product") or {}
        return replace(product, district_code=location.get("district_code") or product.district_code,
                       name=named.get("name") or product.name)
    return rated(product, data)


def rated(product: Product, data: dict[str, Any]) -> Product:
    status, stars = data.get("status"), data.get("stars")
    number = (data.get("certificate") or {}).get("number")
    if status in SETS_CERTIFICATE:
        if stars in CERTIFIED_STARS:
            return replace(product, stars=stars, certificate=number, status=status)
        return replace(product, stars=0, certificate=None, status=status)
    if status in ENDS_CERTIFICATE and (number is None or product.certificate in (None, number)):
        return replace(product, stars=0, certificate=None, status=status)
    return replace(product, status=status)


Counts = dict[str | None, Counter[int]]


def counts(products: list[Product]) -> Counts:
    """Products holding a certificate, by district code (None: not heard yet) and star."""
    table: Counts = {}
    for product in products:
        if product.stars in CERTIFIED_STARS:
            table.setdefault(product.district_code, Counter())[product.stars] += 1
    return table
