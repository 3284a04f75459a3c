"""The only place foreign integration events are read, and where InspectionFailed is written from a stored failure.

In: ProductRegistered → ``ProductFacts``, ProductRated → ``RatingFact`` (and, when it decides on one of our
inspections or ends a certificate under review, the ``ReviewDecision`` closing its follow-up), RewardApproved →
``RewardFact``. Out: ``ProductFailedInspection`` → InspectionFailed, exactly as DESIGN.md defines it.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from services.monitoring.domain.events import ProductFailedInspection
from services.monitoring.domain.follow_up import outcome_of_rating
from services.monitoring.domain.inspections import Inspection
from services.monitoring.domain.values import (
    CertificateRef,
    DecisionRef,
    ProductFacts,
    RatingFact,
    ReviewDecision,
    RewardFact,
)
from shared.contracts.envelope import VIETNAM_TZ
from shared.events import Recorded
from shared.publication import Publisher, public_event

WARNING_PREFIX = "warning:"
"""Rating publishes a warning as ``recognized`` with a reason starting so (the contract has no warning status)."""


def product_facts(envelope: Any) -> ProductFacts:
    """ProductRegistered → what the register keeps of the product; its flow is the one InspectionFailed continues."""
    d = envelope.data
    return ProductFacts(d.registration_id, d.cycle_year, d.product.name, d.product.product_set,
                        d.location.district_code, d.location.commune_code, d.producer.producer_id, d.producer.name,
                        str(envelope.correlation_id))


def rating_fact(envelope: Any) -> RatingFact:
    d = envelope.data
    decision = DecisionRef(d.decision.number, d.decision.date, d.decision.issued_by) if d.decision else None
    certificate = (CertificateRef(d.certificate.number, d.certificate.valid_from, d.certificate.valid_until)
                   if d.certificate else None)
    return RatingFact(d.evaluation_id, d.cycle_year, d.level, d.stars, d.status, decision, certificate, d.reason,
                      d.inspection_id)


def review_decision(envelope: Any, rating: RatingFact) -> ReviewDecision:
    """Rating's decision on the inspection the ProductRated names: dated by its decision, else by the event's day."""
    warned = (rating.reason or "").startswith(WARNING_PREFIX)
    decided_on = rating.decision.date if rating.decision else envelope.occurred_at.astimezone(VIETNAM_TZ).date()
    return ReviewDecision(outcome_of_rating(rating.status, warned=warned), decided_on, rating.evaluation_id,
                          rating.stars, rating.decision.number if rating.decision else None, rating.reason)


def expiry_decision(rating: RatingFact, certificate: CertificateRef) -> ReviewDecision:
    """A certificate that expired under review ends its review on the first day it no longer held."""
    return ReviewDecision("expired", certificate.valid_until + timedelta(days=1), rating.evaluation_id, 0, None,
                          rating.reason)


def reward_fact(envelope: Any) -> RewardFact:
    d = envelope.data
    return RewardFact(d.reward_id, d.plan_year, d.level, d.stars, d.amount_vnd, d.decision.number, d.decision.date)


# ------------------------------------------------------------------------------------------- InspectionFailed


def inspection_failed_data(fact: ProductFailedInspection) -> dict[str, Any]:
    return {"inspection_id": fact.inspection_id, "inspected_on": fact.inspected_on,
            "inspector_org": fact.inspector_org, "certificate_number": fact.certificate_number,
            "findings": [{"criterion": f.criterion, "description": f.description} for f in fact.non_compliant],
            "severity": fact.severity, "recommended_action": fact.recommended_action}


def public_events(fact: Recorded, inspection: Inspection) -> list[Any]:
    """InspectionFailed from a stored failure (nothing for a pass or a follow-up closing), keyed by the product and
    continuing the product's flow (its ProductRegistered's correlation) when the register heard it."""
    failed = fact.event
    if not isinstance(failed, ProductFailedInspection):
        return []
    flow = uuid.UUID(failed.correlation_id) if failed.correlation_id else None
    return [public_event("InspectionFailed", failed.product_id, inspection_failed_data(failed), fact,
                         correlation_id=flow)]


PUBLISHER = Publisher(Inspection, public_events)
