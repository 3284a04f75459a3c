"""Who may act on which council (docs/ROLES.md, rating): access policy next to the load, not a business rule.

District councils are run by that district's OCOP officer and the council's secretary; the provincial council by
the provincial coordination office; the central one by the central office. A secretary or member token with a
``district`` claim belongs to that district's council only.
"""

from __future__ import annotations

from services.rating.domain.council import council_id_for
from shared.auth import Actor, DistrictForbiddenError, RoleNotAllowedError
from shared.contracts.roles import Role

OFFICE = {"district": Role.district_officer, "provincial": Role.provincial_office, "central": Role.central_office}


def _same_scope(actor: Actor, level: str, district_code: str | None) -> None:
    if level == "district":
        actor.ensure_district(str(district_code))
    elif actor.district is not None:
        raise DistrictForbiddenError(f"{actor.role} of district {actor.district} cannot act on the {level} council")


def may_run(actor: Actor, level: str, district_code: str | None, *, secretary: bool = True) -> None:
    """The office of the council's level, or (when ``secretary``) the council secretary of the same scope."""
    allowed = {OFFICE[level]} | ({Role.council_secretary} if secretary else set())
    if actor.role not in allowed:
        names = " or ".join(sorted(r.value for r in allowed))
        raise RoleNotAllowedError(f"only {names} may do this for a {level} council", field="role")
    _same_scope(actor, level, district_code)


def may_score(actor: Actor, level: str, district_code: str | None, member_id: str) -> None:
    """A member submits their own scorecard; the secretary may enter a paper scorecard on a member's behalf."""
    if actor.role is Role.council_member:
        if actor.id != member_id:
            raise RoleNotAllowedError(f"council member {actor.id} cannot submit the scorecard of {member_id}",
                                      field="member_id")
    elif actor.role is not Role.council_secretary:
        raise RoleNotAllowedError("only council_member (own scorecard) or council_secretary may submit scorecards",
                                  field="role")
    _same_scope(actor, level, district_code)


def may_form(actor: Actor, level: str, district_code: str | None) -> None:
    """District councils: the district (or the province); provincial: the province; central: the centre."""
    council_id_for(level, district_code)
    if level == "district" and actor.role is Role.provincial_office:
        return
    may_run(actor, level, district_code, secretary=False)


def may_decide(actor: Actor, level: str, district_code: str | None) -> None:
    """The office of the level records its decision; a district session takes none, which the domain refuses (409)."""
    if level != "district":
        may_run(actor, level, district_code, secretary=False)


def may_decide_inspection(actor: Actor) -> None:
    if actor.role is not Role.provincial_office:
        raise RoleNotAllowedError("only provincial_office records decisions on failed inspections", field="role")
