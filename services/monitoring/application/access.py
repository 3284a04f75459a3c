"""Who may act on what in monitoring (docs/ROLES.md, monitoring): access policy next to the load, not a business rule.

Plans: the provincial office enters the Coordination Office's plans and a department's (Sở Công Thương …); a
district officer plans only as their own district. Inspections: inspectors. Reports: the district officer of the
report's district files it, or the provincial office records one received on paper. Targets: the provincial office.
"""

from __future__ import annotations

from services.monitoring.domain.values import Body
from shared.auth import Actor, RoleNotAllowedError
from shared.contracts.roles import Role

PLANNERS = {Role.provincial_office: ("coordination_office", "department"), Role.district_officer: ("district",)}


def may_plan(actor: Actor, planner: Body) -> None:
    """The planner's office: provincial office for the Coordination Office or a department, a district officer for
    their own district (403 naming ``planner.kind`` or the district)."""
    kinds = PLANNERS.get(actor.role, ())
    if planner.kind not in kinds:
        allowed = ", ".join(f"{role.value} ({' | '.join(k)})" for role, k in PLANNERS.items())
        raise RoleNotAllowedError(f"{actor.role} may not plan as {planner.kind!r}; planners: {allowed}",
                                  field="planner.kind")
    if planner.kind == "district":
        actor.ensure_district(planner.code or "")


def may_report(actor: Actor, district_code: str) -> None:
    """A district officer of the report's district (403 otherwise), or the provincial office."""
    if actor.role is Role.district_officer:
        actor.ensure_district(district_code)
    elif actor.role is not Role.provincial_office:
        raise RoleNotAllowedError("only district_officer (own district) or provincial_office file district reports",
                                  field="role")


def reports_scope(actor: Actor, district_code: str | None) -> str | None:
    """The district a reader of the report schedule sees: a district officer only theirs; others what they ask."""
    if actor.role is Role.district_officer:
        if district_code is not None:
            actor.ensure_district(district_code)
        return actor.district
    return district_code
