"""Events of a council (hội đồng đánh giá, phân hạng): formed, a member appointed or withdrawn."""

from __future__ import annotations

from dataclasses import dataclass

from services.rating.domain.values import Member
from shared.aggregate import DomainEvent


@dataclass(frozen=True)
class CouncilFormed(DomainEvent):
    """Hội đồng đánh giá, phân hạng was set up: one per district-level unit, one provincial, one central."""

    council_id: str
    level: str
    district_code: str | None
    name: str
    members: tuple[Member, ...]


@dataclass(frozen=True)
class MemberAppointed(DomainEvent):
    """A member joined the council (bổ sung thành viên)."""

    member: Member


@dataclass(frozen=True)
class MemberWithdrawn(DomainEvent):
    """A member left the council; sessions opened before keep the composition they were opened with."""

    member_id: str
    reason: str
