"""Decisions (quyết định) of the province and the centre as records: recognition (công nhận), revocation (thu hồi),
re-rating order (đánh giá lại) and warning (nhắc nhở), each one record with its number, date, signer, kind and every
product it covers with what it did to each.

A decision's number is unique per issuing body and year (numbers restart each year): the record's stream id is made of
them, so a second decision with a taken number conflicts even between racing writers. Older code registered only round
decisions' numbers, per year alone (``legacy_key``); those stay taken.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from services.rating.domain import events as ev
from services.rating.domain.errors import RatingError
from services.rating.domain.outcomes import Effect, effect_of
from services.rating.domain.values import Certificate, Decision, DecisionEntry
from shared.aggregate import Aggregate, DomainEvent

KINDS = ("recognition", "revocation", "re_rating", "warning")
BODIES = ("province", "centre")  # UBND tỉnh; Bộ NN&PTNT (the central council's 5★ decisions)


def issuing_body(level: str) -> str:
    """Who issues a council's decision: the centre for the central council, the province for everything else."""
    return "centre" if level == "central" else "province"


def entry_for(product_id: str, facts: Sequence[DomainEvent], held: Certificate | None,
              inspection_id: str | None = None, reason: str | None = None) -> DecisionEntry:
    """What a decision did to one product, read from the facts it recorded on the product's dossier."""
    effects: list[Effect] = []
    for fact in facts:
        effect = effect_of(fact)
        if effect is None and isinstance(fact, ev.ReRatingOrdered) and held is not None:
            effect = Effect("re_rating_ordered", held.stars, held.number)
        if effect is not None:
            effects.append(effect)
    if not effects:
        raise RatingError(f"the decision records nothing on product {product_id!r}", field="products")
    certificate = next((e.certificate_number for e in effects if e.certificate_number), None)
    stated = [r for f in facts if (r := getattr(f, "reason", None))]
    return DecisionEntry(product_id, "+".join(e.outcome for e in effects), effects[-1].stars, certificate,
                         any(e.issued for e in effects), inspection_id, reason or (stated[-1] if stated else None))


class DecisionRecord(Aggregate):
    """Quyết định: one decision of the province or the centre and the products it covers."""

    stream_type = "decision-number"  # the stream type of the number register it grew from: stored streams keep it
    event_types = {e.__name__: e for e in (ev.DecisionIssued, ev.DecisionNumberTaken)}

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.issued: ev.DecisionIssued | None = None
        self.session_id: str | None = None

    @staticmethod
    def key(body: str, number: str, year: int) -> str:
        return f"decision:{body}:{year}:{number}"

    @staticmethod
    def legacy_key(number: str, year: int) -> str:
        """Where older code registered a round decision's number (one namespace for both bodies)."""
        return f"decision:{year}:{number}"

    @classmethod
    def issue(cls, kind: str, body: str, decision: Decision, session_id: str | None,
              entries: Iterable[DecisionEntry]) -> DecisionRecord:
        """The record of a decision covering ``entries`` (at least one product, each once)."""
        if kind not in KINDS:
            raise RatingError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}", field="kind")
        if body not in BODIES:
            raise RatingError(f"the issuing body must be one of {', '.join(BODIES)}, not {body!r}", field="body")
        covered = tuple(entries)
        products = [e.product_id for e in covered]
        if not covered or len(set(products)) != len(products):
            raise RatingError("a decision covers at least one product, each once", field="products")
        record = cls(cls.key(body, decision.number, decision.date.year))
        record.record(ev.DecisionIssued(decision.number, decision.date.year, body, kind, decision.date,
                                        decision.issued_by, session_id, covered))
        return record

    @property
    def certificates_issued(self) -> int:
        return sum(e.issued for e in self.issued.entries) if self.issued else 0

    def apply(self, event: DomainEvent) -> None:
        match event:
            case ev.DecisionIssued(session_id=session_id):
                self.issued, self.session_id = event, session_id
            case ev.DecisionNumberTaken(session_id=session_id):
                self.session_id = session_id
