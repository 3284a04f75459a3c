"""Composition root of registration: the ports its handlers get, production's by default, fakes in tests."""

from __future__ import annotations

from services.registration.adapters.queries import (
    certified_product_id,
    product_ids_named,
    product_registration_ids,
    selected_registration_ids,
)
from services.registration.adapters.reference import load_geography
from services.registration.application.ports import (
    CertifiedProduct,
    ProductRegistrations,
    ProductsNamed,
    RegistrationPorts,
    SelectedRegistrations,
)
from services.registration.domain.geography import Geography
from shared.ports import Clock, UnitOfWorkFactory, system_clock


def bootstrap(uow: UnitOfWorkFactory, *, geography: Geography | None = None, clock: Clock | None = None,
              selected_registrations: SelectedRegistrations | None = None,
              product_registrations: ProductRegistrations | None = None,
              certified_product: CertifiedProduct | None = None,
              products_named: ProductsNamed | None = None) -> RegistrationPorts:
    """Production reads Thanh Hóa's 2021 geography from the service's data, and the selected list, a product's
    registrations, the product of a certificate and a producer's products by name from its read models."""
    return RegistrationPorts(
        uow=uow,
        clock=clock or system_clock,
        geography=geography or load_geography(),
        selected_registrations=selected_registrations or selected_registration_ids,
        product_registrations=product_registrations or product_registration_ids,
        certified_product=certified_product or certified_product_id,
        products_named=products_named or product_ids_named,
    )
