"""The province's decisions after failed inspections (OCOP-RULES §8): thu hồi (revocation), đánh giá lại (re-rating
order) or nhắc nhở (warning), each one decision covering any number of products — all of them or none.

Hà Tĩnh's QĐ 3763/QĐ-UBND revoked the certificates of five products at once: one decision, one record, one command.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from services.rating.domain.decisions import DecisionRecord, entry_for
from services.rating.domain.dossier import RatingDossier
from services.rating.domain.errors import RatingError, ensure_each_once
from services.rating.domain.values import Decision
from shared.aggregate import DomainEvent

KIND_OF_ACTION = {"revoke": "revocation", "re_rate": "re_rating", "warning": "warning"}


@dataclass(frozen=True)
class Ruling:
    """What the decision says of one product: the failed inspection it answers and why."""

    product_id: str
    inspection_id: str
    reason: str


def apply_ruling(kind: str, dossier: RatingDossier, ruling: Ruling, decision: Decision | None, on: date,
                 today: date) -> list[DomainEvent]:
    """One product's part of a decision after inspection (``decision`` None: a re-rating or warning the officer
    records without a numbered decision); the facts it recorded on the dossier."""
    before = len(dossier.pending)
    if kind == "revocation":
        dossier.revoke(ruling.inspection_id, decision, ruling.reason, today)
    elif kind == "re_rating":
        dossier.order_re_rating(ruling.inspection_id, ruling.reason, decision, today)
    elif kind == "warning":
        dossier.warn(ruling.inspection_id, ruling.reason, on, decision, today)
    else:
        raise RatingError(f"a decision after inspection is one of {', '.join(KIND_OF_ACTION.values())}, not {kind!r}",
                          field="kind")
    return list(dossier.pending[before:])


def rule(kind: str, dossiers: Mapping[str, RatingDossier], rulings: Sequence[Ruling], decision: Decision,
         today: date) -> DecisionRecord:
    """One decision of the province on the products ``rulings`` name; a refusal on any of them refuses it whole."""
    ensure_each_once([r.product_id for r in rulings], "product", "products")
    entries = []
    for ruling in rulings:
        dossier = dossiers[ruling.product_id]
        held = dossier.holds
        facts = apply_ruling(kind, dossier, ruling, decision, decision.date, today)
        entries.append(entry_for(ruling.product_id, facts, held, ruling.inspection_id, ruling.reason))
    return DecisionRecord.issue(kind, "province", decision, None, entries)
