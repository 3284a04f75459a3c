"""The authenticated caller and where it may act, checked against the rules its role declares.

The kernel knows no role by name. A programme hands it a role vocabulary (a ``str`` Enum, e.g.
``shared.contracts.roles.Role``) whose members say where they act; an :class:`Actor` is valid when its district
and commune claims fit those rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import Enum
from typing import Annotated, Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, model_validator

from shared.auth.errors import DistrictForbiddenError, shown

MAX_ACTOR_ID = 200
_DISTRICT_CODE = re.compile(r"^\d{3}$")  # GSO district code, e.g. "380" (TP Thanh Hóa)
_COMMUNE_CODE = re.compile(r"^\d{5}$")  # GSO commune code, five digits
_SCOPE_RULES = ("district_scoped", "optionally_district_scoped", "commune_scoped")


class ScopedRole(Protocol):
    """What auth asks of a role: its claim value (``str(role)`` too) and where it acts."""

    @property
    def value(self) -> str: ...

    @property
    def district_scoped(self) -> bool:
        """Always acts inside one district; the token must carry ``district``."""

    @property
    def optionally_district_scoped(self) -> bool:
        """May carry ``district`` (then acts only inside it) or not (acts province-wide)."""

    @property
    def commune_scoped(self) -> bool:
        """Acts inside one commune; the token must carry ``commune``."""


class RoleVocabulary(Protocol):
    """A programme's roles: calling it with a claim value gives the role or raises ``ValueError``; it iterates them.

    ``operations_roles()`` names who may read a service's pipeline status (``GET /ops/status``).
    """

    def __call__(self, value: Any) -> ScopedRole: ...

    def __iter__(self) -> Iterable[ScopedRole]: ...

    def operations_roles(self) -> tuple[ScopedRole, ...]: ...


def is_role(value: object) -> bool:
    """A member of a role vocabulary (a ``str`` Enum whose members declare their scope), not a bare name."""
    return isinstance(value, Enum) and isinstance(value, str) and all(hasattr(value, rule) for rule in _SCOPE_RULES)


def _role(value: object) -> ScopedRole:
    if not is_role(value):
        raise ValueError(f"role must be a member of the role vocabulary, not {shown(value)}")
    return value  # type: ignore[return-value]


def _commune_roles(role: ScopedRole) -> str:
    return " or ".join(str(other) for other in type(role) if other.commune_scoped)  # type: ignore[attr-defined]


def scope_problem(role: ScopedRole, district: object, commune: object) -> tuple[str, str] | None:
    """``(error_code, message)`` when the role/district/commune combination is not allowed, else None."""
    if district is not None and (not isinstance(district, str) or not _DISTRICT_CODE.match(district)):
        return "invalid_claims", f"district claim must be a 3-digit district code, got {shown(district)}"
    if commune is not None and (not isinstance(commune, str) or not _COMMUNE_CODE.match(commune)):
        return "invalid_claims", f"commune claim must be a 5-digit commune code, got {shown(commune)}"
    if role.district_scoped and district is None:
        return "missing_district", f"{role} token must carry a district claim"
    if role.commune_scoped and commune is None:
        return "missing_commune", f"{role} token must carry a commune claim"
    if not role.commune_scoped and commune is not None:
        return "invalid_claims", f"{role} token must not carry a commune claim (only {_commune_roles(role)} has one)"
    if district is not None and not (role.district_scoped or role.optionally_district_scoped):
        return "invalid_claims", f"{role} token must not carry a district claim ({role} is not district-scoped)"
    return None


class Actor(BaseModel):
    """The authenticated caller, as decoded from a token."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=MAX_ACTOR_ID)
    role: Annotated[ScopedRole, PlainValidator(_role)]
    district: str | None = None
    commune: str | None = None

    @model_validator(mode="after")
    def _check_scope(self) -> Actor:
        if problem := scope_problem(self.role, self.district, self.commune):
            raise ValueError(problem[1])
        return self

    @property
    def scoped_district(self) -> str | None:
        """The district this actor is confined to; None when it may act province-wide (or is scoped otherwise)."""
        if self.role.district_scoped or self.role.optionally_district_scoped:
            return self.district
        return None

    def ensure_district(self, district_code: str) -> None:
        """Raise 403 :class:`DistrictForbiddenError` if this actor is confined to another district.

        Actors without a district scope (province-wide roles, a provincial/central council member, ...) pass;
        whether their *role* may act at all is :func:`~shared.auth.require`'s job.
        """
        scoped = self.scoped_district
        if scoped is not None and scoped != str(district_code):
            raise DistrictForbiddenError(f"{self.role} of district {scoped} cannot act on district {district_code}")

    def ensure_commune(self, commune_code: str) -> None:
        """Raise 403 if a commune-scoped actor acts on another commune. Other roles pass: a route acting on a commune
        must also call :meth:`ensure_district` with that commune's district (auth knows no commune→district map)."""
        if self.role.commune_scoped and self.commune != str(commune_code):
            raise DistrictForbiddenError(
                f"{self.role} of commune {self.commune} cannot act on commune {commune_code}", field="commune"
            )

    def as_event_actor(self) -> dict[str, str]:
        """What an event records about who caused it."""
        return {"id": self.id, "role": self.role.value}
