"""Councils (hội đồng đánh giá, phân hạng sản phẩm OCOP) and their members.

One council per district-level unit (cấp huyện), one provincial (cấp tỉnh), one central (trung ương, Bộ NN&PTNT);
the id says which, so a second council for the same place is refused.
"""

from __future__ import annotations

from services.rating.domain import events as ev
from services.rating.domain.errors import AlreadyExists, NotAllowed, RatingError, ensure_each_once
from services.rating.domain.values import Member
from shared.aggregate import Aggregate, DomainEvent

LEVELS = ("district", "provincial", "central")


def council_id_for(level: str, district_code: str | None) -> str:
    if level not in LEVELS:
        raise RatingError(f"level must be one of {', '.join(LEVELS)}", field="level")
    if (level == "district") != (district_code is not None):
        raise RatingError("a district council names its district_code; provincial and central ones do not",
                          field="district_code")
    return f"council-district-{district_code}" if level == "district" else f"council-{level}"


def _check_composition(members: list[Member], refusal: type[RatingError] = RatingError) -> None:
    """Forming a council, a bad list is bad input (422); appointing or withdrawing one member, it is the council as it
    stands that the change does not fit (``NotAllowed``, 409)."""
    ensure_each_once([m.member_id for m in members], "member", "members")
    chairs = [m for m in members if m.role == "chair"]
    if len(chairs) != 1:
        raise refusal(f"a council has exactly one chair (chủ tịch hội đồng), not {len(chairs)}", field="members")
    if not any(m.scores for m in members):
        raise refusal("a council needs members who score", field="members")


class Council(Aggregate):
    """Hội đồng: its level, place and current members."""

    stream_type = "council"
    event_types = {e.__name__: e for e in (ev.CouncilFormed, ev.MemberAppointed, ev.MemberWithdrawn)}

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.level = ""
        self.district_code: str | None = None
        self.name = ""
        self.members: dict[str, Member] = {}

    @classmethod
    def form(cls, level: str, district_code: str | None, name: str, members: list[Member]) -> Council:
        council_id = council_id_for(level, district_code)
        _check_composition(members)
        council = cls(council_id)
        council.record(ev.CouncilFormed(council_id, level, district_code, name, tuple(members)))
        return council

    def appoint(self, member: Member) -> None:
        if member.member_id in self.members:
            raise AlreadyExists(f"{member.member_id!r} is already a member of {self.id}", field="member_id")
        _check_composition([*self.members.values(), member], NotAllowed)
        self.record(ev.MemberAppointed(member))

    def withdraw(self, member_id: str, reason: str) -> None:
        if member_id not in self.members:
            raise NotAllowed(f"{member_id!r} is not a member of {self.id}", field="member_id")
        rest = [m for m in self.members.values() if m.member_id != member_id]
        _check_composition(rest, NotAllowed)
        self.record(ev.MemberWithdrawn(member_id, reason))

    @property
    def chair(self) -> Member:
        return next(m for m in self.members.values() if m.role == "chair")

    @property
    def scoring_members(self) -> list[Member]:
        return [m for m in self.members.values() if m.scores]

    def apply(self, event: DomainEvent) -> None:
        match event:
            case ev.CouncilFormed():
                self.level, self.district_code, self.name = event.level, event.district_code, event.name
                self.members = {m.member_id: m for m in event.members}
            case ev.MemberAppointed(member=member):
                self.members[member.member_id] = member
            case ev.MemberWithdrawn(member_id=member_id):
                self.members.pop(member_id, None)
