"""The only place foreign integration events are read."""

from __future__ import annotations

from typing import Any

from services.rating.domain.dossier import ProductEntry


def product_entry(envelope: Any) -> ProductEntry:
    """ProductRegistered → what rating keeps of the registered product."""
    d = envelope.data
    return ProductEntry(
        product_id=envelope.product_id,
        registration_id=d.registration_id,
        cycle_year=d.cycle_year,
        product={"name": d.product.name, "sector": d.product.sector, "group": d.product.group,
                 "product_set": d.product.product_set},
        producer={"producer_id": d.producer.producer_id, "name": d.producer.name, "legal_form": d.producer.legal_form},
        district_code=d.location.district_code,
        commune_code=d.location.commune_code,
    )
