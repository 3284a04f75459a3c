"""The ports registration's handlers receive (its composition root, bootstrap.py, builds them)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from services.registration.domain.geography import Geography
from shared.ports import ServicePorts

# (unit of work, district code, cycle year) → ids of the district's selected registrations of that cycle, in order.
SelectedRegistrations = Callable[[Any, str, int], Awaitable[list[str]]]
# (unit of work, product id) → ids of every registration of the product, oldest cycle first.
ProductRegistrations = Callable[[Any, str], Awaitable[list[str]]]
# (unit of work, certificate number) → the id of the product rating reported it for, or None.
CertifiedProduct = Callable[[Any, str], Awaitable[str | None]]
# (unit of work, producer id, product name) → ids of the producer's products whose latest registration has this name
# (folded: case, accents and spacing aside).
ProductsNamed = Callable[[Any, str, str], Awaitable[list[str]]]


@dataclass(frozen=True, kw_only=True)
class RegistrationPorts(ServicePorts):
    geography: Geography
    selected_registrations: SelectedRegistrations
    # Indexes only: the handler loads the aggregates they name and the domain decides on those.
    product_registrations: ProductRegistrations
    certified_product: CertifiedProduct
    products_named: ProductsNamed
