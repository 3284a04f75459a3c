"""Events of a district report (báo cáo của UBND huyện)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shared.aggregate import DomainEvent


@dataclass(frozen=True)
class ReportFiled(DomainEvent):
    """A district-level unit filed a report it owes: the civil date it was received and the document's number."""

    plan_year: int
    district_code: str
    kind: str
    filed_on: date
    document_ref: str


@dataclass(frozen=True)
class ReportAmended(DomainEvent):
    """A corrected or supplementary document replaced the filed one; timeliness stays that of the first filing."""

    amended_on: date
    document_ref: str
    note: str
