"""The only place foreign integration events are read, and where ProductRated is written."""

from __future__ import annotations

import uuid
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
        correlation_id=str(envelope.correlation_id),
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


def product_rated(product_id: str, outcome: ev.RatingOutcomeRecorded, flow: str | None) -> Any:
    """ProductRated exactly as DESIGN.md defines it, from one recorded outcome.

    Correlated with the product's own flow (``flow``, from its ProductRegistered), so that one product's story
    reads as one flow even when a council decides many products in one command; that command's trace and actor
    are kept.
    """
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
    return new_envelope("ProductRated", product_id, data,
                        correlation_id=uuid.UUID(flow) if flow else ctx.correlation_id,
                        causation_id=ctx.causation_id, actor=ctx.actor)
