"""Events of a plan year's OCOP budget (dự toán kinh phí): drafted, appraised, approved, allocated, amended."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.finance.domain.values import Allotment, Decision, FundingSource, LineChange
from shared.aggregate import DomainEvent


@dataclass(frozen=True)
class BudgetDrafted(DomainEvent):
    """Văn phòng Điều phối lập dự toán chi tiết: the Coordination Office's estimate, by line and source."""

    plan_year: int
    sources: tuple[FundingSource, ...]
    allotments: tuple[Allotment, ...]
    drafted_by: str
    drafted_on: date


@dataclass(frozen=True)
class BudgetAppraised(DomainEvent):
    """Sở Tài chính thẩm định: the Department of Finance's changes to the estimate, each with its reason."""

    changes: tuple[LineChange, ...]
    appraised_by: str
    appraised_on: date


@dataclass(frozen=True)
class BudgetApproved(DomainEvent):
    """UBND tỉnh phê duyệt: version 1 of the budget, the appraised amounts, by the People's Committee's decision."""

    version: int
    decision: Decision
    allotments: tuple[Allotment, ...]


@dataclass(frozen=True)
class BudgetAllocated(DomainEvent):
    """Phân bổ dự toán: the Department of Finance allocated the approved budget; its lines may now be spent."""

    allocated_by: str
    allocated_on: date


@dataclass(frozen=True)
class AmendmentProposed(DomainEvent):
    """Điều chỉnh dự toán: changes proposed (appraised) to the approved budget; new sources may come with them."""

    amendment: int
    changes: tuple[LineChange, ...]
    new_sources: tuple[FundingSource, ...]
    proposed_by: str
    proposed_on: date


@dataclass(frozen=True)
class AmendmentApproved(DomainEvent):
    """A new version of the budget: what changed (``changes``), by whose decision, and every amount after it."""

    amendment: int
    version: int
    decision: Decision
    changes: tuple[LineChange, ...]
    allotments: tuple[Allotment, ...]


@dataclass(frozen=True)
class AmendmentRejected(DomainEvent):
    """The proposed amendment was not approved; the budget keeps its version."""

    amendment: int
    reason: str
    rejected_by: str
    rejected_on: date
