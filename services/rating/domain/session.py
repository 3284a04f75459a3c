"""A council session (phiên họp hội đồng; at the province a numbered round, đợt đánh giá).

The session lists the products it examines and says what may be scored; each member's scorecards are facts of the
member's own stream (``scorecards.MemberScorecards``: a correction is a new version, every version stays; older code
kept them on the session's stream, still read). It is finalised into results from the members' latest cards, product
by product: a finalisation takes the products that are ready and leaves the others open, named with the reason, for a
later one. At provincial and central level, once every product has its result, it gets the decision approving them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from services.rating.domain import events as ev
from services.rating.domain.catalogue import Catalogue
from services.rating.domain.council import Council
from services.rating.domain.decision_dates import ensure_not_before, ensure_signed_by
from services.rating.domain.errors import AlreadyExists, NotAllowed, NotReady
from services.rating.domain.policy import RatingPolicy
from services.rating.domain.scorecards import MemberScorecards
from services.rating.domain.scoring import CouncilResult, council_result, validate_scorecard
from services.rating.domain.values import Decision, Member, OpenProduct, ProductResult, Sitting
from shared.aggregate import Aggregate, DomainEvent


def evaluation_id_for(session_id: str, product_id: str) -> str:
    """One evaluation (lượt đánh giá) = one product in one session; ProductRated carries it."""
    return f"{session_id}/{product_id}"


class CouncilSession(Aggregate):
    """Phiên họp hội đồng / đợt đánh giá."""

    stream_type = "council-session"
    event_types = {e.__name__: e for e in (ev.SessionOpened, ev.ProductExamined, ev.ProductWithdrawn, ev.ScorecardSubmitted,
                                           ev.ResultsFinalised, ev.SessionFinalised, ev.DecisionRecorded)}

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.opened: ev.SessionOpened | None = None
        self.products: dict[str, ev.ProductExamined] = {}
        self.scorecards: dict[tuple[str, str], ev.ScorecardSubmitted] = {}  # older code's cards: (product, member)
        self.listed: dict[str, int] = {}  # product → the session's version when it was (last) put on the list
        self.results: dict[str, ProductResult] = {}
        self.still_open: dict[str, str] = {}  # product → why the last finalisation left it open
        self.decision: Decision | None = None

    # ------------------------------------------------------------------------------------------- commands

    @classmethod
    def open(cls, session_id: str, council: Council, *, cycle_year: int, round_: int, title: str, held_on: date) -> CouncilSession:
        session = cls(session_id)
        session.record(ev.SessionOpened(session_id, council.id, council.level, council.district_code, cycle_year,
                                        round_, title, held_on, council.chair.member_id, tuple(council.scoring_members)))
        return session

    def examine(self, product_id: str, *, product_set: int, product_name: str, district_code: str, purpose: str,
                held_stars: int) -> str:
        self._still_open()
        if product_id in self.products:
            raise AlreadyExists(f"product {product_id!r} is already on the list of {self.id}", field="product_ids")
        if self.level == "district" and district_code != self.district_code:
            raise NotAllowed(f"product {product_id!r} is of district {district_code}; this council is of "
                             f"district {self.district_code}", field="product_ids")
        evaluation_id = evaluation_id_for(self.id, product_id)
        self.record(ev.ProductExamined(product_id, evaluation_id, product_set, product_name, district_code, purpose,
                                       held_stars))
        return evaluation_id

    def withdraw(self, product_id: str, reason: str) -> None:
        self._still_open()
        self._not_final(product_id)
        self.record(ev.ProductWithdrawn(product_id, reason))

    def scorable(self, member_id: str, product_id: str) -> ev.ProductExamined:
        """What a member may score here: a member of the session, a product on its list still without a result."""
        self._still_open()
        if member_id not in self.members:
            raise NotAllowed(f"{member_id!r} does not score in {self.id} (members: {', '.join(self.members)})",
                             field="member_id")
        return self._not_final(product_id)

    def cards(self, members: Mapping[str, MemberScorecards]) -> dict[tuple[str, str], ev.ScorecardSubmitted]:
        """The latest card of each member for each product on the list, from the members' streams (a card of an
        earlier listing of the product, before it was withdrawn, does not count) and the session's own (older code)."""
        latest = dict(self.scorecards)
        for member_id, scorecards in members.items():
            for product_id, card in scorecards.latest.items():
                if card.listing is not None and card.listing == self.listed.get(product_id):
                    latest[(product_id, member_id)] = card
        return latest

    def result_of(self, catalogue: Catalogue, policy: RatingPolicy, product_id: str,
                  cards: Mapping[tuple[str, str], ev.ScorecardSubmitted]) -> CouncilResult:
        """The council's result for one product from the members' latest scorecards (NotReady below quorum)."""
        examined = self._examined(product_id)
        sheet = catalogue.sheet(examined.product_set)
        scored = {member: validate_scorecard(sheet, card.choices)
                  for (pid, member), card in cards.items() if pid == product_id}
        return council_result(catalogue, examined.product_set, scored, list(self.members), self._facts.chair_id, policy)

    def finalise(self, catalogue: Catalogue, policy: RatingPolicy, on: date,
                 cards: Mapping[tuple[str, str], ev.ScorecardSubmitted]) -> list[ProductResult]:
        """The results of the products still without one that are ready, from ``cards`` (``cards()``); the others stay
        open, each named with its reason (quorum, chair, spread). NotReady, naming each, when none is ready."""
        self._still_open()
        if not self.products:
            raise NotReady(f"{self.id} examines no product", field="product_ids")
        results, still_open = [], []
        for product_id, examined in self.products.items():
            if product_id in self.results:
                continue
            try:
                results.append(_product_result(examined, self.result_of(catalogue, policy, product_id, cards).final()))
            except NotReady as exc:
                still_open.append(OpenProduct(product_id, str(exc)))
        if not results:
            raise NotReady("cannot finalise — " + " | ".join(f"{p.product_id}: {p.reason}" for p in still_open),
                           field="scorecards")
        self.record(ev.ResultsFinalised(on, tuple(results), tuple(still_open)))
        return results

    def record_decision(self, decision: Decision, today: date) -> None:
        """Quyết định công nhận of the round (province) or of the central council; districts certify nothing.

        It is dated the day it was signed: not after ``today``, not before the session sat.
        """
        if self.level == "district":
            raise NotAllowed("a district council certifies nothing under 1048: its finalised results already "
                             "forward products to the province", field="level")
        if not self.finalised:
            open_ = ", ".join(p for p in self.products if p not in self.results) or "every product"
            raise NotReady(f"{self.id} is not finalised ({open_} without a result): finalise or withdraw them before "
                           "recording the decision", field="session")
        if self.decision is not None:
            raise AlreadyExists(f"{self.id} already has decision {self.decision.number}", field="number")
        ensure_signed_by(decision.date, today)
        ensure_not_before(decision.date, f"the session {self.id} was held", self.held_on)
        self.record(ev.DecisionRecorded(decision.number, decision.date, decision.issued_by))

    # ------------------------------------------------------------------------------------------- state

    @property
    def _facts(self) -> ev.SessionOpened:
        assert self.opened is not None, "session not opened"
        return self.opened

    @property
    def level(self) -> str:
        return self._facts.level

    @property
    def district_code(self) -> str | None:
        return self._facts.district_code

    @property
    def cycle_year(self) -> int:
        return self._facts.cycle_year

    @property
    def held_on(self) -> date:
        return self._facts.held_on

    @property
    def members(self) -> dict[str, Member]:
        return {m.member_id: m for m in self._facts.members}

    @property
    def finalised(self) -> bool:
        """Every product on the list has its result: the list and its scorecards are closed."""
        return bool(self.products) and all(product_id in self.results for product_id in self.products)

    @property
    def sitting(self) -> Sitting:
        """Where this session's outcomes were reached, with its decision once recorded."""
        return Sitting(self.id, self.cycle_year, self.decision)

    def _still_open(self) -> None:
        if self.finalised:
            raise NotAllowed(f"{self.id} is finalised; its list and scorecards are closed", field="session")

    def _examined(self, product_id: str) -> ev.ProductExamined:
        if product_id not in self.products:
            raise NotAllowed(f"product {product_id!r} is not on the list of {self.id}", field="product_id")
        return self.products[product_id]

    def _not_final(self, product_id: str) -> ev.ProductExamined:
        """A product on the list still without a result: its scorecards may change, it may be withdrawn."""
        examined = self._examined(product_id)
        if product_id in self.results:
            raise NotAllowed(f"product {product_id!r} has its result in {self.id}: its scorecards are closed",
                             field="product_id")
        return examined

    def apply(self, event: DomainEvent) -> None:
        match event:
            case ev.SessionOpened():
                self.opened = event
            case ev.ProductExamined(product_id=product_id):
                self.products[product_id] = event
                self.listed[product_id] = self.version + 1  # this event's version: apply runs before the count
            case ev.ProductWithdrawn(product_id=product_id):
                del self.products[product_id]
                self.still_open.pop(product_id, None)
                self.scorecards = {key: card for key, card in self.scorecards.items() if key[0] != product_id}
            case ev.ScorecardSubmitted(product_id=product_id, member_id=member_id):
                self.scorecards[(product_id, member_id)] = event
            case ev.ResultsFinalised(results=results, still_open=still_open):
                self.results.update((r.product_id, r) for r in results)
                self.still_open = {p.product_id: p.reason for p in still_open}
            case ev.SessionFinalised(results=results):
                self.results.update((r.product_id, r) for r in results)
            case ev.DecisionRecorded():
                self.decision = event.decision


def _product_result(examined: ev.ProductExamined, result: CouncilResult) -> ProductResult:
    return ProductResult(examined.product_id, examined.evaluation_id, examined.product_set, examined.purpose,
                         str(result.mean), result.mean_display, result.band_stars, result.stars, result.spread,
                         dict(result.totals), result.unmet_minimums)
