"""The only place foreign integration events are read, and where ProductRated is written from the dossier's facts."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from services.rating.domain import outcomes as out
from services.rating.domain.values import (
    Certificate,
    Decision,
    Finding,
    Inspection,
    Producer,
    ProductEntry,
    RegisteredProduct,
)
from services.rating.domain.dossier import RatingDossier
from shared.aggregate import DomainEvent
from shared.events import Recorded
from shared.publication import Publisher, public_event


def product_entry(envelope: Any) -> ProductEntry:
    """ProductRegistered → what rating keeps of the registered product."""
    d = envelope.data
    return ProductEntry(
        product_id=envelope.product_id,
        registration_id=d.registration_id,
        cycle_year=d.cycle_year,
        product=RegisteredProduct(d.product.name, d.product.sector, d.product.group, d.product.product_set),
        producer=Producer(d.producer.producer_id, d.producer.name, d.producer.legal_form),
        district_code=d.location.district_code,
        commune_code=d.location.commune_code,
        correlation_id=str(envelope.correlation_id),
    )


def inspection(envelope: Any) -> Inspection:
    """InspectionFailed → what rating keeps of the inspection that put a certificate under review."""
    d = envelope.data
    return Inspection(d.inspection_id, d.inspected_on, d.certificate_number, d.severity, d.recommended_action,
                      tuple(Finding(f.criterion, f.description) for f in d.findings))


# ------------------------------------------------------------------------------------------- ProductRated

Rated = dict[str, Any]


def _decision(decision: Decision | None) -> dict[str, Any] | None:
    return None if decision is None else {"number": decision.number, "date": decision.date, "issued_by": decision.issued_by}


def _certificate(certificate: Certificate | None) -> dict[str, Any] | None:
    if certificate is None:
        return None
    return {"number": certificate.number, "valid_from": certificate.valid_from, "valid_until": certificate.valid_until}


def _rated(evaluation_id: str, cycle_year: int, level: str, status: str, stars: int, average_score: str, *,
           decision: Decision | None = None, certificate: Certificate | None = None, reason: str | None = None,
           inspection_id: str | None = None) -> Rated:
    return {"evaluation_id": evaluation_id, "cycle_year": cycle_year, "level": level,
            "average_score": float(average_score), "stars": stars, "status": status,
            "decision": _decision(decision), "certificate": _certificate(certificate), "reason": reason,
            "inspection_id": inspection_id}


def _about(c: Certificate, cycle_year: int, status: str, stars: int, **rest: Any) -> Rated:
    """ProductRated about a held certificate: its evaluation, level and mean."""
    return _rated(c.evaluation_id, cycle_year, c.level, status, stars, c.average_score, certificate=c, **rest)


def _issued(e: out.CertificateIssued) -> Rated:
    """A new certificate (first, upgrade, renewal, or lower after a re-rating): recognized, or downgraded."""
    return _about(e.certificate, e.certificate.cycle_year, "downgraded" if e.lower else "recognized",
                  e.certificate.stars, decision=e.certificate.decision, reason=e.reason, inspection_id=e.inspection_id)


def _confirmed(e: out.CertificateConfirmed) -> Rated:
    """A certificate confirmed at its star and kept: the status answers the question the examination asked.

    An upgrade request not granted is ``not_recognized``, with the star and the certificate the product keeps — as
    ProductRated already says of a voluntary attempt below the held star and of a product the centre does not pass.
    Publishing ``recognized`` would announce a recognition that did not happen: with this decision's number it reads
    as a new recognition decision at that star, which a reward subscriber pays for. A re-rating ordered after an
    inspection asks whether the product keeps its star; it does, so it is ``recognized`` with the certificate it
    keeps, as a warning that closes a review is. Either way the certificate named is the one already held (same
    number and dates), so a register following certificates sees nothing start or end.
    """
    status = "recognized" if e.inspection_id is not None else "not_recognized"
    return _rated(e.evaluation_id, e.cycle_year, e.level, status, e.stars, e.average_score, decision=e.decision,
                  certificate=e.certificate, reason=e.reason, inspection_id=e.inspection_id)


_PUBLIC: dict[type[DomainEvent], Callable[[Any], Rated]] = {
    out.ForwardedToProvince: lambda e: _rated(e.evaluation_id, e.cycle_year, "district", "proposed", e.stars,
                                              e.average_score),
    out.NotRecognised: lambda e: _rated(e.evaluation_id, e.cycle_year, e.level, "not_recognized", e.stars,
                                        e.average_score, decision=e.decision, certificate=e.keeps, reason=e.reason),
    out.CertificateIssued: _issued,
    out.CertificateRenewed: _issued,
    out.CertificateConfirmed: _confirmed,
    out.ProposedToCentre: lambda e: _rated(e.evaluation_id, e.cycle_year, "provincial", "proposed", e.stars,
                                           e.average_score, decision=e.decision, certificate=e.holds, reason=e.reason,
                                           inspection_id=e.inspection_id),
    out.CertificateWithdrawn: lambda e: _rated(e.evaluation_id, e.cycle_year, "provincial", "downgraded", e.stars,
                                               e.average_score, decision=e.decision, certificate=e.certificate,
                                               reason=e.reason, inspection_id=e.inspection_id),
    out.CentralNotPassed: lambda e: _rated(e.evaluation_id, e.cycle_year, "central", "not_recognized", e.stars,
                                           e.average_score, decision=e.decision, certificate=e.keeps, reason=e.reason),
    out.CertificateExpired: lambda e: _about(e.certificate, e.cycle_year, "expired", 0, reason=e.reason),
    out.CertificateRevoked: lambda e: _about(e.certificate, e.decision.date.year, "revoked", 0, decision=e.decision,
                                             reason=e.reason, inspection_id=e.inspection_id),
    # The public contract has no warning status: the product stays recognised, and the reason says it was warned.
    out.WarningIssued: lambda e: _about(e.certificate, e.cycle_year, "recognized", e.certificate.stars,
                                        decision=e.decision, reason=f"warning: {e.reason}",
                                        inspection_id=e.inspection_id),
}


def rated_data(fact: DomainEvent) -> Rated | None:
    """The data of the ProductRated a dossier's fact is heard as; None for a fact the public never hears."""
    build = _PUBLIC.get(type(fact))
    return None if build is None else build(fact)


def public_events(fact: Recorded, dossier: RatingDossier) -> list[Any]:
    """ProductRated exactly as DESIGN.md defines it, from one fact of the dossier (none: a fact the public never hears).

    Correlated with the product's own flow (from its ProductRegistered), so that one product's story reads as one
    flow even when a council decides many products in one command; that command's trace and actor are kept.
    """
    data = rated_data(fact.event)
    if data is None:
        return []
    flow = dossier.opened.correlation_id if dossier.opened else None
    return [public_event("ProductRated", dossier.id, data, fact, correlation_id=uuid.UUID(flow) if flow else None)]


PUBLISHER = Publisher(RatingDossier, public_events)
