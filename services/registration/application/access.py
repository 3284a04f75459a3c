"""Who may do what in registration (docs/ROLES.md): the roles allowed at each step, and the area staff act in.

Routes gate on the roles (``require``); handlers check the area once the producer or registration is loaded.
"""

from __future__ import annotations

from services.registration.domain.producer import Producer
from shared.auth import Actor, RoleNotAllowedError
from shared.contracts.roles import Role

STAFF = (Role.commune_officer, Role.district_officer)
REGISTERS_PRODUCERS = STAFF
SUBMITS = (Role.producer, *STAFF)  # submit, and resubmit a returned form
PROPOSES = STAFF
REVIEWS = (Role.district_officer,)  # return, select, reject, send the district's list


def in_area(actor: Actor, district_code: str, commune_code: str | None = None) -> None:
    """Staff act within their own district, and a commune officer within their own commune (403 otherwise)."""
    actor.ensure_district(district_code)
    if commune_code is not None:
        actor.ensure_commune(commune_code)


def may_act_for(actor: Actor, producer: Producer) -> None:
    """A producer acts for itself; commune and district staff for producers of their area."""
    if actor.role == Role.producer:
        if actor.id != producer.id:
            raise RoleNotAllowedError(f"producer {actor.id} cannot act for producer {producer.id}", field="producer_id")
        return
    in_area(actor, producer.district_code, producer.commune_code)
