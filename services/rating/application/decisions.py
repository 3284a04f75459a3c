"""The handlers of decisions (quyết định): a round's recognition, and the province's decisions after inspections.

Each decision is one record (``DecisionRecord``) created in the same transaction as what it did to every product it
covers; its number is taken once per issuing body and year.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from services.rating.application.access import may_decide, may_decide_inspection
from services.rating.application.ports import RatingPorts
from services.rating.application.step import step as _step
from services.rating.domain import rounds
from services.rating.domain.decisions import DecisionRecord
from services.rating.domain.dossier import RatingDossier
from services.rating.domain.errors import AlreadyExists
from services.rating.domain.rulings import KIND_OF_ACTION, Ruling, apply_ruling, rule
from services.rating.domain.session import CouncilSession
from services.rating.domain.values import Decision
from shared.auth import Actor
from shared.ports import UnitOfWorkPort


async def record_decision(ports: RatingPorts, actor: Actor, session_id: str, decision: Decision
                          ) -> tuple[CouncilSession, DecisionRecord]:
    """The decision approving a provincial round's or the central council's results, with its record."""
    def authorise(session: CouncilSession) -> None:
        may_decide(actor, session.level, session.district_code)

    async with _step(ports, CouncilSession, session_id, authorise) as step:
        session = step.target
        record = rounds.decide(session, await step.dossiers(session.products), ports.catalogue, ports.policy,
                               decision=decision, today=ports.today())
        await _register(step.uow, record)
    return session, record


async def issue_decision(ports: RatingPorts, actor: Actor, *, kind: str, decision: Decision,
                         session_id: str | None = None, rulings: Sequence[Ruling] = ()) -> DecisionRecord:
    """One decision, whatever its kind, in one transaction: a recognition approves a session's results; a revocation,
    re-rating order or warning answers the failed inspections of every product it names."""
    if kind == "recognition":
        return (await record_decision(ports, actor, str(session_id), decision))[1]
    may_decide_inspection(actor)
    async with ports.uow() as uow:
        repo = uow.repository(RatingDossier)
        dossiers = {r.product_id: await repo.get(r.product_id) for r in rulings}
        record = rule(kind, dossiers, rulings, decision, ports.today())
        await _register(uow, record)
        await uow.commit()
    return record


async def _register(uow: UnitOfWorkPort, record: DecisionRecord) -> None:
    """A number is taken once per issuing body and year; one older code registered for the year stays taken."""
    repo, issued = uow.repository(DecisionRecord), record.issued
    assert issued is not None
    for key in (record.id, DecisionRecord.legacy_key(issued.number, issued.year)):
        taken = await repo.find(key)
        if taken is not None:
            by = f" (session {taken.session_id})" if taken.session_id else ""
            raise AlreadyExists(f"decision {issued.number} of {issued.year} is already recorded{by}", field="number")
    repo.add(record)


async def decide_inspection(ports: RatingPorts, actor: Actor, product_id: str, *, inspection_id: str, action: str,
                            reason: str, on: date, decision: Decision | None) -> RatingDossier:
    """The provincial officer's decision on one certificate under review: revoke, re_rate or warning. With a decision
    (number, date, signer) it is recorded as that decision covering this one product."""
    may_decide_inspection(actor)
    kind, ruling = KIND_OF_ACTION[action], Ruling(product_id, inspection_id, reason)
    async with _step(ports, RatingDossier, product_id, lambda _: None) as step:
        if decision is None:
            apply_ruling(kind, step.target, ruling, None, on, ports.today())
        else:
            await _register(step.uow, rule(kind, {product_id: step.target}, [ruling], decision, ports.today()))
    return step.target
