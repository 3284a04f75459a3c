"""The documented shapes of rating's answers about the catalogue, councils and sessions (``dossier_views``: about
products); every route declares one, so OpenAPI names each field.

A command answers with the aggregate it changed, built here field by field (``of``); a query answers with rows of
the read models. No answer serves a stored event or its payload. ``average_score`` is one type everywhere: the mean
to 2 decimals as a number (``Score``), as ProductRated carries it; the exact mean is ``mean``, a fraction string.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, Field

from services.rating.adapters.places import Places
from services.rating.domain.council import Council
from services.rating.domain.decisions import DecisionRecord
from services.rating.domain.events import ScorecardSubmitted
from services.rating.domain.session import CouncilSession
from services.rating.domain.sheets import Criterion, Part, Sheet
from services.rating.domain.values import Certificate, Decision, Member, ProductResult

T = TypeVar("T")
Score = Annotated[float, Field(description="the council's mean to 2 decimals, a number as ProductRated carries it")]


class Page(BaseModel, Generic[T]):
    """One page of a listing: how many match in all, and the items of this page."""

    total: int
    items: list[T]


class SheetView(BaseModel):
    """Phiếu đánh giá of a product set: parts, groups, criteria and their options."""

    entry: str = Field(description="the sheet's catalogue entry, e.g. set-05")
    product_set: int
    version: str
    provisional: bool = Field(description="true until the official appendix is loaded")
    parts: list[Part]
    criteria: dict[str, Criterion] = Field(description="criterion id → criterion, every criterion of every part")
    notes: list[str]

    @classmethod
    def of(cls, sheet: Sheet) -> SheetView:
        return cls(entry=sheet.entry, product_set=sheet.product_set, version=sheet.version,
                   provisional=sheet.provisional, parts=list(sheet.parts), criteria=dict(sheet.criteria),
                   notes=list(sheet.notes))


class DecisionView(BaseModel):
    """Quyết định: number, civil date, who signed it."""

    number: str
    date: date
    issued_by: str

    @classmethod
    def of(cls, decision: Decision | None) -> DecisionView | None:
        if decision is None:
            return None
        return cls(number=decision.number, date=decision.date, issued_by=decision.issued_by)


# ------------------------------------------------------------------------------------------- councils


class MemberView(BaseModel):
    """Thành viên hội đồng: id (the ``sub`` of their token), name, role, organisation (cơ quan)."""

    member_id: str
    name: str
    role: str = Field(description="chair | vice_chair | member | secretary (the secretary does not score)")
    organisation: str

    @classmethod
    def of(cls, member: Member) -> MemberView:
        return cls(member_id=member.member_id, name=member.name, role=member.role, organisation=member.organisation)


class CouncilView(BaseModel):
    """Hội đồng đánh giá, phân hạng: its level, place and current members."""

    council_id: str
    level: str = Field(description="district | provincial | central")
    district_code: str | None
    name: str
    members: list[MemberView]
    version: int

    @classmethod
    def of(cls, council: Council) -> CouncilView:
        return cls(council_id=council.id, level=council.level, district_code=council.district_code, name=council.name,
                   members=[MemberView.of(m) for m in council.members.values()], version=council.version)


class CouncilRecord(CouncilView):
    """A council as the read model keeps it."""

    updated_at: datetime


# ------------------------------------------------------------------------------------------- sessions


class ListedProductView(BaseModel):
    """A product on the session's list: its evaluation (lượt đánh giá) and why it is there."""

    product_id: str
    evaluation_id: str
    purpose: str = Field(description="first | re_entry | upgrade | re_rating")


class SessionFacts(BaseModel):
    """Phiên họp / đợt đánh giá: the council holding it, its cycle, round (số đợt), title and day."""

    session_id: str
    council_id: str
    level: str = Field(description="district | provincial | central")
    district_code: str | None
    cycle_year: int
    round: int
    title: str
    held_on: date


class SessionView(SessionFacts):
    """A session as the command left it."""

    products: list[ListedProductView]
    finalised: bool = Field(description="every product on the list has its result")
    decision: DecisionView | None
    version: int

    @classmethod
    def fields_of(cls, session: CouncilSession) -> dict[str, Any]:
        opened = session.opened
        assert opened is not None
        return {"session_id": session.id, "council_id": opened.council_id, "level": opened.level,
                "district_code": opened.district_code, "cycle_year": opened.cycle_year, "round": opened.round,
                "title": opened.title, "held_on": opened.held_on,
                "products": [ListedProductView(product_id=p.product_id, evaluation_id=p.evaluation_id,
                                               purpose=p.purpose) for p in session.products.values()],
                "finalised": session.finalised, "decision": DecisionView.of(session.decision),
                "version": session.version}

    @classmethod
    def of(cls, session: CouncilSession) -> SessionView:
        return cls(**cls.fields_of(session))


class ResultView(BaseModel):
    """Kết quả of one product: the exact mean ("209/3"), shown to 2 decimals, the band's star and the star with the
    minimum criteria met, the spread of the members' totals, and each member's total."""

    product_id: str
    evaluation_id: str
    product_set: int
    purpose: str
    mean: str
    average_score: Score
    band_stars: int
    stars: int
    spread: int
    totals: dict[str, int] = Field(description="member id → total of the member's latest scorecard")
    unmet_minimums: list[str]

    @classmethod
    def of(cls, r: ProductResult) -> ResultView:
        return cls(product_id=r.product_id, evaluation_id=r.evaluation_id, product_set=r.product_set,
                   purpose=r.purpose, mean=r.mean, average_score=float(r.average_score), band_stars=r.band_stars,
                   stars=r.stars, spread=r.spread, totals=dict(r.totals), unmet_minimums=list(r.unmet_minimums))


class OpenProductView(BaseModel):
    """A product a finalisation left open, and why: it may be finalised later in the same session."""

    product_id: str
    reason: str


class FinalisedSessionView(SessionView):
    """The session after a finalisation: every result so far, and the products still open with the reason."""

    results: list[ResultView]
    still_open: list[OpenProductView]

    @classmethod
    def of(cls, session: CouncilSession) -> FinalisedSessionView:
        still_open = [OpenProductView(product_id=p, reason=session.still_open.get(p, "not finalised yet"))
                      for p in session.products if p not in session.results]
        return cls(**cls.fields_of(session), results=[ResultView.of(r) for r in session.results.values()],
                   still_open=still_open)


class DecidedSessionView(SessionView):
    """The session once its decision is recorded, with how many certificates the decision issued and how many
    products had each outcome (a confirmation or a renewal is never counted as a recognition)."""

    certificates_issued: int
    outcomes: dict[str, int] = Field(description="outcome (recognized, confirmed, renewed, proposed, …) → products")

    @classmethod
    def after(cls, session: CouncilSession, record: DecisionRecord) -> DecidedSessionView:
        entries = record.issued.entries if record.issued else ()
        return cls(**cls.fields_of(session), certificates_issued=record.certificates_issued,
                   outcomes=dict(Counter(e.outcome for e in entries)))


class SubmittedScorecard(BaseModel):
    """One version of a member's scorecard (phiếu chấm điểm); a correction is the next version, both stay."""

    session_id: str
    product_id: str
    member_id: str
    version: int
    choices: dict[str, str] = Field(description="criterion id → option id")
    total: int
    note: str | None

    @classmethod
    def of(cls, session_id: str, card: ScorecardSubmitted) -> SubmittedScorecard:
        return cls(session_id=session_id, product_id=card.product_id, member_id=card.member_id, version=card.version,
                   choices=dict(card.choices), total=card.total, note=card.note)


class SessionRecord(SessionFacts):
    """A session as the read model keeps it."""

    chair_id: str
    members: list[MemberView] = Field(description="the members who score in it, as the council was when it opened")
    status: str = Field(description="open | partly_finalised | finalised | decided")
    products: int = Field(description="how many products are on its list")
    finalised_on: date | None
    decision: DecisionView | None
    version: int
    opened_at: datetime
    examined_in_district: int | None = Field(
        default=None, description="with examined_district: how many of that district's products it examined")


class SessionPage(Page[SessionRecord]):
    """Sessions by level, district, cycle or status, in the order they were held."""


class Marks(BaseModel):
    """What a council session made of one product: the exact mean, the stars, and what came of it."""

    mean: str | None = Field(description="the exact mean as a fraction, e.g. 209/3 (null until finalised)")
    band_stars: int | None
    stars: int | None = Field(description="the star on the sheet, minimum criteria met")
    spread: int | None
    unmet_minimums: list[str] | None
    outcome: str | None = Field(description="what ProductRated said of it; several join with '+'; or withdrawn")
    outcome_stars: int | None
    certificate_number: str | None
    finalised_on: date | None = Field(description="the day its result was finalised (null while open)")
    open_reason: str | None = Field(description="why the last finalisation left it open (quorum, spread…)")


class ExaminedView(Marks):
    """A product on a session's list, with its scorecards and result so far."""

    session_id: str
    product_id: str
    evaluation_id: str
    product_name: str
    product_set: int
    district_code: str
    purpose: str
    held_stars: int = Field(description="the star of the certificate it held when listed (0: none)")
    position: int
    scorecards: int = Field(description="how many members have scored it")
    average_score: Score | None
    totals: dict[str, int] | None


class SessionDetail(SessionRecord):
    """A session with every product ever on its list (withdrawn ones too)."""

    examined: list[ExaminedView]


class ResultRow(Marks):
    """One line of the results table (bảng tổng hợp kết quả), with the names a decision's annex prints."""

    product_id: str
    product_name: str
    producer_name: str | None
    district_code: str
    district_name: str | None
    commune_code: str | None
    commune_name: str | None
    product_set: int
    purpose: str
    scorecards: int
    average_score: Score | None


class SessionResults(BaseModel):
    """Bảng tổng hợp kết quả: best mean first, products without a result last, and how many had each outcome."""

    session_id: str
    status: str
    decision: DecisionView | None
    results: list[ResultRow]
    outcomes: dict[str, int] = Field(description="outcome → products; confirmed and renewed apart from recognized")

    @classmethod
    def of(cls, session: dict[str, Any], rows: list[dict[str, Any]], places: Places) -> SessionResults:
        counted = Counter(r["outcome"] for r in rows if r["outcome"])
        named = [{**r, "district_name": places.district(r["district_code"]),
                  "commune_name": places.commune(r["commune_code"])} for r in rows]
        return cls(session_id=session["session_id"], status=session["status"], decision=session["decision"],
                   results=named, outcomes=dict(counted))
