"""The registration life cycle (Kế hoạch 75/KH-UBND §II.4.1): which step is allowed from which status, and the
status each fact leaves a registration in. The aggregate, the read model and the API's status filter read it here.

    submitted ─commune proposes→ proposed ─district selects→ selected ─on the district's list→ sent_to_province
                                   │  ▲
                 district returns  ▼  │ resubmitted
                                 returned
    proposed ─district rejects→ rejected
"""

from __future__ import annotations

from dataclasses import dataclass

from services.registration.domain import events as ev
from services.registration.domain.errors import IllegalTransition
from shared.aggregate import DomainEvent


@dataclass(frozen=True)
class Step:
    doing: str  # completes "cannot …" in the refusal
    allowed_from: tuple[str, ...]
    leads_to: str


STEPS: dict[type[DomainEvent], Step] = {
    ev.RegistrationSubmitted: Step("submit it", (), "submitted"),
    ev.RegistrationProposedByCommune: Step("propose it to the district", ("submitted",), "proposed"),
    ev.RegistrationReturned: Step("return it for completion", ("proposed",), "returned"),
    ev.RegistrationResubmitted: Step("resubmit it", ("returned",), "proposed"),
    ev.RegistrationSelected: Step("select it", ("proposed",), "selected"),
    ev.RegistrationRejected: Step("reject it", ("proposed",), "rejected"),
    ev.RegistrationSentToProvince: Step("send it to the province", ("selected",), "sent_to_province"),
}

STATUSES: tuple[str, ...] = tuple(dict.fromkeys(step.leads_to for step in STEPS.values()))


def status_after(event: DomainEvent) -> str:
    return STEPS[type(event)].leads_to


def ensure_allowed(registration_id: str, status: str, step: type[DomainEvent]) -> None:
    """Refuses a step the registration's status does not allow (409), before any input of the step is checked."""
    rule = STEPS[step]
    if status not in rule.allowed_from:
        raise IllegalTransition(
            f"cannot {rule.doing}: registration {registration_id} is {status!r}"
            f" (allowed from {', '.join(rule.allowed_from)})",
            field="status",
        )
