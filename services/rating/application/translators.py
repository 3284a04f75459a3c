"""The only place foreign integration events are read, and where ProductRated is written."""

from __future__ import annotations

from typing import Any

from services.rating.domain import events as ev
from services.rating.domain.dossier import ProductEntry
from shared.context import current_context
from shared.contracts import new_envelope


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


def inspection(envelope: Any) -> dict[str, Any]:
    """InspectionFailed → what rating keeps of the inspection that put a certificate under review."""
    d = envelope.data
    return {
        "inspection_id": d.inspection_id,
        "inspected_on": d.inspected_on.isoformat(),
        "inspector_org": d.inspector_org,
        "certificate_number": d.certificate_number,
        "severity": d.severity,
        "recommended_action": d.recommended_action,
        "findings": [f.model_dump() for f in d.findings],
    }


def _certificate(certificate: dict[str, Any] | None) -> dict[str, str] | None:
    if certificate is None:
        return None
    return {k: certificate[k] for k in ("number", "valid_from", "valid_until")}


def product_rated(product_id: str, outcome: ev.RatingOutcomeRecorded) -> Any:
    """ProductRated exactly as DESIGN.md defines it, from one recorded outcome."""
    ctx = current_context()
    data = {
        "evaluation_id": outcome.evaluation_id,
        "cycle_year": outcome.cycle_year,
        "level": outcome.level,
        "average_score": float(outcome.average_score),
        "stars": outcome.stars,
        "status": outcome.status,
        "decision": outcome.decision,
        "certificate": _certificate(outcome.certificate),
        "reason": outcome.reason,
        "inspection_id": outcome.inspection_id,
    }
    return new_envelope("ProductRated", product_id, data, correlation_id=ctx.correlation_id,
                        causation_id=ctx.causation_id, actor=ctx.actor)
