"""A member's scorecards in one session (phiếu chấm điểm của một thành viên): their own stream.

Members score the products of one session at once; each member's cards are facts of their own, so two members never
contend for one stream. A correction is the card's next version (every version stays). The session still decides what
may be scored (``CouncilSession.scorable``); a finalisation reads every member's cards and records on each member's
stream that it counted them (``ScorecardsCounted``): a card submitted meanwhile then conflicts with the finalisation,
and whichever commits second runs again and sees the other.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from services.rating.domain import events as ev
from services.rating.domain.errors import NotAllowed
from services.rating.domain.scoring import Scorecard
from shared.aggregate import Aggregate, DomainEvent


class MemberScorecards(Aggregate):
    """Phiếu chấm của một thành viên trong một phiên: the latest card for each product, and the products counted."""

    stream_type = "member-scorecards"
    event_types = {e.__name__: e for e in (ev.ScorecardSubmitted, ev.ScorecardsCounted)}

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.latest: dict[str, ev.ScorecardSubmitted] = {}
        self.counted: set[str] = set()

    @staticmethod
    def key(session_id: str, member_id: str) -> str:
        return f"scorecards:{session_id}:{member_id}"

    def submit(self, session_id: str, member_id: str, product_id: str, listing: int, card: Scorecard,
               note: str | None, previous: int) -> ev.ScorecardSubmitted:
        """The member's card for one product, the version after ``previous``; none once its result is final."""
        if product_id in self.counted:
            raise NotAllowed(f"product {product_id!r} has its result in {session_id}: its scorecards are closed",
                             field="product_id")
        event = ev.ScorecardSubmitted(product_id, member_id, previous + 1,
                                      {cid: option.id for cid, option in card.choices.items()}, card.total, note,
                                      session_id, listing)
        self.record(event)
        return event

    def count(self, session_id: str, member_id: str, products: Iterable[str], on: date) -> None:
        self.record(ev.ScorecardsCounted(session_id, member_id, tuple(products), on))

    def apply(self, event: DomainEvent) -> None:
        match event:
            case ev.ScorecardSubmitted(product_id=product_id):
                self.latest[product_id] = event
            case ev.ScorecardsCounted(products=products):
                self.counted.update(products)
