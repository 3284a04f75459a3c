"""The documented shapes of finance's answers to commands: each built field by field from the aggregate the command
changed (``of``). Queries answer the read models' rows (``report_views``). No answer serves a stored event."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from services.finance.domain.budget import Budget, BudgetVersion
from services.finance.domain.claims import Claim, Recovery
from services.finance.domain.support import SupportItem
from services.finance.domain.tariff_book import TariffBook
from services.finance.domain.tariffs import TariffRef, TariffTable
from services.finance.domain.values import Allotment, Decision, FundingSource, LineChange, LineRef


class DecisionView(BaseModel):
    """Quyết định: number, civil date, issuing body, signer (when recorded)."""

    number: str
    date: date
    issued_by: str
    signer: str | None = None

    @classmethod
    def of(cls, decision: Decision | None) -> DecisionView | None:
        if decision is None:
            return None
        return cls(number=decision.number, date=decision.date, issued_by=decision.issued_by, signer=decision.signer)


class LineView(BaseModel):
    """A budget line (mục chi) of a plan year under one funding source (nguồn)."""

    plan_year: int
    line: str
    source: str

    @classmethod
    def of(cls, ref: LineRef) -> LineView:
        return cls(plan_year=ref.plan_year, line=ref.line, source=ref.source)


class VersionView(BaseModel):
    version: int
    decision: DecisionView
    changes: list[LineChange] = Field(description="what changed from the version before (empty for version 1)")
    allotments: list[Allotment]

    @classmethod
    def of(cls, v: BudgetVersion) -> VersionView:
        return cls(version=v.version, decision=DecisionView.of(v.decision), changes=list(v.changes),
                   allotments=list(v.allotments))


class PendingAmendmentView(BaseModel):
    amendment: int
    changes: list[LineChange]
    new_sources: list[FundingSource]
    proposed_by: str
    proposed_on: date


class BudgetView(BaseModel):
    """Dự toán kinh phí OCOP of a plan year: its status, sources, working estimate and every approved version."""

    plan_year: int
    status: str = Field(description="drafted | appraised | approved | allocated")
    version: int = Field(description="the approved version in force (0 before approval)")
    sources: list[FundingSource]
    estimate: list[Allotment] = Field(description="the working amounts: drafted, appraised, then as amended")
    versions: list[VersionView]
    pending_amendment: PendingAmendmentView | None
    allocated_on: date | None
    stream_version: int

    @classmethod
    def of(cls, b: Budget) -> BudgetView:
        pending = None
        if b.proposed is not None:
            p = b.proposed
            pending = PendingAmendmentView(amendment=p.amendment, changes=list(p.changes),
                                           new_sources=list(p.new_sources), proposed_by=p.proposed_by,
                                           proposed_on=p.proposed_on)
        return cls(plan_year=b.plan_year, status=b.status, version=b.version_number, sources=list(b.sources.values()),
                   estimate=[Allotment(line, source, amount) for (line, source), amount in sorted(b.estimate.items())],
                   versions=[VersionView.of(v) for v in b.versions], pending_amendment=pending,
                   allocated_on=b.allocated.allocated_on if b.allocated else None, stream_version=b.version)


class FundedView(BaseModel):
    """A budget step and the waiting claims it let through (funded: money held, approved when automatic)."""

    budget: BudgetView
    funded_claims: list[str]


class TariffRefView(BaseModel):
    province: str
    plan_year: int
    valid_from: date
    basis: str

    @classmethod
    def of(cls, ref: TariffRef) -> TariffRefView:
        return cls(province=ref.province, plan_year=ref.plan_year, valid_from=ref.valid_from, basis=ref.basis)


class ClaimView(BaseModel):
    """Yêu cầu khen thưởng: the recognition, the amount and the rule that decided it, its line, approval, payments."""

    claim_id: str
    product_id: str
    evaluation_id: str
    level: str
    stars: int
    recognition_decision: DecisionView
    amount: int
    rule: str
    flags: list[str]
    tariff: TariffRefView
    line: LineView
    status: str = Field(description="waiting_for_budget | reserved | approved | partly_paid | paid | on_hold | "
                                    "cancelled")
    shortfall: int = Field(description="what the line lacked at the last try (0: none seen)")
    approval_decision: DecisionView | None
    approved_on: date | None
    paid: int
    recovered: int
    held_from: str | None

    @classmethod
    def of(cls, c: Claim) -> ClaimView:
        r = c.recognition
        return cls(claim_id=c.claim_id, product_id=r.product_id, evaluation_id=r.evaluation_id, level=r.level,
                   stars=r.stars, recognition_decision=DecisionView.of(r.decision), amount=c.amount, rule=c.rule,
                   flags=list(c.flags), tariff=TariffRefView.of(c.tariff), line=LineView.of(c.line), status=c.status,
                   shortfall=c.shortfall, approval_decision=DecisionView.of(c.decision), approved_on=c.approved_on,
                   paid=c.paid, recovered=c.recovered, held_from=c.held_from)


class RecoveryView(BaseModel):
    """Khoản thu hồi: money paid on a withdrawn recognition's claim, to pay back (or waived)."""

    recovery_id: str
    claim_id: str
    amount: int
    recovered: int
    status: str = Field(description="open | recovered | waived")
    reason: str
    decision: DecisionView | None
    waived_by: DecisionView | None

    @classmethod
    def of(cls, r: Recovery) -> RecoveryView:
        return cls(recovery_id=r.recovery_id, claim_id=r.claim_id, amount=r.amount, recovered=r.recovered,
                   status=r.status, reason=r.reason, decision=DecisionView.of(r.decision),
                   waived_by=DecisionView.of(r.waived_by))


class SupportItemView(BaseModel):
    """Khoản hỗ trợ (Thông tư 08/2019/TT-BTC)."""

    item_id: str
    plan_item: str
    purpose: str
    amount: int
    line: LineView
    product_id: str
    producer_id: str
    status: str = Field(description="proposed | approved | partly_paid | paid | cancelled")
    paid: int
    approved_on: date | None

    @classmethod
    def of(cls, item: SupportItem) -> SupportItemView:
        p = item.proposal
        assert p is not None
        return cls(item_id=item.id.removeprefix("support:"), plan_item=p.plan_item, purpose=p.purpose, amount=p.amount,
                   line=LineView.of(p.line), product_id=p.product_id, producer_id=p.producer_id, status=item.status,
                   paid=item.paid, approved_on=item.approved_on)


class TariffView(BaseModel):
    plan_year: int
    valid_from: date
    valid_until: date | None
    basis: str
    stars: dict[int, int] = Field(description="star → amount in đồng; a star absent earns nothing")
    upgrades: list[dict[str, int]] = Field(description="fixed sums for upgrades: from, to, amount")


class TariffTableView(BaseModel):
    """Biểu mức thưởng in force: installed (with when and by whom) or the settings' file."""

    province: str
    title: str
    tariffs: list[TariffView]
    installed_by: str | None
    installed_on: date | None
    installations: int

    @classmethod
    def of(cls, table: TariffTable, book: TariffBook | None) -> TariffTableView:
        last = book.installed[-1] if book and book.installed else None
        return cls(province=table.province, title=table.title, installed_by=last.installed_by if last else None,
                   installed_on=last.installed_on if last else None, installations=len(book.installed) if book else 0,
                   tariffs=[TariffView(plan_year=t.plan_year, valid_from=t.ref.valid_from, valid_until=t.valid_until,
                                       basis=t.ref.basis, stars=dict(t.amounts),
                                       upgrades=[{"from": a, "to": b, "amount": v} for (a, b), v in t.upgrades.items()])
                            for t in table.tariffs])


class RetriedView(BaseModel):
    funded_claims: list[str] = Field(description="the waiting claims now funded, in the order tried")
