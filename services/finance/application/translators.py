"""The only place foreign integration events are read, and where RewardApproved is written from a claim's approval.

ProductRated is heard as a ``Recognition`` (provincial 3★/4★, central 5★ recognised), a ``Withdrawal`` (revoked,
downgraded) or nothing (district results, proposals, refusals, expiry, warnings); ProductRegistered as a
``ProductEntry``. A payload the domain cannot use raises ``FinanceError`` (the consumer dead-letters it).
"""

from __future__ import annotations

import uuid
from typing import Any

from services.finance.domain.errors import FinanceError
from services.finance.domain.events import rewards as ev
from services.finance.domain.product_rewards import ProductRewards
from services.finance.domain.recognitions import WITHDRAWALS, Recognition, Withdrawal
from services.finance.domain.values import Decision, ProductEntry
from shared.events import Recorded
from shared.publication import Publisher, public_event

# Rating republishes a warned product as still recognised, its reason saying so (the contract has no warning status).
_WARNING = "warning:"


def product_entry(envelope: Any) -> ProductEntry:
    """ProductRegistered → where the product is and whose it is."""
    d = envelope.data
    return ProductEntry(envelope.product_id, d.registration_id, d.cycle_year, d.product.name, d.producer.producer_id,
                        d.producer.name, d.location.district_code, d.location.commune_code)


def _decision(envelope: Any) -> Decision | None:
    d = envelope.data.decision
    return None if d is None else Decision(d.number, d.date, d.issued_by)


def heard(envelope: Any, district_code: str) -> Recognition | Withdrawal | None:
    """What finance acts on in a ProductRated; None for the kinds it does not act on."""
    d = envelope.data
    if d.level == "district":
        return None
    if d.status in WITHDRAWALS:
        return Withdrawal(d.status, d.stars, d.evaluation_id, d.reason or f"ProductRated {d.status}",
                          _decision(envelope), d.inspection_id)
    if d.status != "recognized" or (d.reason or "").startswith(_WARNING):
        return None
    decision = _decision(envelope)
    if decision is None:
        raise FinanceError(f"a {d.level} recognition of {envelope.product_id} carries no decision", field="decision")
    return Recognition(envelope.product_id, d.evaluation_id, d.stars, d.level, decision, d.cycle_year, district_code,
                       d.certificate.number if d.certificate else None, str(envelope.correlation_id))


def public_events(fact: Recorded, rewards: ProductRewards) -> list[Any]:
    """RewardApproved, as DESIGN.md defines it, from a claim's approval; the product's flow continues in it."""
    if not isinstance(fact.event, ev.ClaimApproved):
        return []
    e = fact.event
    flow = rewards.claims[e.claim_id].recognition.correlation_id
    data = {"reward_id": e.claim_id, "plan_year": e.plan_year, "level": e.level, "stars": e.stars,
            "amount_vnd": e.amount, "funding_source": e.line.source, "budget_line": e.line.line,
            "decision": {"number": e.decision.number, "date": e.decision.date}}
    return [public_event("RewardApproved", rewards.id, data, fact, correlation_id=uuid.UUID(flow) if flow else None)]


PUBLISHER = Publisher(ProductRewards, public_events)
