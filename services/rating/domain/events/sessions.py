"""Events of a council session (phiên họp / đợt): its list, the members' scorecards, the results and the decision
approving them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from services.rating.domain.values import Decision, Member, OpenProduct, ProductResult
from shared.aggregate import DomainEvent


@dataclass(frozen=True)
class SessionOpened(DomainEvent):
    """A council session (phiên họp; for the province a numbered round, đợt) with the members who score in it."""

    session_id: str
    council_id: str
    level: str
    district_code: str | None
    cycle_year: int
    round: int
    title: str
    held_on: date
    chair_id: str
    members: tuple[Member, ...]


@dataclass(frozen=True)
class ProductExamined(DomainEvent):
    """A product was put on the session's list (danh sách sản phẩm đánh giá)."""

    product_id: str
    evaluation_id: str
    product_set: int
    product_name: str
    district_code: str
    purpose: str  # first | re_entry | upgrade | re_rating
    held_stars: int


@dataclass(frozen=True)
class ProductWithdrawn(DomainEvent):
    """Taken off the session's list before finalisation (rút khỏi phiên), e.g. the producer withdrew; cards stay on record."""

    product_id: str
    reason: str


@dataclass(frozen=True)
class ScorecardSubmitted(DomainEvent):
    """A member's scorecard (phiếu chấm điểm) for one product; a correction is the next version.

    v2 is recorded on the member's own stream (``MemberScorecards``), naming its session and the listing of the product
    it scores (the session's version when the product was put on the list: a card of an earlier listing, before a
    withdrawal, never counts). v1, on the session's stream, named neither (None).
    """

    schema_version: ClassVar[int] = 2

    product_id: str
    member_id: str
    version: int
    choices: dict[str, str]
    total: int
    note: str | None
    session_id: str | None = None
    listing: int | None = None


@dataclass(frozen=True)
class ScorecardsCounted(DomainEvent):
    """A finalisation counted the member's cards for these products (their results are final): the version check
    that makes a card submitted meanwhile conflict with it, whichever commits second."""

    session_id: str
    member_id: str
    products: tuple[str, ...]
    finalised_on: date


@dataclass(frozen=True)
class ResultsFinalised(DomainEvent):
    """The council's results (kết quả) of the products on the list that were ready, computed from the scorecards;
    ``still_open`` names the others with the reason, to be finalised later in the same session."""

    finalised_on: date
    results: tuple[ProductResult, ...]
    still_open: tuple[OpenProduct, ...]


@dataclass(frozen=True)
class SessionFinalised(DomainEvent):
    """Written by older code, which finalised all or nothing: the results of every product on the list."""

    finalised_on: date
    results: tuple[ProductResult, ...]


@dataclass(frozen=True)
class DecisionRecorded(DomainEvent):
    """The decision approving the results (quyết định công nhận): provincial (UBND tỉnh) or central (Bộ NN&PTNT)."""

    number: str
    date: date
    issued_by: str

    @property
    def decision(self) -> Decision:
        return Decision(self.number, self.date, self.issued_by)
