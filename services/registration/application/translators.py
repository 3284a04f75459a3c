"""The only place foreign integration events are read, and where our own are written."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from services.registration.domain import events as ev
from services.registration.domain.registration import Registration
from services.registration.domain.values import Certificate, Decision, Finding
from shared.events import Recorded
from shared.publication import Publisher, public_event


def public_events(fact: Recorded, registration: Registration) -> list[Any]:
    """What the public hears of a registration's fact: ProductRegistered once the district sends it to the province."""
    if isinstance(fact.event, ev.RegistrationSentToProvince):
        return [product_registered(registration, fact)]
    return []


PUBLISHER = Publisher(Registration, public_events)


def product_registered(registration: Registration, fact: Recorded) -> Any:
    """ProductRegistered for one product on the district's list, derived from the fact that sent it."""
    data = {
        "registration_id": registration.id,
        "cycle_year": registration.cycle_year,
        "product": asdict(registration.product),
        "producer": asdict(registration.producer),
        "location": {"district_code": registration.district_code, "commune_code": registration.commune_code},
    }
    return public_event("ProductRegistered", registration.product_id, data, fact)


def rating_recorded(envelope: Any) -> ev.RatingRecorded:
    d = envelope.data
    return ev.RatingRecorded(
        evaluation_id=d.evaluation_id,
        level=d.level,
        status=d.status,
        stars=d.stars,
        average_score=float(d.average_score),
        certificate=Certificate(d.certificate.number, d.certificate.valid_from, d.certificate.valid_until)
        if d.certificate else None,
        decision=Decision(d.decision.number, d.decision.date, d.decision.issued_by) if d.decision else None,
        occurred_at=envelope.occurred_at.isoformat(),
        source_event_id=str(envelope.event_id),
    )


def inspection_failure_recorded(envelope: Any) -> ev.InspectionFailureRecorded:
    d = envelope.data
    return ev.InspectionFailureRecorded(
        inspection_id=d.inspection_id,
        inspected_on=d.inspected_on,
        severity=d.severity,
        recommended_action=d.recommended_action,
        findings=tuple(Finding(f.criterion, f.description) for f in d.findings),
        source_event_id=str(envelope.event_id),
    )
