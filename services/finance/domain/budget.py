"""A plan year's OCOP budget (dự toán kinh phí thực hiện Chương trình OCOP), stream id ``budget:<plan year>``.

    drafted (Coordination Office) ─appraise→ appraised (Department of Finance, changes with reasons)
        ─approve→ approved v1 (PPC decision: number, date, signer) ─allocate→ allocated
    approved | allocated ─propose_amendment→ amendment pending ─approve_amendment→ version n+1 (history kept)
                                                               └reject_amendment→ same version

Every version keeps what changed and by whose decision (``versions``). The money itself is spent through one
``BudgetLine`` per (plan year, line, source), which takes its approved amount from ``amounts()``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from services.finance.domain.errors import AlreadyExists, FinanceError, NotAllowed, OutOfOrder, Unknown
from services.finance.domain.events import budgets as ev
from services.finance.domain.values import Allotment, Decision, FundingSource, LineChange, LineRef, plan_year, text
from shared.aggregate import Aggregate, DomainEvent


def budget_id(plan_year: int) -> str:
    return f"budget:{plan_year}"


@dataclass(frozen=True)
class BudgetVersion:
    """One approved version: its number, the decision that made it, what changed from the one before, the amounts."""

    version: int
    decision: Decision
    changes: tuple[LineChange, ...]
    allotments: tuple[Allotment, ...]


class Budget(Aggregate):
    """Dự toán kinh phí OCOP of one plan year."""

    stream_type = "budget"
    event_types = {e.__name__: e for e in (ev.BudgetDrafted, ev.BudgetAppraised, ev.BudgetApproved, ev.BudgetAllocated,
                                           ev.AmendmentProposed, ev.AmendmentApproved, ev.AmendmentRejected)}

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.plan_year = 0
        self.status = "new"
        self.sources: dict[str, FundingSource] = {}
        self.estimate: dict[tuple[str, str], int] = {}  # the working amounts: drafted, then appraised or amended
        self.appraisal: ev.BudgetAppraised | None = None
        self.versions: list[BudgetVersion] = []
        self.allocated: ev.BudgetAllocated | None = None
        self.proposed: ev.AmendmentProposed | None = None  # the amendment awaiting its decision
        self.amendments = 0
        self.last_date: date | None = None  # each step's date is on or after the one before

    # ------------------------------------------------------------------------------------------- commands

    @classmethod
    def draft(cls, year: int, sources: Iterable[FundingSource], allotments: Iterable[Allotment], *,
              drafted_by: str, on: date) -> Budget:
        year, sources, allotments = plan_year(year), tuple(sources), tuple(allotments)
        codes = [s.code for s in sources]
        if not sources or len(set(codes)) != len(codes):
            raise FinanceError("a budget lists at least one funding source, each code once", field="sources")
        _known_sources(allotments, set(codes), "allotments")
        if len({a.key for a in allotments}) != len(allotments):
            raise AlreadyExists("each (line, source) appears once in an estimate", field="allotments")
        budget = cls(budget_id(year))
        budget.record(ev.BudgetDrafted(year, sources, allotments, text(drafted_by, "drafted_by"), on))
        return budget

    def appraise(self, changes: Iterable[LineChange], *, appraised_by: str, on: date) -> None:
        """The Department of Finance's appraisal (thẩm định); no change at all is an appraisal that agrees."""
        self._in("drafted", "appraise")
        changes = self._checked(tuple(changes), self.sources, on)
        self.record(ev.BudgetAppraised(changes, text(appraised_by, "appraised_by"), on))

    def approve(self, decision: Decision) -> None:
        """The PPC's decision approving the appraised estimate; it names its signer (người ký)."""
        self._in("appraised", "approve")
        self._signed(decision)
        self.record(ev.BudgetApproved(1, decision, self._allotments(self.estimate)))

    def allocate(self, *, allocated_by: str, on: date) -> None:
        self._in("approved", "allocate")
        self._after(on, "on")
        self.record(ev.BudgetAllocated(text(allocated_by, "allocated_by"), on))

    def propose_amendment(self, changes: Iterable[LineChange], *, proposed_by: str, on: date,
                          new_sources: Iterable[FundingSource] = ()) -> int:
        """An amendment of the approved budget (điều chỉnh dự toán), appraised; one may be pending at a time."""
        self._in(("approved", "allocated"), "amend")
        if self.proposed is not None:
            raise AlreadyExists(f"amendment {self.proposed.amendment} is still pending", field="changes")
        new_sources = tuple(new_sources)
        if any(s.code in self.sources for s in new_sources):
            raise AlreadyExists("a new funding source repeats a code the budget has", field="new_sources")
        known = {**self.sources, **{s.code: s for s in new_sources}}
        changes = self._checked(tuple(changes), known, on)
        if not changes:
            raise FinanceError("an amendment changes at least one amount", field="changes")
        self.record(ev.AmendmentProposed(self.amendments + 1, changes, new_sources, text(proposed_by, "proposed_by"),
                                         on))
        return self.amendments

    def approve_amendment(self, decision: Decision) -> BudgetVersion:
        """The decision approving the pending amendment: a new version. Lines whose amount changed are those of
        the version's ``changes``; the application raises (or lowers) those ``BudgetLine``s in the same unit."""
        pending = self._awaiting_decision()
        self._signed(decision)
        amounts = {**self.estimate, **{c.key: c.amount for c in pending.changes}}
        self.record(ev.AmendmentApproved(pending.amendment, self.version_number + 1, decision, pending.changes,
                                         self._allotments(amounts)))
        return self.versions[-1]

    def reject_amendment(self, *, reason: str, rejected_by: str, on: date) -> None:
        pending = self._awaiting_decision()
        self._after(on, "on")
        self.record(ev.AmendmentRejected(pending.amendment, text(reason, "reason"), text(rejected_by, "rejected_by"),
                                         on))

    # ------------------------------------------------------------------------------------------- queries

    @property
    def version_number(self) -> int:
        return self.versions[-1].version if self.versions else 0

    def amounts(self, version: int | None = None) -> Mapping[LineRef, int]:
        """The approved amount of every line of ``version`` (default: the current one)."""
        if not self.versions:
            raise NotAllowed(f"the {self.plan_year} budget is not approved yet", field="version")
        if version is not None and not 1 <= version <= len(self.versions):
            raise Unknown(f"the {self.plan_year} budget has no version {version}", field="version")
        chosen = self.versions[(version or len(self.versions)) - 1]
        return {LineRef(self.plan_year, a.line, a.source): a.amount for a in chosen.allotments}

    # ------------------------------------------------------------------------------------------- state

    def apply(self, event: DomainEvent) -> None:
        match event:
            case ev.BudgetDrafted():
                self.plan_year, self.status, self.last_date = event.plan_year, "drafted", event.drafted_on
                self.sources = {s.code: s for s in event.sources}
                self.estimate = {a.key: a.amount for a in event.allotments}
            case ev.BudgetAppraised():
                self.appraisal, self.status, self.last_date = event, "appraised", event.appraised_on
                self.estimate.update({c.key: c.amount for c in event.changes})
            case ev.BudgetApproved():
                self.status, self.last_date = "approved", event.decision.date
                self.versions.append(BudgetVersion(event.version, event.decision, (), event.allotments))
            case ev.BudgetAllocated():
                self.allocated, self.status, self.last_date = event, "allocated", event.allocated_on
            case ev.AmendmentProposed():
                self.proposed, self.amendments, self.last_date = event, event.amendment, event.proposed_on
                self.sources.update({s.code: s for s in event.new_sources})
            case ev.AmendmentApproved():
                self.proposed, self.last_date = None, event.decision.date
                self.estimate = {a.key: a.amount for a in event.allotments}
                self.versions.append(BudgetVersion(event.version, event.decision, event.changes, event.allotments))
            case ev.AmendmentRejected():
                self.proposed, self.last_date = None, event.rejected_on

    # ------------------------------------------------------------------------------------------- helpers

    def _in(self, statuses: str | tuple[str, ...], step: str) -> None:
        if self.status not in ((statuses,) if isinstance(statuses, str) else statuses):
            raise NotAllowed(f"cannot {step} the {self.plan_year} budget: it is {self.status}", field="status")

    def _after(self, on: date, field: str) -> None:
        if self.last_date is not None and on < self.last_date:
            raise OutOfOrder(f"{field} {on} is before the budget's previous step ({self.last_date})", field=field)

    def _signed(self, decision: Decision) -> None:
        self._after(decision.date, "decision.date")
        if not decision.signer or not decision.signer.strip():
            raise FinanceError("a budget decision names its signer (người ký)", field="decision.signer")

    def _awaiting_decision(self) -> ev.AmendmentProposed:
        if self.proposed is None:
            raise NotAllowed(f"the {self.plan_year} budget has no pending amendment", field="amendment")
        return self.proposed

    def _checked(self, changes: tuple[LineChange, ...], sources: Mapping[str, FundingSource],
                 on: date) -> tuple[LineChange, ...]:
        self._after(on, "on")
        _known_sources(changes, set(sources), "changes")
        if len({c.key for c in changes}) != len(changes):
            raise AlreadyExists("each (line, source) is changed once per step", field="changes")
        return changes

    @staticmethod
    def _allotments(amounts: Mapping[tuple[str, str], int]) -> tuple[Allotment, ...]:
        return tuple(Allotment(line, source, amount) for (line, source), amount in sorted(amounts.items()))


def _known_sources(items: Iterable[Allotment | LineChange], codes: set[str], field: str) -> None:
    for item in items:
        if item.source not in codes:
            raise Unknown(f"{item.line}: funding source {item.source!r} is not one of the budget's "
                          f"({', '.join(sorted(codes))})", field=f"{field}.source")
